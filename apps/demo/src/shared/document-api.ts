/**
 * What the browser and the Durable Objects say to each other: the mesh-callable methods of
 * DocumentDO and DocumentRegistryDO, and the events they publish. Types only, runtime-neutral, so
 * the browser bundle never imports Worker code (`this.ctn<DocumentApi>().open()`).
 */
import type { TextOp } from './text-op.ts';

/** Pub/sub topic of one document (on its DocumentDO). */
export const DOC_TOPIC = 'doc';
/** Pub/sub topic of the document list (on the DocumentRegistryDO). */
export const DOCS_TOPIC = 'docs';
/** The one registry instance. */
export const REGISTRY_INSTANCE = 'main';

/** Who started a change, as the DocumentDO read it from `this.lmz.callContext`. */
export interface Originator {
  /** `callContext.originAuth.userId`: verified by the auth middleware, set by the gateway. */
  userId: string;
  /** `callContext.originAuth.claims.email`, added by the demo Worker at connect time. */
  email: string | null;
  /** `callContext.origin.instanceName`: the browser tab (`{userId}.{tabId}`). */
  instanceName: string;
}

/** One committed edit: the operation as applied to version `version - 1`. */
export interface EditEvent {
  kind: 'edit';
  version: number;
  /** The id the editing client chose (retries with the same id are applied once). */
  opId: string;
  op: TextOp;
  by: Originator;
  /** Epoch milliseconds. */
  at: number;
}

/** Someone viewing the document. */
export interface PresenceEntry {
  instanceName: string;
  userId: string;
  email: string | null;
}

/** A node in a call chain, for display. */
export interface ChainHop {
  type: string;
  bindingName: string;
  instanceName?: string;
}

/** What WordCountWorker computed, and the call context it saw doing it. */
export interface WordStats {
  version: number;
  words: number;
  characters: number;
  /** `callContext.originAuth` as seen inside the Worker (two hops from the browser). */
  countedFor: { userId: string; email: string | null } | null;
  /** `callContext.callChain` as seen inside the Worker: browser tab → DocumentDO. */
  callChain: ChainHop[];
}

/** Events on {@link DOC_TOPIC}. */
export type DocEvent =
  | EditEvent
  | { kind: 'presence'; people: PresenceEntry[] }
  | { kind: 'stats'; stats: WordStats }
  | { kind: 'snapshot'; version: number; at: number }
  /** The document was deleted: viewers leave it. */
  | { kind: 'deleted' };

/** What `open()` returns. */
export interface DocState {
  docId: string;
  text: string;
  version: number;
  lastEdit: EditEvent | null;
  stats: WordStats | null;
  snapshot: { version: number; at: number } | null;
  people: PresenceEntry[];
  /** How often a viewer should call `heartbeat()` to stay in the presence list. */
  heartbeatMs: number;
}

/** What `sync(sinceVersion)` returns: the missing edits, or the whole state when they are gone. */
export type SyncResult = { kind: 'edits'; edits: EditEvent[] } | { kind: 'state'; state: DocState };

/** Mesh-callable methods of DocumentDO (binding `DOCUMENT`, one instance per document id). */
export interface DocumentApi {
  /** Joins the document (presence) and returns its current state. */
  open(): DocState;
  /** Applies `op` (made against `baseVersion`) after transforming it over newer edits. */
  edit(opId: string, baseVersion: number, op: TextOp): EditEvent;
  /** Edits after `sinceVersion`, for a client that missed some. */
  sync(sinceVersion: number): SyncResult;
  /** Keeps this tab in the presence list. */
  heartbeat(): void;
  /** Leaves the presence list. */
  leave(): void;
}

/** A row of the document list. */
export interface DocSummary {
  id: string;
  title: string;
  createdBy: string | null;
  version: number;
  words: number;
  lastEditor: string | null;
  /** Epoch milliseconds. */
  updatedAt: number;
}

/** Events on {@link DOCS_TOPIC}. */
export type DocsEvent = { kind: 'upsert'; doc: DocSummary } | { kind: 'removed'; id: string };

/** The signed-in user as the mesh sees them. */
export interface Me {
  userId: string;
  email: string | null;
}

/** Mesh-callable methods of DocumentRegistryDO (binding `DOC_REGISTRY`, instance `main`). */
export interface RegistryApi {
  list(): DocSummary[];
  create(title: string): DocSummary;
  /** Renames a listed document (any signed-in user). */
  rename(docId: string, title: string): DocSummary;
  /** Deletes a document (only its creator); its text and history are wiped. */
  remove(docId: string): void;
  whoAmI(): Me;
}
