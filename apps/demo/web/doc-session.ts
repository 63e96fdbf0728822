/**
 * DocSession: keeps one editor in step with one DocumentDO (the client half of operational
 * transformation). Local typing is sent as one edit at a time; edits from others are applied in
 * version order and transformed over what is still unconfirmed here, so the caret stays put and
 * nothing typed on either side is lost. Edits that fail in transit (offline, timeout) are re-sent
 * with the same id after reconnecting; the DocumentDO applies each id once. Edits that are refused
 * (by the DocumentDO, or by the client because the frame is over the size limit) are dropped with an
 * error and the editor reloads, so it stays usable. DOM-free.
 */
import { FrameTooLargeError } from '@lumenize/mesh/client';
import type { DocState, EditEvent, SyncResult } from '../src/shared/document-api.ts';
import { EditRejectedError } from '../src/shared/errors.ts';
import { applyOp, diffOp, isNoop, transform, transformIndex, type TextOp } from '../src/shared/text-op.ts';

/** The editor as the session sees it: text plus selection. */
export interface EditorSurface {
  read(): { text: string; selectionStart: number; selectionEnd: number };
  write(text: string, selectionStart: number, selectionEnd: number): void;
}

/** The calls a session makes on its DocumentDO. */
export interface DocConnection {
  open(): Promise<DocState>;
  edit(opId: string, baseVersion: number, op: TextOp): Promise<EditEvent>;
  sync(sinceVersion: number): Promise<SyncResult>;
}

/** What the session reports to the page. */
export interface SessionEvents {
  /** A committed edit was applied here (own or someone else's). */
  onEdit?(event: EditEvent): void;
  /** Local changes not yet confirmed by the DocumentDO: `true` while any exist. */
  onPendingChange?(pending: boolean): void;
  /** The whole state was (re)loaded. */
  onLoaded?(state: DocState): void;
  onError?(error: Error): void;
}

interface Sent {
  opId: string;
  /** Exactly what was sent (re-sent unchanged after a failure; the DO dedupes by id). */
  baseVersion: number;
  sentOp: TextOp;
  /** The same edit transformed over everything applied here since: what the DO will commit. */
  op: TextOp;
  failed: boolean;
}

const GAP_SYNC_DELAY_MS = 400;

function newOpId(): string {
  return crypto.randomUUID();
}

/**
 * @example const session = new DocSession(conn, surface); await session.load(); textarea.oninput = () => session.localChanged();
 */
export class DocSession {
  #conn: DocConnection;
  #surface: EditorSurface;
  #events: SessionEvents;
  #text = '';
  #version = 0;
  #sent: Sent | null = null;
  #early = new Map<number, EditEvent>();
  #gapTimer: ReturnType<typeof setTimeout> | undefined;
  #loading: Promise<void> | undefined;
  #closed = false;

  constructor(conn: DocConnection, surface: EditorSurface, events: SessionEvents = {}) {
    this.#conn = conn;
    this.#surface = surface;
    this.#events = events;
  }

  /** Confirmed version (all edits up to it are applied here). */
  get version(): number {
    return this.#version;
  }

  /** True while local changes wait for confirmation. */
  get hasPendingChanges(): boolean {
    return this.#sent !== null || this.#surface.read().text !== this.#text;
  }

  /** Loads the current state into the editor (also used to recover from an unmergeable edit). */
  load(): Promise<void> {
    this.#loading ??= this.#conn
      .open()
      .then((state) => this.#reset(state, false))
      .finally(() => (this.#loading = undefined));
    return this.#loading;
  }

  /** Call after every local change of the editor's text. */
  localChanged(): void {
    this.#flush();
    this.#events.onPendingChange?.(this.hasPendingChanges);
  }

  /** An edit from the document's topic or from our own call's answer (duplicates are ignored). */
  receive(event: EditEvent): void {
    if (this.#closed || event.version <= this.#version) return;
    this.#early.set(event.version, event);
    for (let next = this.#early.get(this.#version + 1); next; next = this.#early.get(this.#version + 1)) {
      this.#early.delete(next.version);
      this.#apply(next);
    }
    if (this.#early.size > 0) this.#syncSoon();
  }

  /** After a reconnect: re-send a failed edit and fetch anything published while away. */
  reconnected(): void {
    if (this.#closed) return;
    if (this.#sent?.failed) this.#send(this.#sent);
    void this.catchUp();
  }

  /** Fetches edits after the confirmed version (or the whole state when they are gone). */
  async catchUp(): Promise<void> {
    if (this.#closed) return;
    try {
      const result = await this.#conn.sync(this.#version);
      if (result.kind === 'edits') for (const e of result.edits) this.receive(e);
      else this.#reset(result.state, true);
    } catch (error) {
      this.#events.onError?.(error as Error);
    }
  }

  close(): void {
    this.#closed = true;
    clearTimeout(this.#gapTimer);
  }

  /** Replaces everything with the DocumentDO's state; `fromCatchUp`: the missed edits were no longer kept. */
  #reset(state: DocState, fromCatchUp: boolean): void {
    const unconfirmed = this.#sent !== null || this.#surface.read().text !== this.#text;
    if (fromCatchUp && unconfirmed) {
      // Only reached when this editor is thousands of edits behind: its base can no longer be merged into.
      this.#events.onError?.(new Error('The document changed too much while you were away; your unsynced change could not be merged'));
    }
    this.#text = state.text;
    this.#version = state.version;
    this.#sent = null;
    this.#early.clear();
    this.#surface.write(state.text, Math.min(this.#surface.read().selectionStart, state.text.length), Math.min(this.#surface.read().selectionEnd, state.text.length));
    this.#events.onLoaded?.(state);
    this.#events.onPendingChange?.(false);
  }

  #apply(event: EditEvent): void {
    const view = this.#surface.read();
    const sent = this.#sent;
    const expected = sent ? applyOp(this.#text, sent.op) : this.#text;
    const buffer = diffOp(expected, view.text);
    if (sent && event.opId === sent.opId) {
      // Our own edit, committed: it matches what the editor already shows.
      this.#text = applyOp(this.#text, event.op);
      this.#version = event.version;
      this.#sent = null;
      if (this.#text !== expected) {
        void this.load();
        return;
      }
      this.#events.onEdit?.(event);
      this.#flush();
      this.#events.onPendingChange?.(this.hasPendingChanges);
      return;
    }
    // Someone else's edit: transform it over our unconfirmed edit, then over unsent typing.
    let remote = event.op;
    if (sent) [remote, sent.op] = transform(event.op, sent.op);
    const [remoteInEditor, bufferAfter] = transform(remote, buffer);
    this.#text = applyOp(this.#text, event.op);
    this.#version = event.version;
    const shown = applyOp(sent ? applyOp(this.#text, sent.op) : this.#text, bufferAfter);
    this.#surface.write(shown, transformIndex(view.selectionStart, remoteInEditor), transformIndex(view.selectionEnd, remoteInEditor));
    this.#events.onEdit?.(event);
  }

  #flush(): void {
    if (this.#closed || this.#sent || this.#loading) return;
    const op = diffOp(this.#text, this.#surface.read().text);
    if (isNoop(op)) return;
    this.#sent = { opId: newOpId(), baseVersion: this.#version, sentOp: op, op, failed: false };
    this.#send(this.#sent);
  }

  #send(sent: Sent): void {
    sent.failed = false;
    this.#conn.edit(sent.opId, sent.baseVersion, sent.sentOp).then(
      (event) => this.receive(event),
      (error: unknown) => {
        if (this.#sent !== sent) return;
        const refused = refusedEdit(error);
        if (refused) {
          // Refused, by the DocumentDO or before it left this tab (nothing was stored): reload and let the user carry on.
          this.#events.onError?.(refused);
          this.#sent = null;
          void this.load();
          return;
        }
        // Lost in transit (offline, timeout): keep it and re-send with the same id on reconnect.
        sent.failed = true;
      },
    );
  }

  #syncSoon(): void {
    clearTimeout(this.#gapTimer);
    this.#gapTimer = setTimeout(() => {
      if (this.#early.size > 0) void this.catchUp();
    }, GAP_SYNC_DELAY_MS);
  }
}

/**
 * The error to show when `error` means the edit was refused and will never succeed as sent
 * (undefined for failures in transit, which are re-sent after reconnecting).
 */
function refusedEdit(error: unknown): Error | undefined {
  if (error instanceof FrameTooLargeError) {
    return new Error(`That change is too large to send (over ${Math.floor(error.limit / 1024)} KiB in one edit), so it was not saved. Paste less at a time.`, { cause: error });
  }
  if (error instanceof EditRejectedError || (error as Error)?.name === 'InvalidTextOpError') return error as Error;
  return undefined;
}
