import { MailCasesError, isMailCasesError } from '../../errors';
import { serverTextShown } from '../../secret-echo';
import { networkError, type Endpoint } from '../network-errors';
import { smtpPort, type SmtpProfile } from './smtp-profile';

/**
 * nodemailer error codes → what the user should do. `reply` is the server's text, or a note
 * that it was withheld because it contained the password.
 */
const SMTP_CODES: Record<
	string,
	(e: SmtpErrorLike, where: string, reply: string) => MailCasesError
> = {
	EAUTH: (e, where) =>
		new MailCasesError(
			'AUTH_FAILED',
			`Authentication failed at ${where}${e.responseCode ? ` (${e.responseCode})` : ''}: the server rejected login or password. Check SMTP login and password.`,
		),
	ENOAUTH: (_e, where) =>
		new MailCasesError(
			'AUTH_REQUIRED',
			`${where} requires a login, but the profile has none. Enter SMTP login and password.`,
		),
	EENVELOPE: (e, where, reply) =>
		new MailCasesError(
			e.command === 'MAIL FROM' ? 'SENDER_REJECTED' : 'RECIPIENT_REJECTED',
			e.command === 'MAIL FROM'
				? `${where} refused the sender address${e.responseCode ? ` (${e.responseCode})` : ''}. Check the profile's sender address: the login may not be allowed to send as it.`
				: `${where} refused the recipient(s)${e.responseCode ? ` (${e.responseCode})` : ''}: ${reply}`,
		),
	EMESSAGE: (e, where, reply) =>
		new MailCasesError(
			'MESSAGE_REJECTED',
			`${where} rejected the message${e.responseCode ? ` (${e.responseCode})` : ''}: ${reply}`,
		),
	EREQUIRETLS: (_e, where) =>
		new MailCasesError('TLS_FAILED', `${where} does not support the required TLS features.`),
	ETLS: (_e, where) =>
		new MailCasesError(
			'TLS_FAILED',
			`STARTTLS failed at ${where}: the server did not offer or complete STARTTLS. Set STARTTLS to "off" only on a trusted network, or use smtps.`,
		),
};

interface SmtpErrorLike {
	code?: string;
	command?: string;
	response?: string;
	responseCode?: number;
	message?: string;
}

function serverText(e: SmtpErrorLike): string {
	return (e.response ?? e.message ?? '').replace(/\s+/g, ' ').slice(0, 300);
}

/** Maps any SMTP failure to a MailCasesError whose message never contains the password. */
export function smtpError(error: unknown, profile: SmtpProfile): MailCasesError {
	if (isMailCasesError(error)) return error;
	const endpoint: Endpoint = {
		protocol: profile.protocol === 'smtps' ? 'SMTPS' : 'SMTP',
		host: profile.host,
		port: smtpPort(profile),
		implicitTls: profile.protocol === 'smtps',
	};
	const where = `${endpoint.protocol} server ${endpoint.host}:${endpoint.port}`;
	const e = (error ?? {}) as SmtpErrorLike;
	// the only text in a message that does not come from us; AUTH may have echoed the password
	const reply = serverTextShown(serverText(e), [profile.password]);
	let mapped: MailCasesError | undefined;
	// Authentication problems first: nodemailer reports them with their own codes.
	if (e.code && SMTP_CODES[e.code] && e.code !== 'ETLS')
		mapped = SMTP_CODES[e.code](e, where, reply);
	mapped ??= networkError(error, endpoint);
	if (!mapped && e.code && SMTP_CODES[e.code]) mapped = SMTP_CODES[e.code](e, where, reply);
	if (!mapped && e.responseCode === 530) {
		mapped = new MailCasesError(
			'AUTH_REQUIRED',
			`${where} requires authentication or STARTTLS first: ${reply}`,
		);
	}
	mapped ??= new MailCasesError(
		'PROTOCOL_ERROR',
		`SMTP error at ${where}: ${reply || 'unknown error'}`,
	);
	return new MailCasesError(mapped.code, mapped.message, {
		cause: error,
		details: { ...mapped.details, smtpCode: e.code, responseCode: e.responseCode },
	});
}
