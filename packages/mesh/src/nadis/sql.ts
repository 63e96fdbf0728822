/**
 * The built-in `sql` service (spec §7.2): a template-literal tag whose interpolations become bound
 * parameters, plus numbered, idempotent schema migrations run once before first use.
 */
import { registerBuiltInService } from './registry.ts';

/** A row: column name → value. */
export type SqlRow = Record<string, SqlStorageValue>;

/**
 * A SQL template tag: each `${value}` is bound as a `?` parameter; returns row objects.
 * @example const rows = this.svc.sql`SELECT * FROM items WHERE id = ${id}`;
 */
export type SqlTag = <Row extends SqlRow = SqlRow>(strings: TemplateStringsArray, ...values: SqlStorageValue[]) => Row[];

/** One schema migration: SQL text, or a function that runs statements through the tag. */
export type SqlMigration = string | ((sql: SqlTag) => void);

/** A DO class may declare its migrations; entry `i` is schema version `i + 1`. */
export interface WithSqlMigrations {
  sqlMigrations?: readonly SqlMigration[];
}

const MIGRATIONS_TABLE = '__lmz_sql_migrations';
const tags = new WeakMap<object, SqlTag>();

function storageOf(doInstance: unknown): DurableObjectStorage | undefined {
  const ctx = (doInstance as { ctx?: { storage?: DurableObjectStorage } } | null)?.ctx;
  const storage = ctx?.storage;
  return storage && typeof storage.sql?.exec === 'function' ? storage : undefined;
}

function runMigrations(storage: DurableObjectStorage, tag: SqlTag, migrations: readonly SqlMigration[]): void {
  migrations.forEach((m, i) => {
    if (typeof m !== 'string' && typeof m !== 'function') throw new TypeError(`sqlMigrations[${i}] must be SQL text or a function (sql) => void`);
  });
  storage.sql.exec(`CREATE TABLE IF NOT EXISTS ${MIGRATIONS_TABLE} (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)`);
  const row = storage.sql.exec<{ v: number | null }>(`SELECT MAX(version) AS v FROM ${MIGRATIONS_TABLE}`).one();
  const current = row.v ?? 0;
  if (current > migrations.length) {
    throw new Error(`SQL schema version ${current} is newer than the ${migrations.length} migrations this code declares; migrations must never be removed`);
  }
  for (let version = current + 1; version <= migrations.length; version++) {
    const migration = migrations[version - 1];
    storage.transactionSync(() => {
      if (typeof migration === 'string') storage.sql.exec(migration);
      else migration(tag);
      storage.sql.exec(`INSERT INTO ${MIGRATIONS_TABLE} (version, applied_at) VALUES (?, ?)`, version, Date.now());
    });
  }
}

/**
 * The `sql` tag for any Durable Object with SQL storage (what `this.svc.sql` returns). Pending
 * `static sqlMigrations` of the object's class run once, before the first statement.
 * @example const rows = sql(this)`SELECT 1 AS one`;
 */
export function sql(doInstance: object): SqlTag {
  const cached = tags.get(doInstance);
  if (cached) return cached;
  const storage = storageOf(doInstance);
  if (!storage) throw new TypeError('sql() requires a Durable Object instance with ctx.storage.sql');
  const migrations = (doInstance.constructor as WithSqlMigrations | undefined)?.sqlMigrations;
  let migrated = !migrations || migrations.length === 0;
  const exec = <Row extends SqlRow>(strings: TemplateStringsArray, values: SqlStorageValue[]): Row[] => {
    if (!Array.isArray(strings) || !Array.isArray((strings as { raw?: unknown }).raw)) {
      throw new TypeError('sql is a template tag: write sql`SELECT * FROM t WHERE id = ${id}`, not sql(text)');
    }
    return storage.sql.exec<Row>(strings.join('?'), ...values).toArray();
  };
  const tag: SqlTag = <Row extends SqlRow = SqlRow>(strings: TemplateStringsArray, ...values: SqlStorageValue[]): Row[] => {
    if (!migrated) {
      runMigrations(storage, (s, ...v) => exec(s, v), migrations!);
      migrated = true;
    }
    return exec<Row>(strings, values);
  };
  tags.set(doInstance, tag);
  return tag;
}

declare global {
  interface LumenizeServices {
    /** Template-literal SQL with bound parameters; see docs/mesh.md#sql. */
    sql: SqlTag;
  }
}

registerBuiltInService('sql', sql);
