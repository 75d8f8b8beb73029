import { DatabaseSync, type SQLInputValue, type StatementSync } from "node:sqlite";
import { setTimeout as sleep } from "node:timers/promises";
import {
  CompiledQuery,
  type DatabaseConnection,
  type DatabaseIntrospector,
  type Dialect,
  type DialectAdapter,
  type Driver,
  type Kysely,
  type QueryCompiler,
  type QueryResult,
  SelectQueryNode,
  SqliteAdapter,
  SqliteIntrospector,
  SqliteQueryCompiler,
} from "kysely";

const CACHE_LIMIT = 500;
/** How long a write waits for another process's write transaction before it fails, as busy_timeout did. */
const WRITE_WAIT_MS = 5_000;

type Statement = { reader: boolean; raw: StatementSync };

/** One node:sqlite connection (WAL, synchronous=FULL) with a prepared-statement cache (it doubles point reads). */
export class NodeSqliteDatabase {
  readonly raw: DatabaseSync;
  #cache = new Map<string, Statement>();

  constructor(path: string, options: { readOnly?: boolean } = {}) {
    this.raw = new DatabaseSync(path);
    this.raw.exec(`PRAGMA busy_timeout = ${WRITE_WAIT_MS}`);
    this.raw.exec("PRAGMA journal_mode = WAL");
    // Card state and money are written here: every commit reaches the disk before it is acknowledged.
    this.raw.exec("PRAGMA synchronous = FULL");
    this.raw.exec("PRAGMA foreign_keys = ON");
    this.raw.exec("PRAGMA cache_size = -65536");
    // The writer never sleeps in SQLite's busy handler (that would stop this process's event loop):
    // it waits for another process's write transaction asynchronously (NodeSqliteDriver.begin).
    this.raw.exec(`PRAGMA busy_timeout = ${options.readOnly ? WRITE_WAIT_MS : 0}`);
    if (options.readOnly) this.raw.exec("PRAGMA query_only = ON");
  }

  prepare(sql: string): Statement {
    const cached = this.#cache.get(sql);
    if (cached) return cached;
    const raw = this.raw.prepare(sql);
    const statement: Statement = { reader: raw.columns().length > 0, raw };
    if (this.#cache.size >= CACHE_LIMIT) this.#cache.delete(this.#cache.keys().next().value!);
    this.#cache.set(sql, statement);
    return statement;
  }

  execute<R>(sql: string, parameters: readonly unknown[]): QueryResult<R> {
    const statement = this.prepare(sql);
    const params = parameters as SQLInputValue[];
    if (statement.reader) return { rows: statement.raw.all(...params) as R[] };
    const { changes, lastInsertRowid } = statement.raw.run(...params);
    return { insertId: BigInt(lastInsertRowid), numAffectedRows: BigInt(changes), rows: [] };
  }

  close(): void {
    this.#cache.clear();
    if (this.raw.isOpen) this.raw.close();
  }
}

const quoted = (name: string) => `"${name.replaceAll('"', '""')}"`;
/** SQLITE_BUSY (any extended code): another connection holds the write lock. */
export const isSqliteBusy = (err: unknown) => ((err as { errcode?: number })?.errcode ?? 0) % 256 === 5;

/**
 * Two connections to one database file: reads outside a transaction go to a read-only connection and
 * never wait; every write (a transaction, or a single statement wrapped in one) goes to the writer,
 * one at a time in this process, beginning with BEGIN IMMEDIATE. When another process holds the write
 * lock, the writer waits asynchronously, so this process goes on reading and serving meanwhile. An
 * in-memory database has one connection, and its reads wait for the writer like its writes.
 */
export class NodeSqliteDriver implements Driver {
  readonly writer: NodeSqliteDatabase;
  readonly reader: NodeSqliteDatabase;
  #queue: (() => void)[] = [];
  #held = false;

  constructor(path: string) {
    this.writer = new NodeSqliteDatabase(path);
    this.reader = path === ":memory:" ? this.writer : new NodeSqliteDatabase(path, { readOnly: true });
  }

  async init(): Promise<void> {}

  async acquireConnection(): Promise<DatabaseConnection> {
    return new NodeSqliteConnection(this);
  }

  /** Takes this process's writer (in order of asking). */
  async lock(): Promise<void> {
    if (!this.#held) {
      this.#held = true;
      return;
    }
    await new Promise<void>((resolve) => this.#queue.push(resolve));
  }

  unlock(): void {
    const next = this.#queue.shift();
    if (next) next();
    else this.#held = false;
  }

  /** BEGIN IMMEDIATE on the writer (already locked), waiting without blocking while another process writes. */
  async begin(): Promise<void> {
    const deadline = Date.now() + WRITE_WAIT_MS;
    for (;;) {
      try {
        this.writer.raw.exec("BEGIN IMMEDIATE");
        return;
      } catch (err) {
        if (!isSqliteBusy(err) || Date.now() > deadline) throw err;
        await sleep(1);
      }
    }
  }

  async beginTransaction(connection: DatabaseConnection): Promise<void> {
    const c = connection as NodeSqliteConnection;
    await this.lock();
    try {
      await this.begin();
    } catch (err) {
      this.unlock();
      throw err;
    }
    c.inTransaction = true;
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    // On failure Kysely rolls back next, which ends the transaction and unlocks.
    this.writer.raw.exec("COMMIT");
    this.#end(connection);
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    try {
      if (this.writer.raw.isTransaction) this.writer.raw.exec("ROLLBACK");
    } finally {
      this.#end(connection);
    }
  }

  #end(connection: DatabaseConnection) {
    const c = connection as NodeSqliteConnection;
    if (!c.inTransaction) return;
    c.inTransaction = false;
    this.unlock();
  }

  async savepoint(connection: DatabaseConnection, name: string) {
    await connection.executeQuery(CompiledQuery.raw(`savepoint ${quoted(name)}`));
  }

  async rollbackToSavepoint(connection: DatabaseConnection, name: string) {
    await connection.executeQuery(CompiledQuery.raw(`rollback to savepoint ${quoted(name)}`));
  }

  async releaseSavepoint(connection: DatabaseConnection, name: string) {
    await connection.executeQuery(CompiledQuery.raw(`release savepoint ${quoted(name)}`));
  }

  async releaseConnection(connection: DatabaseConnection): Promise<void> {
    // A transaction left open (its callback never returned) must not keep the writer forever.
    if ((connection as NodeSqliteConnection).inTransaction) await this.rollbackTransaction(connection);
  }

  async destroy(): Promise<void> {
    if (this.reader !== this.writer) this.reader.close();
    this.writer.close();
  }
}

/** A unit of work's connection: in a transaction, the writer; otherwise each statement goes where it belongs. */
class NodeSqliteConnection implements DatabaseConnection {
  inTransaction = false;
  readonly #driver: NodeSqliteDriver;

  constructor(driver: NodeSqliteDriver) {
    this.#driver = driver;
  }

  async executeQuery<R>(compiled: CompiledQuery): Promise<QueryResult<R>> {
    const driver = this.#driver;
    const { sql, parameters } = compiled;
    if (this.inTransaction) return driver.writer.execute<R>(sql, parameters);
    const read = SelectQueryNode.is(compiled.query) || /^\s*select\b/i.test(sql);
    if (read && driver.reader !== driver.writer) return driver.reader.execute<R>(sql, parameters);
    if (read || /^\s*pragma\b/i.test(sql)) {
      // Reads of an in-memory database, and pragmas, run as they are, while no transaction is open.
      await driver.lock();
      try {
        return driver.writer.execute<R>(sql, parameters);
      } finally {
        driver.unlock();
      }
    }
    // A single write: in a transaction of its own, like any other.
    await driver.beginTransaction(this);
    try {
      const result = driver.writer.execute<R>(sql, parameters);
      await driver.commitTransaction(this);
      return result;
    } catch (err) {
      await driver.rollbackTransaction(this);
      throw err;
    }
  }

  async *streamQuery<R>(compiled: CompiledQuery): AsyncIterableIterator<QueryResult<R>> {
    if (!SelectQueryNode.is(compiled.query)) throw new Error("only select queries can be streamed");
    const db = this.inTransaction ? this.#driver.writer : this.#driver.reader;
    for (const row of db.prepare(compiled.sql).raw.iterate(...(compiled.parameters as SQLInputValue[])))
      yield { rows: [row as R] };
  }
}

/** Kysely's SQLite adapter, told that reads and writes have connections of their own. */
class NodeSqliteAdapter extends SqliteAdapter {
  override get supportsMultipleConnections(): boolean {
    return true;
  }
}

/** Kysely's SQLite dialect over node:sqlite: a reader and a writer connection, BEGIN IMMEDIATE transactions. */
export class NodeSqliteDialect implements Dialect {
  readonly #path: string;

  constructor(path: string) {
    this.#path = path;
  }

  createDriver(): Driver {
    return new NodeSqliteDriver(this.#path);
  }

  createQueryCompiler(): QueryCompiler {
    return new SqliteQueryCompiler();
  }

  createAdapter(): DialectAdapter {
    return new NodeSqliteAdapter();
  }

  createIntrospector(db: Kysely<unknown>): DatabaseIntrospector {
    return new SqliteIntrospector(db);
  }
}
