/**
 * #14.2: is a failed send worth trying again? A **permanent** rejection is the receiving side's
 * final word on this mail: the SMTP server refused the recipient(s) or the message with a 5xx
 * reply (RCPT TO for every recipient, or DATA / end of data), or Microsoft Graph refused the
 * address (HTTP 400 with a recipient error code) or the message's size (413). Sending it again
 * gives the same answer, so the caller records the rejection and decides whether the run fails.
 *
 * Everything else is **temporary** (the run fails and the mail is tried again later): 4xx replies
 * (421, 450, 451, 452 — a greylisting server, a full queue, a mailbox busy), a refused sender
 * (MAIL FROM: the profile's address, a setting to fix, not this mail's fault), authentication and
 * TLS errors, connection failures and timeouts, Graph throttling (429, 503) and server errors,
 * and any error we cannot read. When several recipients were refused and one of them only for
 * now (4xx), the mail as a whole is temporary: a retry may still reach that one.
 *
 * Works on the MailCasesError of lib/protocols/smtp/smtp-errors.ts (details.responseCode, the
 * nodemailer error as cause) and lib/protocols/graph/graph-errors.ts (details.httpStatus,
 * details.graphCodes), and on a nodemailer error as it is.
 */
import { isMailCasesError } from '../errors';

export type SendFailure =
	| {
			permanent: true;
			/** Who refused, as the user reads it: "SMTP server mail.example.com:587". */
			by: string;
			/** The refusal as the user should read it (the server's reply; secrets never in it). */
			reply: string;
			/** The refused recipients when the server named them (SMTP RCPT TO), else empty. */
			recipients: string[];
			/** What was refused: the recipient address(es) or the message itself. */
			refused: 'recipient' | 'message';
	  }
	| { permanent: false };

interface SmtpLike {
	code?: unknown;
	command?: unknown;
	responseCode?: unknown;
	response?: unknown;
	rejected?: unknown;
	rejectedErrors?: unknown;
	cause?: unknown;
	message?: unknown;
}

const TEMPORARY: SendFailure = { permanent: false };

/** Graph codes that say an address cannot be sent to (Exchange's names). */
const GRAPH_RECIPIENT_CODE = /recipient|smtpaddress/i;

const asNumber = (value: unknown): number | undefined =>
	typeof value === 'number' && Number.isFinite(value) ? value : undefined;

const strings = (value: unknown): string[] =>
	Array.isArray(value)
		? value
				.map((v) => (typeof v === 'string' ? v : ((v as { address?: unknown })?.address as string)))
				.filter((v): v is string => typeof v === 'string' && v.length > 0)
		: [];

/** The nodemailer error: the error itself, or the cause of our MailCasesError. */
function nodemailerErrorOf(error: unknown): SmtpLike | undefined {
	let current: unknown = error;
	for (let depth = 0; current && typeof current === 'object' && depth < 4; depth++) {
		const e = current as SmtpLike;
		if (e.code === 'EENVELOPE' || e.code === 'EMESSAGE') return e;
		current = e.cause;
	}
	return undefined;
}

/** "SMTP server host:port" from our message (smtp-errors.ts starts every message with it). */
function smtpServerOf(message: string): string {
	return message.match(/\b(SMTPS? server \S+?:\d+)/)?.[1] ?? 'the SMTP server';
}

/** The server's reply in our message ("… refused the recipient(s) (550): <reply>"), else all of it. */
function replyOf(message: string, responseCode: number): string {
	const marker = `(${responseCode}): `;
	const at = message.indexOf(marker);
	return (at >= 0 ? message.slice(at + marker.length) : message).trim();
}

function classifySmtp(error: unknown, mailer: SmtpLike): SendFailure {
	const code =
		asNumber(isMailCasesError(error) ? error.details?.responseCode : undefined) ??
		asNumber(mailer.responseCode);
	if (code === undefined || code < 500 || code > 599) return TEMPORARY;
	const command = typeof mailer.command === 'string' ? mailer.command.toUpperCase() : '';
	// a refused sender is the profile's problem, not this mail's: fail the run so it gets fixed
	if (command === 'MAIL FROM') return TEMPORARY;
	const perRecipient = Array.isArray(mailer.rejectedErrors)
		? (mailer.rejectedErrors as SmtpLike[]).map((e) => asNumber(e?.responseCode))
		: [];
	// several recipients refused, one of them only for now: a retry may still reach it
	if (perRecipient.some((c) => c === undefined || c < 500)) return TEMPORARY;
	const message =
		error instanceof Error
			? error.message
			: typeof mailer.message === 'string'
				? mailer.message
				: '';
	return {
		permanent: true,
		by: smtpServerOf(message),
		// our MailCasesError's message carries the reply with secrets withheld; a bare nodemailer
		// error (not through smtpError) only the code
		reply: isMailCasesError(error) ? replyOf(message, code) : `${code}`,
		recipients: strings(mailer.rejected),
		// EMESSAGE: the end of data was refused; EENVELOPE: RCPT TO (or DATA without a recipient)
		refused: mailer.code === 'EMESSAGE' ? 'message' : 'recipient',
	};
}

function classifyGraph(error: Error, details: Record<string, unknown>): SendFailure {
	const status = asNumber(details.httpStatus);
	const codes = strings(details.graphCodes);
	const mailbox = typeof details.mailbox === 'string' ? details.mailbox : '';
	const by = `Microsoft Graph${mailbox ? ` (mailbox ${mailbox})` : ''}`;
	if (status === 400 && codes.some((c) => GRAPH_RECIPIENT_CODE.test(c)))
		return { permanent: true, by, reply: error.message, recipients: [], refused: 'recipient' };
	if (status === 413 || codes.includes('ErrorMessageSizeExceeded'))
		return { permanent: true, by, reply: error.message, recipients: [], refused: 'message' };
	return TEMPORARY;
}

/** Permanent (record it, the mail is not sent again) or temporary (fail, try again later). */
export function classifySendFailure(error: unknown): SendFailure {
	if (isMailCasesError(error) && error.details && 'httpStatus' in error.details)
		return classifyGraph(error, error.details);
	const mailer = nodemailerErrorOf(error);
	if (mailer) return classifySmtp(error, mailer);
	return TEMPORARY;
}
