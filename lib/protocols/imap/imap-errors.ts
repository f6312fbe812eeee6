import { MailCasesError, isMailCasesError } from '../../errors';
import {
	describeMailbox,
	mailboxPort,
	mailboxProtocolName,
	type MailboxProfile,
} from '../mailbox-profile';
import { serverTextShown } from '../../secret-echo';
import { networkError } from '../network-errors';

interface ImapErrorLike {
	code?: string;
	authenticationFailed?: boolean;
	tlsFailed?: boolean;
	serverResponseCode?: string;
	responseText?: string;
	responseStatus?: string;
	message?: string;
}

const TIMEOUT_CODES = new Set([
	'CONNECT_TIMEOUT',
	'GREETING_TIMEOUT',
	'UPGRADE_TIMEOUT',
	'ETIMEOUT',
]);
const CLOSED_CODES = new Set([
	'NoConnection',
	'EConnectionClosed',
	'ClosedAfterConnectText',
	'ClosedAfterConnectTLS',
]);

/** Maps an imapflow failure to a MailCasesError whose message never contains the password. */
export function imapError(error: unknown, profile: MailboxProfile, context = ''): MailCasesError {
	if (isMailCasesError(error)) return error;
	const e = (error ?? {}) as ImapErrorLike;
	const where = `${mailboxProtocolName(profile)} server ${profile.host}:${mailboxPort(profile)}`;
	const implicitTls = profile.tls === 'implicit';
	const endpoint = {
		protocol: mailboxProtocolName(profile),
		host: profile.host,
		port: mailboxPort(profile),
		implicitTls,
	};
	// texts of the server or of imapflow: a LOGIN may have been echoed with the password
	const shown = (text: string) => serverTextShown(text, [profile.password]);
	let mapped: MailCasesError | undefined;
	if (e.authenticationFailed) {
		mapped = new MailCasesError(
			'AUTH_FAILED',
			`Authentication failed at ${where} for user "${profile.user}": the server rejected login or password${e.serverResponseCode ? ` (${e.serverResponseCode})` : ''}.`,
		);
	}
	// Errors with a clear code (DNS, refused, certificate) first: a certificate failure during
	// STARTTLS also carries imapflow's tlsFailed flag.
	mapped ??= networkError(error, endpoint, { strict: true });
	if (!mapped && (e.tlsFailed || e.code === 'STARTTLS_INJECTION')) {
		mapped = new MailCasesError(
			'TLS_FAILED',
			`STARTTLS failed at ${where}: ${shown(e.message ?? 'the server does not offer STARTTLS')}. Use implicit TLS (port 993) or check the TLS setting.`,
		);
	}
	if (
		!mapped &&
		(e.code === 'NotFound' ||
			e.serverResponseCode === 'NONEXISTENT' ||
			/mailbox doesn't exist|unknown mailbox|NONEXISTENT/i.test(e.responseText ?? e.message ?? ''))
	) {
		mapped = new MailCasesError(
			'MAILBOX_NOT_FOUND',
			`Folder "${profile.folder || 'INBOX'}" does not exist on ${where}. Check the folder name.`,
		);
	}
	if (!mapped && e.code && TIMEOUT_CODES.has(e.code)) {
		mapped = new MailCasesError(
			'CONNECTION_TIMEOUT',
			e.code === 'GREETING_TIMEOUT' && !implicitTls
				? `Timeout at ${where}: no IMAP greeting. If this is an implicit-TLS port (993), set TLS to "implicit".`
				: `Timeout talking to ${where} (${e.code}). Check host, port and TLS setting.`,
		);
	}
	if (!mapped && e.code && CLOSED_CODES.has(e.code)) {
		mapped = new MailCasesError(
			'CONNECTION_LOST',
			e.code === 'ClosedAfterConnectText' && !implicitTls
				? `${where} closed the connection right away. If this is an implicit-TLS port (993), set TLS to "implicit".`
				: `${where} closed the connection (${e.code}).`,
		);
	}
	mapped ??= networkError(error, endpoint);
	mapped ??= new MailCasesError(
		'PROTOCOL_ERROR',
		`IMAP error at ${where}${context ? ` while ${context}` : ''}: ${shown(e.responseText || e.message || 'unknown error')}`,
	);
	return new MailCasesError(mapped.code, mapped.message, {
		cause: error,
		details: { mailbox: describeMailbox(profile), imapCode: e.code },
	});
}
