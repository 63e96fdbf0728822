/**
 * DocumentDO: one Durable Object per document. The text and every edit live in SQL with version
 * numbers; edits are transformed over concurrent ones (shared/text-op.ts), published to every
 * subscriber, counted by WordCountWorker through the mesh, and snapshotted by an autosave alarm.
 * Every change records who started it, read from `this.lmz.callContext`.
 */
import { debug } from '@lumenize/debug';
import { LumenizeDO, mesh } from '@lumenize/mesh';
import { DOC_TOPIC, type DocEvent, type DocState, type DocumentApi, type EditEvent, type Originator, type PresenceEntry, type SyncResult, type WordStats } from './shared/document-api.ts';
import { EditRejectedError, SignInRequiredError } from './shared/errors.ts';
import { applyOp, assertTextOp, MAX_TEXT_LENGTH, transform, type TextOp } from './shared/text-op.ts';
import type { DemoEnv } from './env.ts';
import type { DocumentRegistryDO } from './document-registry-do.ts';
import type { WordCountWorker } from './word-count-worker.ts';

/** Seconds after the first unsaved edit before the autosave snapshot runs. */
export const AUTOSAVE_DELAY_SECONDS = 3;
/** Edits kept for clients that reconnect and ask for what they missed. */
const EDIT_LOG_LIMIT = 2_000;
/** Snapshots kept per document. */
const SNAPSHOT_LIMIT = 50;
/**
 * A tab that has not sent a heartbeat for this long leaves the presence list. The mesh does not tell
 * a DO when a browser drops, so an offline user disappears only through missed heartbeats; tabs
 * beat three times per timeout. `DEMO_PRESENCE_TIMEOUT_SECONDS` (3-600) overrides it (tests use 6).
 */
const DEFAULT_PRESENCE_TIMEOUT_SECONDS = 30;

function presenceTimeoutSeconds(env: DemoEnv): number {
  const asked = Number(env.DEMO_PRESENCE_TIMEOUT_SECONDS);
  return Number.isInteger(asked) && asked >= 3 && asked <= 600 ? asked : DEFAULT_PRESENCE_TIMEOUT_SECONDS;
}

interface EditRow {
  version: number;
  op_id: string;
  op: string;
  user_id: string;
  email: string | null;
  instance_name: string;
  at: number;
  [column: string]: SqlStorageValue;
}

function toEditEvent(row: EditRow): EditEvent {
  return {
    kind: 'edit',
    version: row.version,
    opId: row.op_id,
    op: JSON.parse(row.op) as TextOp,
    by: { userId: row.user_id, email: row.email, instanceName: row.instance_name },
    at: row.at,
  };
}

/**
 * One collaborative document, addressed by its id (`DOCUMENT` / `<docId>`).
 * @example this.lmz.callRaw('DOCUMENT', docId, this.ctn<DocumentApi>().open());
 */
export class DocumentDO extends LumenizeDO<DemoEnv> implements DocumentApi {
  /** Schema migrations, run once before the first statement (`this.svc.sql`). */
  static sqlMigrations = [
    `CREATE TABLE doc (id INTEGER PRIMARY KEY CHECK (id = 1), text TEXT NOT NULL, version INTEGER NOT NULL, stats TEXT);
     INSERT INTO doc (id, text, version) VALUES (1, '', 0);
     CREATE TABLE edits (version INTEGER PRIMARY KEY, op_id TEXT NOT NULL UNIQUE, op TEXT NOT NULL, user_id TEXT NOT NULL,
       email TEXT, instance_name TEXT NOT NULL, at INTEGER NOT NULL);
     CREATE TABLE snapshots (version INTEGER PRIMARY KEY, text TEXT NOT NULL, at INTEGER NOT NULL);
     CREATE TABLE presence (instance_name TEXT PRIMARY KEY, user_id TEXT NOT NULL, email TEXT, seen_at INTEGER NOT NULL);`,
  ];

  #log = debug('demo.DocumentDO');

  /** Only signed-in users reach a document: every inbound call must carry `originAuth`. */
  override onBeforeCall(): void {
    super.onBeforeCall();
    if (!this.lmz.callContext.originAuth?.userId) throw new SignInRequiredError('DocumentDO');
  }

  /** Pub/sub admission: signed-in users (checked in onBeforeCall) may follow the `doc` topic. */
  override onBeforeSubscribe(topic: string): void {
    if (topic !== DOC_TOPIC) throw new EditRejectedError('bad_request', `DocumentDO publishes only '${DOC_TOPIC}', not '${topic}'`);
  }

  @mesh
  open(): DocState {
    this.#touchPresence();
    return this.#state();
  }

  @mesh
  edit(opId: string, baseVersion: number, op: TextOp): EditEvent {
    if (typeof opId !== 'string' || !/^[\w-]{8,64}$/.test(opId)) throw new EditRejectedError('bad_request', 'opId must be 8-64 letters, digits, - or _');
    if (!Number.isSafeInteger(baseVersion) || baseVersion < 0) throw new EditRejectedError('bad_request', 'baseVersion must be a whole number >= 0');
    assertTextOp(op);
    const sql = this.svc.sql;
    // A retry of an edit that was already applied (its answer was lost): answer it again, apply nothing.
    const applied = sql<EditRow>`SELECT * FROM edits WHERE op_id = ${opId}`[0];
    if (applied) return toEditEvent(applied);

    const { text, version } = this.#doc();
    if (baseVersion > version) throw new EditRejectedError('ahead', `The edit is based on version ${baseVersion}, but the document is at ${version}`);
    const newer = sql<{ op: string }>`SELECT op FROM edits WHERE version > ${baseVersion} ORDER BY version`;
    if (newer.length !== version - baseVersion) {
      throw new EditRejectedError('stale_base', `Version ${baseVersion} is too old to merge into; reload the document`);
    }
    // Transform over every edit committed since the client's base; committed ones go first.
    let rebased = op;
    for (const row of newer) rebased = transform(JSON.parse(row.op) as TextOp, rebased)[1];
    const next = applyOp(text, rebased);
    if (next.length > MAX_TEXT_LENGTH) throw new EditRejectedError('too_long', `A document may hold at most ${MAX_TEXT_LENGTH} characters`);

    const by = this.#originator();
    const event: EditEvent = { kind: 'edit', version: version + 1, opId, op: rebased, by, at: Date.now() };
    sql`INSERT INTO edits (version, op_id, op, user_id, email, instance_name, at)
        VALUES (${event.version}, ${opId}, ${JSON.stringify(rebased)}, ${by.userId}, ${by.email}, ${by.instanceName}, ${event.at})`;
    sql`UPDATE doc SET text = ${next}, version = ${event.version} WHERE id = 1`;
    sql`DELETE FROM edits WHERE version <= ${event.version - EDIT_LOG_LIMIT}`;
    this.#touchPresence();

    this.#publish(event);
    // The word count continues this call chain: the Worker sees the browser as origin and its user.
    this.lmz.call('WORD_COUNT', undefined, this.ctn<WordCountWorker>().count(next, event.version), this.ctn().wordCounted(this.ctn().$result));
    if (!this.svc.alarms.getSchedule('autosave')) this.svc.alarms.schedule(AUTOSAVE_DELAY_SECONDS, this.ctn().autosave(), { id: 'autosave' });
    return event;
  }

  @mesh
  sync(sinceVersion: number): SyncResult {
    if (!Number.isSafeInteger(sinceVersion) || sinceVersion < 0) throw new EditRejectedError('bad_request', 'sinceVersion must be a whole number >= 0');
    const { version } = this.#doc();
    const rows = this.svc.sql<EditRow>`SELECT * FROM edits WHERE version > ${sinceVersion} ORDER BY version`;
    if (sinceVersion <= version && rows.length === version - sinceVersion) return { kind: 'edits', edits: rows.map(toEditEvent) };
    return { kind: 'state', state: this.#state() };
  }

  @mesh
  heartbeat(): void {
    this.#touchPresence();
  }

  @mesh
  leave(): void {
    const tab = this.lmz.callContext.origin.instanceName ?? '';
    const removed = this.svc.sql`DELETE FROM presence WHERE instance_name = ${tab} RETURNING instance_name`;
    if (removed.length > 0) this.#publish({ kind: 'presence', people: this.#people() });
  }

  /** Result handler of the WORD_COUNT call (local; runs with the edit's captured call context). */
  wordCounted(result: WordStats | Error): void {
    if (result instanceof Error) {
      this.#log.warn('word count failed', { error: result.message });
      return;
    }
    const current = this.#doc().stats;
    if (current && current.version > result.version) return; // a newer count already arrived
    this.svc.sql`UPDATE doc SET stats = ${JSON.stringify(result)} WHERE id = 1`;
    this.#publish({ kind: 'stats', stats: result });
    // Keep the document list current (a guarded mesh method that only DocumentDOs may call).
    const summary = { version: result.version, words: result.words, lastEditor: result.countedFor?.email ?? result.countedFor?.userId ?? null };
    this.lmz.call('DOC_REGISTRY', 'main', this.ctn<DocumentRegistryDO>().documentChanged(this.lmz.instanceName!, summary));
  }

  /** Alarm handler: stores a snapshot of the text when it changed since the last one. */
  autosave(): void {
    const { text, version } = this.#doc();
    const last = this.svc.sql<{ v: number | null }>`SELECT MAX(version) AS v FROM snapshots`[0]?.v ?? 0;
    if (version <= last) return;
    const at = Date.now();
    this.svc.sql`INSERT INTO snapshots (version, text, at) VALUES (${version}, ${text}, ${at})`;
    this.svc.sql`DELETE FROM snapshots WHERE version NOT IN (SELECT version FROM snapshots ORDER BY version DESC LIMIT ${SNAPSHOT_LIMIT})`;
    this.#log.info('autosaved', { doc: this.lmz.instanceName, version });
    this.#publish({ kind: 'snapshot', version, at });
  }

  /** Alarm handler: drops tabs that stopped sending heartbeats. */
  sweepPresence(): void {
    const cutoff = Date.now() - presenceTimeoutSeconds(this.env) * 1000;
    const gone = this.svc.sql`DELETE FROM presence WHERE seen_at < ${cutoff} RETURNING instance_name`;
    if (gone.length > 0) this.#publish({ kind: 'presence', people: this.#people() });
    if (this.#people().length > 0) this.#schedulePresenceSweep();
  }

  /** DocumentRegistryDO → here when the document's creator deletes it: wipe the text and history. */
  @mesh((doc: DocumentDO) => {
    const caller = doc.lmz.callContext.caller;
    if (caller.type !== 'LumenizeDO' || caller.bindingName !== 'DOC_REGISTRY') throw new Error('purge is only for DocumentRegistryDO');
  })
  purge(): void {
    this.svc.sql`UPDATE doc SET text = '', version = 0, stats = NULL WHERE id = 1`;
    this.svc.sql`DELETE FROM edits`;
    this.svc.sql`DELETE FROM snapshots`;
    this.svc.sql`DELETE FROM presence`;
    this.svc.alarms.cancelSchedule('autosave');
    this.svc.alarms.cancelSchedule('presence');
    this.#publish({ kind: 'deleted' });
  }

  /** `GET /gateway/DOCUMENT/<id>/export` (through the router's HTTP auth middleware): the text as a file. */
  override async fetch(request: Request): Promise<Response> {
    const learned = await super.fetch(request);
    if (learned.status === 500) return learned;
    const url = new URL(request.url);
    if (request.method !== 'GET' || !url.pathname.endsWith('/export')) return new Response('Not found', { status: 404 });
    if (!request.headers.get('X-Auth-User-Id')) return new Response('Sign in first', { status: 401 });
    const name = (this.lmz.instanceName ?? 'document').replace(/[^\w-]/g, '_');
    return new Response(this.#doc().text, {
      headers: { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Disposition': `attachment; filename="${name}.txt"` },
    });
  }

  #doc(): { text: string; version: number; stats: WordStats | null } {
    const row = this.svc.sql<{ text: string; version: number; stats: string | null }>`SELECT text, version, stats FROM doc WHERE id = 1`[0]!;
    return { text: row.text, version: row.version, stats: row.stats ? (JSON.parse(row.stats) as WordStats) : null };
  }

  #state(): DocState {
    const { text, version, stats } = this.#doc();
    const last = this.svc.sql<EditRow>`SELECT * FROM edits ORDER BY version DESC LIMIT 1`[0];
    const snap = this.svc.sql<{ version: number; at: number }>`SELECT version, at FROM snapshots ORDER BY version DESC LIMIT 1`[0];
    return {
      docId: this.lmz.instanceName!,
      text,
      version,
      lastEdit: last ? toEditEvent(last) : null,
      stats,
      snapshot: snap ? { version: snap.version, at: snap.at } : null,
      people: this.#people(),
      heartbeatMs: Math.floor((presenceTimeoutSeconds(this.env) * 1000) / 3),
    };
  }

  #people(): PresenceEntry[] {
    return this.svc.sql<{ instance_name: string; user_id: string; email: string | null }>`
      SELECT instance_name, user_id, email FROM presence ORDER BY instance_name`.map((r) => ({ instanceName: r.instance_name, userId: r.user_id, email: r.email }));
  }

  /** Who started the current call: verified user (originAuth) and the browser tab (origin). */
  #originator(): Originator {
    const { originAuth, origin } = this.lmz.callContext;
    const email = originAuth?.claims?.email;
    return { userId: originAuth!.userId, email: typeof email === 'string' ? email : null, instanceName: origin.instanceName ?? '' };
  }

  /** Records the calling tab as present; publishes the list when it is new. */
  #touchPresence(): void {
    const by = this.#originator();
    const known = this.svc.sql`SELECT 1 FROM presence WHERE instance_name = ${by.instanceName}`.length > 0;
    this.svc.sql`INSERT INTO presence (instance_name, user_id, email, seen_at) VALUES (${by.instanceName}, ${by.userId}, ${by.email}, ${Date.now()})
      ON CONFLICT (instance_name) DO UPDATE SET seen_at = excluded.seen_at`;
    if (!known) this.#publish({ kind: 'presence', people: this.#people() });
    if (!this.svc.alarms.getSchedule('presence')) this.#schedulePresenceSweep();
  }

  #schedulePresenceSweep(): void {
    this.svc.alarms.schedule(Math.ceil(presenceTimeoutSeconds(this.env) / 3), this.ctn().sweepPresence(), { id: 'presence' });
  }

  #publish(event: DocEvent): void {
    this.lmz.publish(DOC_TOPIC, event);
  }
}
