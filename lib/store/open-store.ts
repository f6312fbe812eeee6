import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { DatabaseSync } from 'node:sqlite';
import { Kysely, PostgresDialect, sql } from 'kysely';
import { Pool, types as pgTypes } from 'pg';
import { isMailCasesError, MailCasesError } from '../errors';
import { serverTextShown } from '../secret-echo';
import {
	describeStore,
	normalizeStoreConfig,
	storeCacheKey,
	storeSecrets,
	type NormalizedPostgresConfig,
	type NormalizedSqliteConfig,
	type NormalizedStoreConfig,
	type StoreConfig,
} from './config';
import { StoreContext } from './context';
import type { Database } from './db-types';
import {
	appliedMigrations,
	LATEST_SCHEMA_VERSION,
	migrate,
	pendingMigrations,
	type Backend,
	type Migration,
} from './migrations';
import { NodeSqliteDialect } from './node-sqlite-dialect';
import { ActivityRepository } from './repositories/activities';
import { CaseRepository } from './repositories/cases';
import { ContactRepository } from './repositories/contacts';
import { LedgerRepository } from './repositories/ledger';
import { SendClaimRepository } from './repositories/send-claims';
import { SendLimitRepository } from './repositories/send-limits';
import { OrgUnitRepository } from './repositories/org-units';
import { WorkflowRepository } from './repositories/workflows';
import { pgSslOptions } from './postgres-tls';
import { toStoreError } from './sql-errors';
import { loadCaseReferenceKey } from './store-secrets';
import type { CaseReferenceKey } from './case-reference-tag';

export interface StoreOptions {
	/** Clock for timestamps and the case-number year (tests). Default: the system clock. */
	now?: () => Date;
}

/** The case store: one API over SQLite and PostgreSQL. */
export interface Store {
	readonly backend: Backend;
	/** Where the store is (file or user@host:port/database), without secrets. */
	readonly description: string;
	readonly caseNumberFormat: string;
	readonly maxAttachmentBytesPerMail: number;
	readonly workflows: WorkflowRepository;
	readonly orgUnits: OrgUnitRepository;
	readonly contacts: ContactRepository;
	readonly cases: CaseRepository;
	readonly activities: ActivityRepository;
	readonly ledger: LedgerRepository;
	/** #11.6: mails per recipient within a period (acknowledgement rate limit). */
	readonly sendLimits: SendLimitRepository;
	/** #15.2: claims on sends that must happen once. */
	readonly sendClaims: SendClaimRepository;
	/**
	 * Issue #11.7: tags and checks signed case references with the store's secret (read once;
	 * the secret itself is never exposed).
	 */
	caseReferenceKey(): Promise<CaseReferenceKey>;
	/** Highest applied migration. */
	schemaVersion(): Promise<number>;
	countCases(): Promise<number>;
	/** Closes the pool / file. Stores from getStore() are closed by closeAllStores(). */
	close(): Promise<void>;
}

// node:sqlite is loaded on first use, so that merely importing the package on a Node without
// it (PostgreSQL only) does not fail.
function loadNodeSqlite(): typeof import('node:sqlite') {
	try {
		return process.getBuiltinModule('node:sqlite') as typeof import('node:sqlite');
	} catch (error) {
		throw new MailCasesError(
			'STORE_UNAVAILABLE',
			`The embedded SQLite store needs Node.js 22.13 or newer with node:sqlite (this is ${process.version}); use a PostgreSQL store instead`,
			{ cause: error },
		);
	}
}

function sqliteDialect(config: NormalizedSqliteConfig, where: string) {
	return new NodeSqliteDialect({
		busyTimeoutMs: config.busyTimeoutMs,
		busyError: (cause) => toStoreError(cause, where, 'wait for the write lock'),
		open: (): DatabaseSync => {
			const { DatabaseSync } = loadNodeSqlite();
			if (config.path !== ':memory:') mkdirSync(dirname(config.path), { recursive: true });
			// a short busy timeout: longer waits are retried asynchronously by the driver
			return new DatabaseSync(config.path, { timeout: 25 });
		},
		onOpen: (db) => {
			// WAL: readers never wait for the writer, and a second process can use the file.
			// synchronous=FULL: a committed case survives a power cut; the mail is deleted
			// from the server only after the commit (R-PLUS-1).
			if (config.path !== ':memory:') db.exec('PRAGMA journal_mode = WAL');
			db.exec('PRAGMA synchronous = FULL');
			db.exec('PRAGMA foreign_keys = ON');
		},
	});
}

const INT8_OID = 20;
const JSON_OID = 114;
const JSONB_OID = 3802;

function pgDialect(config: NormalizedPostgresConfig, onError: (error: Error) => void) {
	const pool = new Pool({
		host: config.host,
		port: config.port,
		database: config.database,
		user: config.user,
		password: config.password,
		ssl: pgSslOptions(config),
		max: config.poolSize,
		connectionTimeoutMillis: config.connectTimeoutMs,
		application_name: 'n8n-nodes-mail-cases',
		// For this pool only (n8n's own pg use is not touched): ids and counts are bigint, read
		// as numbers (they stay far below 2^53); json/jsonb come back as their text, exactly as
		// SQLite returns them, so one row mapper parses both.
		types: {
			getTypeParser: ((oid: number, format?: 'text' | 'binary') => {
				if (format !== 'binary' && oid === INT8_OID) return (value: string) => Number(value);
				if (format !== 'binary' && (oid === JSON_OID || oid === JSONB_OID))
					return (value: string) => value;
				return pgTypes.getTypeParser(oid, format as 'text');
			}) as typeof pgTypes.getTypeParser,
		},
	});
	// an idle client losing its connection must not crash the process
	pool.on('error', onError);
	return { pool, dialect: new PostgresDialect({ pool }) };
}

/** PostgreSQL insufficient_privilege (42501): permission denied, must be owner. */
function isInsufficientPrivilege(error: unknown): boolean {
	return !isMailCasesError(error) && (error as { code?: unknown } | null)?.code === '42501';
}

function serverText(error: unknown, config: NormalizedStoreConfig): string {
	const message = (error as { message?: unknown } | null)?.message;
	return serverTextShown(
		typeof message === 'string' ? message : String(error),
		storeSecrets(config),
	);
}

/** #15.4: the GRANTs of the application role (lib/store/README.md, "PostgreSQL roles"). */
function applicationGrants(schema: string, user: string): string {
	const s = `"${schema.replace(/"/g, '""')}"`;
	const u = `"${user.replace(/"/g, '""')}"`;
	return `GRANT USAGE ON SCHEMA ${s} TO ${u}; GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA ${s} TO ${u}; GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA ${s} TO ${u}`;
}

/**
 * #15.4: the role may not apply the migrations the store needs (not the owner of the schema and
 * its tables): which migrations are missing, and that the owner role must open the store once.
 */
async function migrationRightsError(
	db: Kysely<Database>,
	config: NormalizedStoreConfig,
	where: string,
	pending: Migration[],
	cause: unknown,
): Promise<MailCasesError> {
	const missing = pending.map((m) => `${m.version} (${m.name})`).join(', ');
	const plural = pending.length === 1 ? 'migration' : 'migrations';
	let owner = '';
	let role = '';
	if (config.kind === 'postgres') {
		role = ` "${config.user}"`;
		const found = await sql<{ owner: string }>`select pg_get_userbyid(nspowner) as owner
				from pg_catalog.pg_namespace where nspname = ${config.schema}`
			.execute(db)
			.catch(() => undefined);
		const name = found?.rows[0]?.owner;
		owner = name
			? `the role that owns schema "${config.schema}" ("${name}")`
			: `a role that may create schema "${config.schema}" and its tables`;
	} else {
		owner = 'a user that may write the file and its folder';
	}
	return new MailCasesError(
		'STORE_UNAVAILABLE',
		`${where} needs schema ${plural} ${missing} of this package version, and the role${role} may not apply ${pending.length === 1 ? 'it' : 'them'} (${serverText(cause, config)}). Open the store once with ${owner} — e.g. test a Mail Cases Store credential with that user — so that it applies the ${plural}; afterwards the application role works with its data rights alone.`,
		{ cause, details: { missingMigrations: pending.map((m) => m.version) } },
	);
}

/** #15.4: the role may not read the store's tables: the GRANTs it needs. */
function readRightsError(
	config: NormalizedPostgresConfig,
	where: string,
	cause: unknown,
): MailCasesError {
	return new MailCasesError(
		'STORE_UNAVAILABLE',
		`${where}: the role "${config.user}" may not use the store's tables (${serverText(cause, config)}). As the owner of schema "${config.schema}", grant the application role its rights: ${applicationGrants(config.schema, config.user)}`,
		{ cause },
	);
}

class StoreImpl implements Store {
	readonly workflows: WorkflowRepository;
	readonly orgUnits: OrgUnitRepository;
	readonly contacts: ContactRepository;
	readonly cases: CaseRepository;
	readonly activities: ActivityRepository;
	readonly ledger: LedgerRepository;
	readonly sendLimits: SendLimitRepository;
	readonly sendClaims: SendClaimRepository;
	private closed?: Promise<void>;
	private referenceKey?: Promise<CaseReferenceKey>;

	constructor(
		private readonly ctx: StoreContext,
		private readonly onClose: () => void,
	) {
		this.workflows = new WorkflowRepository(ctx);
		this.orgUnits = new OrgUnitRepository(ctx);
		this.contacts = new ContactRepository(ctx);
		this.cases = new CaseRepository(ctx);
		this.activities = new ActivityRepository(ctx);
		this.ledger = new LedgerRepository(ctx);
		this.sendLimits = new SendLimitRepository(ctx);
		this.sendClaims = new SendClaimRepository(ctx);
	}

	get backend(): Backend {
		return this.ctx.backend;
	}

	get description(): string {
		return this.ctx.where;
	}

	get caseNumberFormat(): string {
		return this.ctx.config.caseNumberFormat;
	}

	get maxAttachmentBytesPerMail(): number {
		return this.ctx.config.maxAttachmentBytesPerMail;
	}

	async caseReferenceKey(): Promise<CaseReferenceKey> {
		const pending = (this.referenceKey ??= loadCaseReferenceKey(this.ctx));
		// a failed read (store down) is not kept: the next call tries again
		pending.catch(() => {
			if (this.referenceKey === pending) this.referenceKey = undefined;
		});
		return await pending;
	}

	async schemaVersion(): Promise<number> {
		return await this.ctx.run('read the schema version', async (db) => {
			const row = await db
				.selectFrom('schema_migrations')
				.select((eb) => eb.fn.max('version').as('v'))
				.executeTakeFirst();
			return Number(row?.v ?? 0);
		});
	}

	async countCases(): Promise<number> {
		return await this.cases.count();
	}

	async close(): Promise<void> {
		this.closed ??= (async () => {
			this.onClose();
			this.ctx.closed = true;
			await this.ctx.db.destroy();
		})();
		await this.closed;
	}
}

async function open(
	config: NormalizedStoreConfig,
	options: StoreOptions,
	onClose: () => void,
): Promise<Store> {
	const where = describeStore(config);
	const backend: Backend = config.kind;
	let db: Kysely<Database>;
	if (config.kind === 'sqlite') {
		db = new Kysely<Database>({ dialect: sqliteDialect(config, where) });
	} else {
		const { dialect } = pgDialect(config, () => {
			/* the pool replaces the client; the next query reports a lasting problem */
		});
		// every table reference is qualified with the schema (works behind PgBouncer too)
		db = new Kysely<Database>({ dialect }).withSchema(config.schema);
	}
	const pgSchema = config.kind === 'postgres' ? config.schema : undefined;
	let step = 'read the schema version of the store';
	try {
		// #15.4: read the schema version first and migrate only when something is missing, so
		// that an application role with data rights only (no CREATE, not the owner) can open a
		// current store
		const applied = await appliedMigrations(db, backend, pgSchema);
		let version = Math.max(0, ...applied);
		const pending = pendingMigrations(applied);
		if (version <= LATEST_SCHEMA_VERSION && pending.length > 0) {
			step = 'apply its schema migrations';
			try {
				version = await migrate(db, backend, pgSchema);
			} catch (error) {
				if (isInsufficientPrivilege(error))
					throw await migrationRightsError(db, config, where, pending, error);
				throw error;
			}
		}
		if (version > LATEST_SCHEMA_VERSION) {
			throw new MailCasesError(
				'STORE_UNAVAILABLE',
				`${where} has schema version ${version}, newer than this package supports (${LATEST_SCHEMA_VERSION}); update n8n-nodes-mail-cases on every n8n instance and worker`,
			);
		}
	} catch (error) {
		const mapped =
			isInsufficientPrivilege(error) && config.kind === 'postgres'
				? readRightsError(config, where, error)
				: toStoreError(error, where, `open the store and ${step}`, storeSecrets(config));
		await db.destroy().catch(() => undefined);
		throw mapped;
	}
	const ctx = new StoreContext(db, backend, config, where, options.now ?? (() => new Date()));
	return new StoreImpl(ctx, onClose);
}

/**
 * Opens a store and applies missing migrations (safe when several processes do it at once).
 * The caller owns it and closes it. n8n nodes should use getStore() instead.
 */
export async function openStore(config: StoreConfig, options: StoreOptions = {}): Promise<Store> {
	return await open(normalizeStoreConfig(config), options, () => undefined);
}

const cache = new Map<string, Promise<Store>>();

/**
 * The process-wide store for a configuration: every n8n execution with the same settings
 * shares one connection pool / database handle. The first call opens (and migrates) it;
 * concurrent first calls wait for the same opening. A failed opening is not cached.
 */
export async function getStore(config: StoreConfig): Promise<Store> {
	const normalized = normalizeStoreConfig(config);
	const key = storeCacheKey(normalized);
	let pending = cache.get(key);
	if (!pending) {
		pending = open(normalized, {}, () => {
			if (cache.get(key) === pending) cache.delete(key);
		});
		cache.set(key, pending);
		pending.catch(() => {
			if (cache.get(key) === pending) cache.delete(key);
		});
	}
	return await pending;
}

/** Closes every store opened by getStore() (process shutdown, tests). */
export async function closeAllStores(): Promise<void> {
	const pending = [...cache.values()];
	cache.clear();
	const results = await Promise.allSettled(pending.map(async (p) => (await p).close()));
	const failed = results.find(
		(r) => r.status === 'rejected' && !(r.reason instanceof MailCasesError),
	);
	if (failed && failed.status === 'rejected') throw failed.reason;
}
