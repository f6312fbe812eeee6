import { createHash, X509Certificate } from 'node:crypto';
import { homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { DEFAULT_CASE_NUMBER_FORMAT, parseCaseNumberFormat } from './case-number-format';
import { MailCasesError } from '../errors';

/** Settings shared by both backends. */
export interface StoreCommonConfig {
	/** Case number format, see lib/store/case-number-format.ts. Default `{YYYY}-{SEQ:6}`. */
	caseNumberFormat?: string;
	/** Upper limit for the attachment content of one mail, in bytes. Default 25 MiB. */
	maxAttachmentBytesPerMail?: number;
}

export interface SqliteStoreConfig extends StoreCommonConfig {
	kind: 'sqlite';
	/** Database file. Default: see defaultSqlitePath(). `:memory:` for a private in-memory store. */
	path?: string;
	/** How long a write waits for another process's write lock. Default 15000 ms. */
	busyTimeoutMs?: number;
}

/**
 * TLS to PostgreSQL. 'disable': plain TCP. 'require': encrypted, the certificate is not checked
 * (protects against eavesdroppers, not against a server that pretends to be the store).
 * 'verify': encrypted, the certificate must chain to a trusted CA and name the host.
 */
export type PostgresSslMode = 'disable' | 'require' | 'verify';

export interface PostgresStoreConfig extends StoreCommonConfig {
	kind: 'postgres';
	host: string;
	/** Default 5432. */
	port?: number;
	database: string;
	user: string;
	password?: string;
	/** TLS to the server (issue #11.8); default 'disable'. See PostgresSslMode. */
	ssl?: PostgresSslMode;
	/**
	 * For 'verify': PEM of the CA certificate(s) to trust. They replace Node's list of public
	 * CAs for this connection; empty = the public CAs.
	 */
	caPem?: string;
	/** Schema that holds the tables; created on first use. Default `mail_cases`. */
	schema?: string;
	/** Connections in the pool. Default 10. */
	poolSize?: number;
	/** How long to wait for a connection. Default 10000 ms. */
	connectTimeoutMs?: number;
}

export type StoreConfig = SqliteStoreConfig | PostgresStoreConfig;

export const DEFAULT_MAX_ATTACHMENT_BYTES_PER_MAIL = 25 * 1024 * 1024;
export const DEFAULT_PG_SCHEMA = 'mail_cases';
export const DEFAULT_SQLITE_BUSY_TIMEOUT_MS = 15_000;
export const SQLITE_FILE_NAME = 'mail-cases.sqlite';

/**
 * Where the embedded store lives when no path is configured: next to n8n's own data,
 * `$N8N_USER_FOLDER/.n8n/mail-cases.sqlite`, or `~/.n8n/mail-cases.sqlite` when
 * N8N_USER_FOLDER is not set (the same rule n8n uses for its own folder).
 */
export function defaultSqlitePath(
	env: NodeJS.ProcessEnv = process.env,
	home: string = homedir(),
): string {
	const userFolder = env.N8N_USER_FOLDER?.trim();
	return join(userFolder ? userFolder : home, '.n8n', SQLITE_FILE_NAME);
}

export type NormalizedSqliteConfig = Required<Omit<SqliteStoreConfig, keyof StoreCommonConfig>> &
	Required<StoreCommonConfig>;
export type NormalizedPostgresConfig = Omit<Required<PostgresStoreConfig>, 'password' | 'caPem'> & {
	password?: string;
	/** Only with ssl 'verify'. */
	caPem?: string;
} & Required<StoreCommonConfig>;
export type NormalizedStoreConfig = NormalizedSqliteConfig | NormalizedPostgresConfig;

const SCHEMA_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

function positiveInteger(value: unknown, name: string, fallback: number): number {
	if (value === undefined || value === null) return fallback;
	if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0) {
		throw new MailCasesError(
			'INVALID_INPUT',
			`Store setting ${name} must be a positive whole number, got ${String(value)}`,
		);
	}
	return value;
}

const SSL_MODES: readonly PostgresSslMode[] = ['disable', 'require', 'verify'];

/** The TLS part of a PostgreSQL configuration: a known mode, and a CA only for 'verify'. */
function postgresTls(config: PostgresStoreConfig): { ssl: PostgresSslMode; caPem?: string } {
	const ssl = config.ssl ?? 'disable';
	if (!SSL_MODES.includes(ssl)) {
		throw new MailCasesError(
			'INVALID_INPUT',
			`PostgreSQL store on ${config.host}: SSL must be "disable", "require" or "verify", got "${String(ssl)}"`,
		);
	}
	const caPem = config.caPem?.trim();
	if (ssl !== 'verify' || !caPem) return { ssl };
	try {
		new X509Certificate(caPem); // reads the first certificate; a bundle may hold more
	} catch (error) {
		throw new MailCasesError(
			'INVALID_INPUT',
			`PostgreSQL store on ${config.host}: the CA certificate is not a PEM certificate. Paste the CA's certificate from -----BEGIN CERTIFICATE----- to -----END CERTIFICATE-----, or leave the field empty to trust the public CAs.`,
			{ cause: error },
		);
	}
	return { ssl, caPem };
}

/** Checks a configuration and fills in the defaults. */
export function normalizeStoreConfig(config: StoreConfig): NormalizedStoreConfig {
	if (!config || typeof config !== 'object') {
		throw new MailCasesError('INVALID_INPUT', 'Store configuration is missing');
	}
	const caseNumberFormat = config.caseNumberFormat?.trim() || DEFAULT_CASE_NUMBER_FORMAT;
	parseCaseNumberFormat(caseNumberFormat); // throws INVALID_INPUT for a bad format
	const common = {
		caseNumberFormat,
		maxAttachmentBytesPerMail: positiveInteger(
			config.maxAttachmentBytesPerMail,
			'maxAttachmentBytesPerMail',
			DEFAULT_MAX_ATTACHMENT_BYTES_PER_MAIL,
		),
	};
	if (config.kind === 'sqlite') {
		const raw = config.path?.trim();
		const path = !raw
			? defaultSqlitePath()
			: raw === ':memory:' || isAbsolute(raw)
				? raw
				: resolve(raw);
		return {
			kind: 'sqlite',
			path,
			busyTimeoutMs: positiveInteger(
				config.busyTimeoutMs,
				'busyTimeoutMs',
				DEFAULT_SQLITE_BUSY_TIMEOUT_MS,
			),
			...common,
		};
	}
	if (config.kind === 'postgres') {
		if (!config.host?.trim())
			throw new MailCasesError('INVALID_INPUT', 'PostgreSQL store: host is required');
		if (!config.database?.trim()) {
			throw new MailCasesError(
				'INVALID_INPUT',
				`PostgreSQL store on ${config.host}: database is required`,
			);
		}
		if (!config.user?.trim()) {
			throw new MailCasesError(
				'INVALID_INPUT',
				`PostgreSQL store on ${config.host}: user is required`,
			);
		}
		const schema = config.schema?.trim() || DEFAULT_PG_SCHEMA;
		if (!SCHEMA_NAME.test(schema)) {
			throw new MailCasesError(
				'INVALID_INPUT',
				`PostgreSQL schema name "${schema}" is not allowed: use letters, digits and _ (at most 63, not starting with a digit)`,
			);
		}
		return {
			kind: 'postgres',
			host: config.host.trim(),
			port: positiveInteger(config.port, 'port', 5432),
			database: config.database.trim(),
			user: config.user.trim(),
			password: config.password,
			...postgresTls(config),
			schema,
			poolSize: positiveInteger(config.poolSize, 'poolSize', 10),
			connectTimeoutMs: positiveInteger(config.connectTimeoutMs, 'connectTimeoutMs', 10_000),
			...common,
		};
	}
	throw new MailCasesError(
		'INVALID_INPUT',
		`Store kind must be "sqlite" or "postgres", got "${String((config as { kind?: unknown }).kind)}"`,
	);
}

/** Cache key of a normalised configuration (a hash, so the password is not kept in a key). */
export function storeCacheKey(config: NormalizedStoreConfig): string {
	const ordered = Object.keys(config)
		.sort()
		.map((key) => [key, (config as unknown as Record<string, unknown>)[key]]);
	return createHash('sha256').update(JSON.stringify(ordered)).digest('hex');
}

/** What a message about the store must never show (see lib/secret-echo.ts). */
export function storeSecrets(config: NormalizedStoreConfig): Array<string | undefined> {
	return config.kind === 'postgres' ? [config.password] : [];
}

/** Where the store is, for messages: never contains the password. */
export function describeStore(config: NormalizedStoreConfig): string {
	return config.kind === 'sqlite'
		? `SQLite store ${config.path}`
		: `PostgreSQL store ${config.user}@${config.host}:${config.port}/${config.database} (schema ${config.schema})`;
}
