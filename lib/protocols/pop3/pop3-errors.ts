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

/** Maps a POP3 failure to a MailCasesError whose message never contains the password. */
export function pop3Error(error: unknown, profile: MailboxProfile): MailCasesError {
	if (isMailCasesError(error)) return error;
	const where = `${mailboxProtocolName(profile)} server ${profile.host}:${mailboxPort(profile)}`;
	let mapped: MailCasesError | undefined;
	if (error instanceof Pop3ServerError) {
		// a -ERR answer to PASS may repeat the password
		const reply = serverTextShown(error.serverText, [profile.password]);
		if (error.command === 'USER' || error.command === 'PASS') {
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
