import { MailCasesError, isMailCasesError, type ErrorCode } from '../errors';

/**
 * A server error that concerns one mail while the connection lives (issue #11.4): IMAP NO/BAD to
 * UID FETCH/STORE/MOVE, POP3 -ERR to RETR/DELE, Graph 4xx for one message id. The intake loop
 * counts it against that mail (retry, quarantine after Max Attempts) instead of reconnecting.
 */
export function perMailError(
	key: string,
	message: string,
	options: { cause?: unknown; code?: ErrorCode } = {},
): MailCasesError {
	return new MailCasesError(options.code ?? 'PROTOCOL_ERROR', message, {
		cause: options.cause,
		details: { perMailKey: key },
	});
}

/** True for an error made by perMailError. Everything else is a connection failure. */
export function isPerMailError(error: unknown): error is MailCasesError {
	return isMailCasesError(error) && typeof error.details?.perMailKey === 'string';
}

/** Same error, marked as concerning the mail `key` (keeps code, message and cause). */
export function asPerMailError(key: string, error: MailCasesError): MailCasesError {
	return new MailCasesError(error.code, error.message, {
		cause: error.cause ?? error,
		details: { ...error.details, perMailKey: key },
	});
}
