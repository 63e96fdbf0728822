/**
 * DocsClient: the browser tab as a mesh node (a LumenizeClient subclass). It calls the
 * DocumentRegistryDO and DocumentDOs through its gateway and follows their pub/sub topics; the
 * subscription handlers below run locally when a DO publishes. DOM-free, so Node can run it too.
 */
import { LumenizeClient, type Subscription } from '@lumenize/mesh/client';
import '@lumenize/mesh/client/pubsub'; // enables this.lmz.subscribe
import { DOC_TOPIC, DOCS_TOPIC, REGISTRY_INSTANCE, type DocEvent, type DocsEvent, type DocState, type DocSummary, type DocumentApi, type EditEvent, type Me, type RegistryApi, type SyncResult } from '../src/shared/document-api.ts';
import type { TextOp } from '../src/shared/text-op.ts';
import '../src/shared/errors.ts';

/** Receives a topic's events, or the Error that refused the subscription. */
export type Listener<E> = (event: E | Error) => void;

/**
 * One browser tab's connection to the document mesh.
 * @example const client = new DocsClient({ instanceName: `${userId}.${tabId}`, accessToken });
 */
export class DocsClient extends LumenizeClient {
  #docListeners = new Map<string, Listener<DocEvent>>();
  #listListener: Listener<DocsEvent> | undefined;

  /** The signed-in user, as the mesh sees them (`callContext.originAuth`). */
  whoAmI(): Promise<Me> {
    return this.lmz.callRaw('DOC_REGISTRY', REGISTRY_INSTANCE, this.ctn<RegistryApi>().whoAmI()) as Promise<Me>;
  }

  listDocs(): Promise<DocSummary[]> {
    return this.lmz.callRaw('DOC_REGISTRY', REGISTRY_INSTANCE, this.ctn<RegistryApi>().list()) as Promise<DocSummary[]>;
  }

  createDoc(title: string): Promise<DocSummary> {
    return this.lmz.callRaw('DOC_REGISTRY', REGISTRY_INSTANCE, this.ctn<RegistryApi>().create(title)) as Promise<DocSummary>;
  }

  renameDoc(docId: string, title: string): Promise<DocSummary> {
    return this.lmz.callRaw('DOC_REGISTRY', REGISTRY_INSTANCE, this.ctn<RegistryApi>().rename(docId, title)) as Promise<DocSummary>;
  }

  /** Deletes a document (only its creator may). */
  removeDoc(docId: string): Promise<void> {
    return this.lmz.callRaw('DOC_REGISTRY', REGISTRY_INSTANCE, this.ctn<RegistryApi>().remove(docId)) as Promise<void>;
  }

  /** Follows the document list; dispose the subscription to stop. */
  followDocs(listener: Listener<DocsEvent>): Subscription {
    this.#listListener = listener;
    return this.lmz.subscribe('DOC_REGISTRY', REGISTRY_INSTANCE, DOCS_TOPIC, this.ctn<DocsClient>().onDocsEvent(this.ctn().$result));
  }

  openDoc(docId: string): Promise<DocState> {
    return this.lmz.callRaw('DOCUMENT', docId, this.ctn<DocumentApi>().open()) as Promise<DocState>;
  }

  /** Follows one document's edits, presence, word counts and snapshots. */
  followDoc(docId: string, listener: Listener<DocEvent>): Subscription {
    this.#docListeners.set(docId, listener);
    return this.lmz.subscribe('DOCUMENT', docId, DOC_TOPIC, this.ctn<DocsClient>().onDocEvent(docId, this.ctn().$result));
  }

  /** Stops delivering a document's events to its listener. */
  unfollowDoc(docId: string): void {
    this.#docListeners.delete(docId);
  }

  edit(docId: string, opId: string, baseVersion: number, op: TextOp): Promise<EditEvent> {
    return this.lmz.callRaw('DOCUMENT', docId, this.ctn<DocumentApi>().edit(opId, baseVersion, op)) as Promise<EditEvent>;
  }

  sync(docId: string, sinceVersion: number): Promise<SyncResult> {
    return this.lmz.callRaw('DOCUMENT', docId, this.ctn<DocumentApi>().sync(sinceVersion)) as Promise<SyncResult>;
  }

  /** Fire-and-forget presence calls (a failure is logged by the client and otherwise harmless). */
  heartbeat(docId: string): void {
    this.lmz.call('DOCUMENT', docId, this.ctn<DocumentApi>().heartbeat());
  }

  leave(docId: string): void {
    this.lmz.call('DOCUMENT', docId, this.ctn<DocumentApi>().leave());
  }

  /** Subscription handler for a document's topic (runs locally; not callable from outside). */
  onDocEvent(docId: string, event: DocEvent | Error): void {
    this.#docListeners.get(docId)?.(event);
  }

  /** Subscription handler for the document list. */
  onDocsEvent(event: DocsEvent | Error): void {
    this.#listListener?.(event);
  }
}
