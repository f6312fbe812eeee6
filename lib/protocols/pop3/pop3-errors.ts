import { MailCasesError, isMailCasesError } from '../../errors';
import {
	describeMailbox,
	mailboxPort,
	mailboxProtocolName,
	type MailboxProfile,
} from '../mailbox-profile';
import { serverTextShown } from '../../secret-echo';
import { networkError } from '../network-errors';

/** A -ERR answer of the server to a command. */
export class Pop3ServerError extends Error {
	constructor(
		readonly command: string,
		readonly serverText: string,
	) {
		super(`${command} failed: ${serverText}`);
		this.name = 'Pop3ServerError';
	}
}

/**
 * The session ended after login: the server closed it (`closed`; while idle, or while an answer
 * to `command` was awaited), or an awaited answer did not come within the timeout (`timeout`).
 * `ms`: how long the session was idle, or the timeout.
 */
export class Pop3SessionEnded extends Error {
	readonly code: string;
	constructor(
		readonly how: 'closed' | 'timeout',
		readonly command: string,
		readonly ms: number,
	) {
		super(`POP3 session ${how === 'closed' ? 'closed' : 'timed out'} (${command})`);
		this.name = 'Pop3SessionEnded';
		this.code = how === 'closed' ? 'ECONNRESET' : 'ETIMEDOUT';
	}
}

/** The server refused a new session because the maildrop is locked (RFC 2449 [IN-USE], or its words). */
export function isMaildropLocked(error: unknown): boolean {
	return (
		error instanceof Pop3ServerError &&
		// at login: a -ERR for one command in a standing session (e.g. DELE) is that mail's
		['greeting', 'USER', 'PASS'].includes(error.command) &&
		/\[IN-USE\]|\block(ed)?\b|in use/i.test(error.serverText) &&
		!/\[AUTH\]/i.test(error.serverText)
	);
}

function seconds(ms: number): string {
	return `${Math.max(1, Math.round(ms / 1000))} s`;
}

/** Maps a POP3 failure to a MailCasesError whose message never contains the password. */
export function pop3Error(error: unknown, profile: MailboxProfile): MailCasesError {
	if (isMailCasesError(error)) return error;
	const where = `${mailboxProtocolName(profile)} server ${profile.host}:${mailboxPort(profile)}`;
	let mapped: MailCasesError | undefined;
	if (error instanceof Pop3ServerError) {
		// a -ERR answer to PASS may repeat the password
		const reply = serverTextShown(error.serverText, [profile.password]);
		if (isMaildropLocked(error)) {
			mapped = new MailCasesError(
				'CONFLICT',
				`${where} refused a session for user "${profile.user}": the mailbox is locked by another POP3 session (${reply}). An earlier session that the server has not ended yet, or another program reading this mailbox by POP3, holds the lock; it is tried again.`,
			);
		} else if (error.command === 'USER' || error.command === 'PASS') {
			mapped = new MailCasesError(
				'AUTH_FAILED',
				`Authentication failed at ${where} for user "${profile.user}": ${reply || 'login or password rejected'}.`,
			);
		} else if (error.command === 'STLS') {
			mapped = new MailCasesError(
				'TLS_FAILED',
				`STARTTLS (STLS) failed at ${where}: ${reply}. Use implicit TLS (port 995) or check the TLS setting.`,
			);
		} else if (error.command === 'greeting') {
			mapped = new MailCasesError('PROTOCOL_ERROR', `${where} refused the session: ${reply}`);
		} else {
			mapped = new MailCasesError(
				'PROTOCOL_ERROR',
				`POP3 error at ${where}: ${error.command.split(' ')[0]} failed: ${reply}`,
			);
		}
	}
	if (error instanceof Pop3SessionEnded) {
		mapped = new MailCasesError(
			error.how === 'timeout' ? 'CONNECTION_TIMEOUT' : 'CONNECTION_LOST',
			error.how === 'timeout'
				? `${where} did not answer ${error.command} within ${seconds(error.ms)} (connection timeout); the session was dropped.`
				: error.command === 'idle'
					? `${where} ended the POP3 session after it was idle for ${seconds(error.ms)} (servers log out idle sessions; Dovecot after 10 min).`
					: `${where} closed the POP3 session while the answer to ${error.command} was awaited.`,
		);
	}
	mapped ??= networkError(error, {
		protocol: mailboxProtocolName(profile),
		host: profile.host,
		port: mailboxPort(profile),
		implicitTls: profile.tls === 'implicit',
	});
	mapped ??= new MailCasesError(
		'PROTOCOL_ERROR',
		`POP3 error at ${where}: ${serverTextShown((error as Error)?.message ?? 'unknown error', [profile.password])}`,
	);
	return new MailCasesError(mapped.code, mapped.message, {
		cause: error,
		details: { mailbox: describeMailbox(profile) },
	});
}
