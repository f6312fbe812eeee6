import { isMailCasesError, MailCasesError } from '../errors';
import { serverTextShown } from '../secret-echo';
import { isSqliteBusy } from './node-sqlite-dialect';
import { pgTlsError } from './postgres-tls';

/** A unique-constraint violation (PostgreSQL 23505, SQLite SQLITE_CONSTRAINT_UNIQUE / PRIMARYKEY). */
export function isUniqueViolation(error: unknown): boolean {
	const e = error as { code?: unknown; errcode?: unknown } | null;
	if (!e) return false;
	if (e.code === '23505') return true;
	return e.errcode === 2067 || e.errcode === 1555;
}

/** A foreign-key violation (PostgreSQL 23503, SQLite SQLITE_CONSTRAINT_FOREIGNKEY). */
export function isForeignKeyViolation(error: unknown): boolean {
	const e = error as { code?: unknown; errcode?: unknown } | null;
	if (!e) return false;
	return e.code === '23503' || e.errcode === 787;
}

const CONNECTION_CODES = new Set([
	'ECONNREFUSED',
	'ECONNRESET',
	'ENOTFOUND',
	'EAI_AGAIN',
	'ETIMEDOUT',
	'EHOSTUNREACH',
	'ENETUNREACH',
	'EPIPE',
	'57P01', // admin_shutdown
	'57P02',
	'57P03', // cannot_connect_now
	'53300', // too_many_connections
	'08000',
	'08003',
	'08006',
	'08001',
	'08004',
	'28P01', // invalid_password
	'28000', // invalid_authorization_specification
	'3D000', // database does not exist
]);

function connectionProblem(error: unknown): string | undefined {
	const e = error as { code?: unknown; message?: unknown } | null;
	if (!e) return undefined;
	const code = typeof e.code === 'string' ? e.code : undefined;
	const message = typeof e.message === 'string' ? e.message : '';
	if (code === 'ECONNREFUSED')
		return 'the server refused the connection (is PostgreSQL running on that host and port?)';
	if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return 'the host name could not be resolved';
	if (code === '28000' && /no pg_hba\.conf entry/i.test(message)) {
		// PostgreSQL 13+: "..., no encryption"; older: "..., SSL off"
		return /no encryption|SSL off/i.test(message)
			? 'the server accepts this user and database only over TLS (pg_hba.conf); set SSL to "Verify" (or "Require")'
			: "the server's pg_hba.conf has no entry for this client, user and database";
	}
	if (code === '28P01' || code === '28000') return 'the server rejected the user name or password';
	if (code === '3D000') return 'the database does not exist';
	if (code === '53300') return 'the server has no free connections';
	if (/timeout/i.test(message) && /connect/i.test(message)) return 'the connection timed out';
	if (/Connection terminated/i.test(message)) return 'the connection was closed by the server';
	if (code && CONNECTION_CODES.has(code)) return `the connection failed (${code})`;
	return undefined;
}

/**
 * Turns a driver error into a MailCasesError. `where` names the store (host, port, user,
 * database, or the SQLite file), never the password. Driver messages are kept only for SQLite
 * and for PostgreSQL SQL errors, and only when they do not contain one of `secrets` (the store
 * password) in any form (lib/secret-echo.ts).
 */
export function toStoreError(
	error: unknown,
	where: string,
	action: string,
	secrets: ReadonlyArray<string | undefined> = [],
): MailCasesError {
	if (isMailCasesError(error)) return error;
	if (isSqliteBusy(error)) {
		return new MailCasesError(
			'STORE_UNAVAILABLE',
			`${where} is locked by another process; ${action} waited too long. Try again; if it persists, check for a process holding the file open in a long transaction.`,
			{ cause: error },
		);
	}
	const tls = pgTlsError(error, where, action);
	if (tls) return tls;
	const problem = connectionProblem(error);
	if (problem) {
		return new MailCasesError('STORE_UNAVAILABLE', `${where}: ${problem}; could not ${action}`, {
			cause: error,
		});
	}
	if ((error as { code?: unknown } | null)?.code === '42501') {
		// #15.4: e.g. rights revoked, or a table a migration added that the role got no rights on
		const message = (error as { message?: unknown }).message;
		return new MailCasesError(
			'STORE_UNAVAILABLE',
			`${where}: could not ${action}: the store's role lacks a right (${serverTextShown(typeof message === 'string' ? message : String(error), secrets)}). The application role needs USAGE on the schema, SELECT, INSERT, UPDATE, DELETE on all its tables and USAGE, SELECT on its sequences (README: PostgreSQL roles).`,
			{ cause: error },
		);
	}
	if (isUniqueViolation(error)) {
		return new MailCasesError(
			'CONFLICT',
			`${where}: could not ${action}: a record with the same key exists`,
			{
				cause: error,
			},
		);
	}
	if (isForeignKeyViolation(error)) {
		return new MailCasesError(
			'CONFLICT',
			`${where}: could not ${action}: it refers to a record that does not exist or is still referenced`,
			{
				cause: error,
			},
		);
	}
	const message = (error as { message?: unknown } | null)?.message;
	return new MailCasesError(
		'INTERNAL',
		`${where}: could not ${action}: ${serverTextShown(typeof message === 'string' ? message : String(error), secrets)}`,
		{ cause: error },
	);
}
