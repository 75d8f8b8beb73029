import { DatabaseSync, type SQLInputValue, type StatementSync } from "node:sqlite";
import {
  CompiledQuery,
  type DatabaseConnection,
  type Driver,
  type SqliteDatabase,
  SqliteDialect,
  SqliteDriver,
  type SqliteStatement,
} from "kysely";

const CACHE_LIMIT = 500;

/**
 * Presents node:sqlite's DatabaseSync in the better-sqlite3 shape Kysely's SqliteDialect expects,
 * with a prepared-statement cache (it doubles point reads).
 */
export class NodeSqliteDatabase implements SqliteDatabase {
  readonly raw: DatabaseSync;
  #cache = new Map<string, SqliteStatement>();

  constructor(path: string) {
    this.raw = new DatabaseSync(path);
    this.raw.exec("PRAGMA journal_mode = WAL");
    // Card state and money are written here: every commit reaches the disk before it is acknowledged.
    this.raw.exec("PRAGMA synchronous = FULL");
    this.raw.exec("PRAGMA foreign_keys = ON");
    this.raw.exec("PRAGMA busy_timeout = 5000");
    this.raw.exec("PRAGMA cache_size = -65536");
  }

  prepare(sql: string): SqliteStatement {
    const cached = this.#cache.get(sql);
    if (cached) return cached;
    const statement = wrap(this.raw.prepare(sql));
    if (this.#cache.size >= CACHE_LIMIT) this.#cache.delete(this.#cache.keys().next().value!);
    this.#cache.set(sql, statement);
    return statement;
  }

  close(): void {
    this.#cache.clear();
    if (this.raw.isOpen) this.raw.close();
  }
}

function wrap(statement: StatementSync): SqliteStatement {
  const reader = statement.columns().length > 0;
  return {
    reader,
    all: (params) => statement.all(...(params as SQLInputValue[])),
    run: (params) => statement.run(...(params as SQLInputValue[])),
    iterate: (params) => statement.iterate(...(params as SQLInputValue[])) as IterableIterator<unknown>,
  };
}

/** Write transactions take the database lock at BEGIN, so two writers never deadlock on upgrade. */
class ImmediateSqliteDriver extends SqliteDriver {
  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw("begin immediate"));
  }
}

/** SqliteDialect over node:sqlite with BEGIN IMMEDIATE transactions. */
export class NodeSqliteDialect extends SqliteDialect {
  #database: NodeSqliteDatabase;

  constructor(database: NodeSqliteDatabase) {
    super({ database });
    this.#database = database;
  }

  override createDriver(): Driver {
    return new ImmediateSqliteDriver({ database: this.#database });
  }
}
