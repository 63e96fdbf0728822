/** Internal: a thin synchronous wrapper over `ctx.storage.sql` used by the auth stores. */

export type SqlValue = string | number | null;

/** Synchronous SQL access: no await can slip between a read and the write that depends on it. */
export interface Sql {
  /** Rows of a query as plain objects. */
  all<T extends Record<string, SqlValue>>(query: string, ...params: SqlValue[]): T[];
  /** First row or `undefined`. */
  one<T extends Record<string, SqlValue>>(query: string, ...params: SqlValue[]): T | undefined;
  /** Runs a statement (use `RETURNING` with `all` when you need the affected rows). */
  run(query: string, ...params: SqlValue[]): void;
}

export function wrapSql(storage: SqlStorage): Sql {
  return {
    all: <T extends Record<string, SqlValue>>(query: string, ...params: SqlValue[]) => storage.exec<T>(query, ...params).toArray(),
    one: <T extends Record<string, SqlValue>>(query: string, ...params: SqlValue[]): T | undefined => storage.exec<T>(query, ...params).toArray()[0],
    run: (query: string, ...params: SqlValue[]) => {
      storage.exec(query, ...params);
    },
  };
}
