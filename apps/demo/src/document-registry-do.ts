/**
 * DocumentRegistryDO: the document list (one instance, `main`). Browsers list and create
 * documents (creators delete their own) and follow the `docs` topic; DocumentDOs report word counts and editors after edits
 * through a guarded mesh method only they may call.
 */
import { LumenizeDO, mesh, type SqlTag } from '@lumenize/mesh';
import { DOCS_TOPIC, type DocSummary, type Me, type RegistryApi } from './shared/document-api.ts';
import { InvalidRequestError, SignInRequiredError } from './shared/errors.ts';
import type { DemoEnv } from './env.ts';
import type { DocumentDO } from './document-do.ts';

/** Id of the document every fresh install starts with. */
export const WELCOME_DOC_ID = 'welcome';

interface DocRow {
  id: string;
  title: string;
  created_by: string | null;
  version: number;
  words: number;
  last_editor: string | null;
  updated_at: number;
  [column: string]: SqlStorageValue;
}

function toSummary(row: DocRow): DocSummary {
  return { id: row.id, title: row.title, createdBy: row.created_by, version: row.version, words: row.words, lastEditor: row.last_editor, updatedAt: row.updated_at };
}

/** A title with whitespace collapsed, 1 to 80 characters, or InvalidRequestError. */
function cleanTitle(title: unknown): string {
  const clean = typeof title === 'string' ? title.trim().replace(/\s+/g, ' ') : '';
  if (clean.length < 1 || clean.length > 80) throw new InvalidRequestError('A document title needs 1 to 80 characters');
  return clean;
}

/** A short random id for URLs (`#/doc/k3f9a2m1qz`). */
function newDocId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(10));
  return Array.from(bytes, (b) => 'abcdefghijklmnopqrstuvwxyz0123456789'[b % 36]).join('');
}

/**
 * The list of documents (`DOC_REGISTRY` / `main`).
 * @example const docs = await this.lmz.callRaw('DOC_REGISTRY', 'main', this.ctn<RegistryApi>().list());
 */
export class DocumentRegistryDO extends LumenizeDO<DemoEnv> implements RegistryApi {
  static sqlMigrations = [
    `CREATE TABLE docs (id TEXT PRIMARY KEY, title TEXT NOT NULL, created_by TEXT, version INTEGER NOT NULL DEFAULT 0,
       words INTEGER NOT NULL DEFAULT 0, last_editor TEXT, updated_at INTEGER NOT NULL)`,
    (sql: SqlTag) => {
      sql`INSERT INTO docs (id, title, updated_at) VALUES (${WELCOME_DOC_ID}, ${'Welcome to Lumenize Docs'}, ${Date.now()})`;
    },
  ];

  /** Every inbound call carries a signed-in user: browsers directly, DocumentDOs on their behalf. */
  override onBeforeCall(): void {
    super.onBeforeCall();
    if (!this.lmz.callContext.originAuth?.userId) throw new SignInRequiredError('DocumentRegistryDO');
  }

  override onBeforeSubscribe(topic: string): void {
    if (topic !== DOCS_TOPIC) throw new InvalidRequestError(`DocumentRegistryDO publishes only '${DOCS_TOPIC}', not '${topic}'`);
  }

  @mesh
  list(): DocSummary[] {
    return this.svc.sql<DocRow>`SELECT * FROM docs ORDER BY updated_at DESC, id`.map(toSummary);
  }

  @mesh
  create(title: string): DocSummary {
    const clean = cleanTitle(title);
    const row = this.svc.sql<DocRow>`INSERT INTO docs (id, title, created_by, updated_at) VALUES (${newDocId()}, ${clean}, ${this.#caller()}, ${Date.now()}) RETURNING *`[0]!;
    const doc = toSummary(row);
    this.lmz.publish(DOCS_TOPIC, { kind: 'upsert', doc });
    return doc;
  }

  /** Any signed-in user may rename a listed document (documents are shared by everyone). */
  @mesh
  rename(docId: string, title: string): DocSummary {
    const clean = cleanTitle(title);
    this.#row(docId);
    const row = this.svc.sql<DocRow>`UPDATE docs SET title = ${clean} WHERE id = ${docId} RETURNING *`[0]!;
    const doc = toSummary(row);
    this.lmz.publish(DOCS_TOPIC, { kind: 'upsert', doc });
    return doc;
  }

  /** Only the user who created a document may delete it; its DocumentDO then wipes its text and history. */
  @mesh
  remove(docId: string): void {
    const row = this.#row(docId);
    if (row.created_by === null || row.created_by !== this.#caller()) {
      throw new InvalidRequestError(`Only ${row.created_by ?? 'nobody'} can delete '${row.title}' (the user who created it)`);
    }
    this.svc.sql`DELETE FROM docs WHERE id = ${docId}`;
    this.lmz.publish(DOCS_TOPIC, { kind: 'removed', id: docId });
    this.lmz.call('DOCUMENT', docId, this.ctn<DocumentDO>().purge());
  }

  @mesh
  whoAmI(): Me {
    const { originAuth } = this.lmz.callContext;
    const email = originAuth!.claims?.email;
    return { userId: originAuth!.userId, email: typeof email === 'string' ? email : null };
  }

  /** DocumentDO → registry after a word count: newest version, words and editor. */
  @mesh((registry: DocumentRegistryDO) => {
    const caller = registry.lmz.callContext.caller;
    if (caller.type !== 'LumenizeDO' || caller.bindingName !== 'DOCUMENT') throw new Error('documentChanged is only for DocumentDO');
  })
  documentChanged(docId: string, change: { version: number; words: number; lastEditor: string | null }): void {
    // The caller's identity is the document's; a DocumentDO can only report about itself.
    if (this.lmz.callContext.caller.instanceName !== docId) throw new InvalidRequestError('A document can only report its own changes');
    const row = this.svc.sql<DocRow>`
      UPDATE docs SET version = ${change.version}, words = ${change.words}, last_editor = ${change.lastEditor}, updated_at = ${Date.now()}
      WHERE id = ${docId} AND version < ${change.version} RETURNING *`[0];
    if (row) this.lmz.publish(DOCS_TOPIC, { kind: 'upsert', doc: toSummary(row) });
  }

  /** The listed document `docId`, or InvalidRequestError. */
  #row(docId: string): DocRow {
    if (typeof docId !== 'string') throw new InvalidRequestError('A document id must be a string');
    const row = this.svc.sql<DocRow>`SELECT * FROM docs WHERE id = ${docId}`[0];
    if (!row) throw new InvalidRequestError(`There is no document '${docId.slice(0, 40)}'`);
    return row;
  }

  /** How `created_by` names the calling user: the email claim, else the user id. */
  #caller(): string {
    const { originAuth } = this.lmz.callContext;
    const email = originAuth?.claims?.email;
    return typeof email === 'string' ? email : originAuth!.userId;
  }
}
