import type { DatabaseSync, StatementSync } from 'node:sqlite';
import {
	CompiledQuery,
	SelectQueryNode,
	SqliteAdapter,
	SqliteIntrospector,
	SqliteQueryCompiler,
	type DatabaseConnection,
	type DatabaseIntrospector,
	type Dialect,
	type DialectAdapter,
	type Driver,
	type Kysely,
	type QueryCompiler,
	type QueryResult,
	type TransactionSettings,
} from 'kysely';

/**
 * A Kysely dialect for Node's built-in `node:sqlite` (DatabaseSync). Kysely 0.28 ships a
 * SqliteDialect for better-sqlite3 only; this driver reuses Kysely's SQLite query compiler,
 * adapter and introspector, so SQLite and PostgreSQL share one query code path.
 *
 * What this driver adds over Kysely's own SQLite driver:
 * - Write transactions start with `BEGIN IMMEDIATE`: the write lock is taken up front, so a
 *   transaction never fails half-way with SQLITE_BUSY when a second process writes the same
 *   file (a deferred transaction that reads first and writes later cannot wait for the lock).
 * - node:sqlite is synchronous. SQLite's own busy handler would block the event loop while it
 *   waits, so `busy_timeout` is kept short and SQLITE_BUSY on BEGIN (and on statements outside
 *   a transaction) is retried asynchronously with a small random back-off until `busyTimeoutMs`
 *   has passed. Another store on the same file in the same process can therefore finish its
 *   transaction while this one waits.
 * - Parameters: booleans become 0/1, Dates ISO-8601 text, undefined NULL. BLOBs come back as
 *   Buffer (node:sqlite returns Uint8Array).
 * - One connection (SQLite has one writer anyway); an async mutex hands it to one Kysely
 *   transaction or query at a time. Prepared statements are cached per SQL text.
 */
export interface NodeSqliteDialectConfig {
	/** Opens the database (called once, lazily, by the driver's init). */
	open: () => DatabaseSync;
	/** How long to keep retrying while another connection holds the write lock. */
	busyTimeoutMs: number;
	/** Called with the open database before the first query (pragmas). */
	onOpen?: (db: DatabaseSync) => void;
	/** Builds the error thrown when the lock could not be had within busyTimeoutMs. */
	busyError?: (cause: unknown) => Error;
}

export class NodeSqliteDialect implements Dialect {
	constructor(private readonly config: NodeSqliteDialectConfig) {}

	createDriver(): Driver {
		return new NodeSqliteDriver(this.config);
	}

	createQueryCompiler(): QueryCompiler {
		return new SqliteQueryCompiler();
	}

	createAdapter(): DialectAdapter {
		return new SqliteAdapter();
	}

	// eslint-disable-next-line @typescript-eslint/no-explicit-any
	createIntrospector(db: Kysely<any>): DatabaseIntrospector {
		return new SqliteIntrospector(db);
	}
}

const SQLITE_BUSY = 5;
const SQLITE_LOCKED = 6;

/** True for SQLITE_BUSY / SQLITE_LOCKED and their extended codes. */
export function isSqliteBusy(error: unknown): boolean {
	const code = (error as { errcode?: unknown } | null)?.errcode;
	if (typeof code !== 'number') return false;
	const primary = code & 0xff;
	return primary === SQLITE_BUSY || primary === SQLITE_LOCKED;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Runs a synchronous SQLite call, retrying asynchronously while the database is busy. */
export async function retryWhileBusy<T>(
	fn: () => T,
	busyTimeoutMs: number,
	busyError?: (cause: unknown) => Error,
): Promise<T> {
	const deadline = Date.now() + busyTimeoutMs;
	let pause = 2;
	for (;;) {
		try {
			return fn();
		} catch (error) {
			if (!isSqliteBusy(error)) throw error;
			if (Date.now() >= deadline) throw busyError ? busyError(error) : error;
			await sleep(pause / 2 + Math.random() * pause);
			pause = Math.min(pause * 2, 50);
		}
	}
}

const STATEMENT_CACHE_SIZE = 200;

class NodeSqliteDriver implements Driver {
	private db?: DatabaseSync;
	private connection?: NodeSqliteConnection;
	private readonly mutex = new Mutex();

	constructor(private readonly config: NodeSqliteDialectConfig) {}

	async init(): Promise<void> {
		const db = this.config.open();
		this.db = db;
		if (this.config.onOpen) {
			// switching to WAL needs a moment of exclusive access: wait for other connections
			await retryWhileBusy(
				() => this.config.onOpen!(db),
				this.config.busyTimeoutMs,
				this.config.busyError,
			);
		}
		this.connection = new NodeSqliteConnection(this.db, this.config);
	}

	async acquireConnection(): Promise<DatabaseConnection> {
		await this.mutex.lock();
		return this.connection!;
	}

	/** Every transaction of the store writes, so every one takes the write lock up front. The
	 * requested isolation level does not apply: SQLite transactions are serializable. */
	async beginTransaction(
		connection: DatabaseConnection,
		settings: TransactionSettings,
	): Promise<void> {
		if (settings.accessMode === 'read only') {
			await connection.executeQuery(CompiledQuery.raw('BEGIN DEFERRED'));
			return;
		}
		await (connection as NodeSqliteConnection).begin('BEGIN IMMEDIATE');
	}

	async commitTransaction(connection: DatabaseConnection): Promise<void> {
		await connection.executeQuery(CompiledQuery.raw('COMMIT'));
	}

	async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
		// SQLite rolls back by itself after some errors (SQLITE_FULL, SQLITE_IOERR, ...);
		// a second ROLLBACK would then hide the original error.
		if (this.db && inTransaction(this.db) !== false) {
			try {
				await connection.executeQuery(CompiledQuery.raw('ROLLBACK'));
			} catch (error) {
				if (!/no transaction is active/i.test(String((error as Error)?.message))) throw error;
			}
		}
	}

	async savepoint(connection: DatabaseConnection, name: string): Promise<void> {
		await connection.executeQuery(CompiledQuery.raw(`SAVEPOINT "${name.replace(/"/g, '""')}"`));
	}

	async rollbackToSavepoint(connection: DatabaseConnection, name: string): Promise<void> {
		await connection.executeQuery(CompiledQuery.raw(`ROLLBACK TO "${name.replace(/"/g, '""')}"`));
	}

	async releaseSavepoint(connection: DatabaseConnection, name: string): Promise<void> {
		await connection.executeQuery(CompiledQuery.raw(`RELEASE "${name.replace(/"/g, '""')}"`));
	}

	async releaseConnection(): Promise<void> {
		this.mutex.unlock();
	}

	async destroy(): Promise<void> {
		this.connection?.clear();
		const db = this.db;
		this.db = undefined;
		if (!db || (db as { isOpen?: unknown }).isOpen === false) return;
		try {
			db.close();
		} catch (error) {
			if (!/not open/i.test(String((error as Error)?.message))) throw error;
		}
	}
}

/** `isTransaction` exists from Node 22.16 / 24; undefined means "cannot tell". */
function inTransaction(db: DatabaseSync): boolean | undefined {
	const value = (db as { isTransaction?: unknown }).isTransaction;
	return typeof value === 'boolean' ? value : undefined;
}

/** Whether a statement yields rows (SELECT, ... RETURNING, PRAGMA with a result). */
function returnsRows(stmt: StatementSync, sql: string): boolean {
	if (typeof stmt.columns === 'function') return stmt.columns().length > 0;
	// Node < 22.16 has no columns(): decide from the SQL text
	return /^\s*(select|with|pragma|values)\b/i.test(sql) || /\breturning\b/i.test(sql);
}

function toSqliteParameter(value: unknown): unknown {
	if (value === undefined) return null;
	if (typeof value === 'boolean') return value ? 1 : 0;
	if (value instanceof Date) return value.toISOString();
	return value;
}

function fromSqliteRow(row: Record<string, unknown>): Record<string, unknown> {
	const out: Record<string, unknown> = {};
	for (const key of Object.keys(row)) {
		const value = row[key];
		out[key] =
			value instanceof Uint8Array && !Buffer.isBuffer(value)
				? Buffer.from(value.buffer, value.byteOffset, value.byteLength)
				: value;
	}
	return out;
}

class NodeSqliteConnection implements DatabaseConnection {
	private readonly statements = new Map<string, { stmt: StatementSync; reader: boolean }>();

	constructor(
		private readonly db: DatabaseSync,
		private readonly config: NodeSqliteDialectConfig,
	) {}

	async begin(statement: string): Promise<void> {
		await retryWhileBusy(
			() => this.db.exec(statement),
			this.config.busyTimeoutMs,
			this.config.busyError,
		);
	}

	private prepare(sql: string): { stmt: StatementSync; reader: boolean } {
		let entry = this.statements.get(sql);
		if (entry) {
			// keep the map in least-recently-used order
			this.statements.delete(sql);
			this.statements.set(sql, entry);
			return entry;
		}
		const stmt = this.db.prepare(sql);
		entry = { stmt, reader: returnsRows(stmt, sql) };
		this.statements.set(sql, entry);
		if (this.statements.size > STATEMENT_CACHE_SIZE) {
			const oldest = this.statements.keys().next().value as string;
			this.statements.delete(oldest);
		}
		return entry;
	}

	async executeQuery<R>(compiledQuery: CompiledQuery): Promise<QueryResult<R>> {
		const run = () => this.executeSync<R>(compiledQuery);
		// Outside a transaction a statement may meet a lock held by another connection; inside
		// one (BEGIN IMMEDIATE) the lock is already ours.
		if (inTransaction(this.db) === true) return run();
		return await retryWhileBusy(run, this.config.busyTimeoutMs, this.config.busyError);
	}

	private executeSync<R>(compiledQuery: CompiledQuery): QueryResult<R> {
		const { sql, parameters } = compiledQuery;
		const params = parameters.map(toSqliteParameter) as never[];
		if (params.length === 0 && /^\s*(BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE)\b/i.test(sql)) {
			this.db.exec(sql);
			return { rows: [] };
		}
		const { stmt, reader } = this.prepare(sql);
		if (reader) {
			const rows = stmt.all(...params) as Record<string, unknown>[];
			const result: QueryResult<R> = { rows: rows.map(fromSqliteRow) as R[] };
			// INSERT/UPDATE/DELETE ... RETURNING: report the affected rows too
			if (!/^\s*(SELECT|WITH)\b/i.test(sql)) {
				return { ...result, numAffectedRows: BigInt(rows.length) };
			}
			return result;
		}
		const { changes, lastInsertRowid } = stmt.run(...params);
		return {
			rows: [],
			numAffectedRows: BigInt(changes),
			insertId: BigInt(lastInsertRowid),
		};
	}

	async *streamQuery<R>(compiledQuery: CompiledQuery): AsyncIterableIterator<QueryResult<R>> {
		if (!SelectQueryNode.is(compiledQuery.query)) {
			throw new Error('The node:sqlite driver streams SELECT queries only');
		}
		const { stmt } = this.prepare(compiledQuery.sql);
		const params = compiledQuery.parameters.map(toSqliteParameter) as never[];
		for (const row of stmt.iterate(...params)) {
			yield { rows: [fromSqliteRow(row as Record<string, unknown>) as R] };
		}
	}

	clear(): void {
		this.statements.clear();
	}
}

/** FIFO async mutex: one Kysely connection user at a time. */
class Mutex {
	private locked = false;
	private readonly waiters: Array<() => void> = [];

	async lock(): Promise<void> {
		if (!this.locked) {
			this.locked = true;
			return;
		}
		await new Promise<void>((resolve) => this.waiters.push(resolve));
	}

	unlock(): void {
		const next = this.waiters.shift();
		if (next) next();
		else this.locked = false;
	}
}
