/**
 * One error type for the whole engine. Every error carries a stable `code` (see ErrorCode)
 * and a message a user can act on. Adapters in nodes/ map it to NodeOperationError /
 * NodeApiError. Messages never contain secrets: build them from host, port, user name and
 * protocol, never from passwords, tokens or raw server replies that could echo them.
 */
export type ErrorCode =
	// connection and protocol
	| 'HOST_NOT_FOUND'
	| 'CONNECTION_REFUSED'
	| 'CONNECTION_TIMEOUT'
	| 'CONNECTION_LOST'
	| 'TLS_MISMATCH'
	| 'TLS_CERT_UNTRUSTED'
	| 'TLS_FAILED'
	| 'AUTH_FAILED'
	| 'AUTH_REQUIRED'
	| 'RECIPIENT_REJECTED'
	| 'SENDER_REJECTED'
	| 'MESSAGE_REJECTED'
	| 'MAILBOX_NOT_FOUND'
	| 'PROTOCOL_ERROR'
	| 'THROTTLED'
	// input
	| 'INVALID_ADDRESS'
	| 'HEADER_INJECTION'
	| 'INVALID_INPUT'
	| 'MESSAGE_TOO_LARGE'
	| 'MESSAGE_UNPARSEABLE'
	| 'NOT_AN_EMAIL'
	// store and cases
	| 'STORE_UNAVAILABLE'
	/** SQLite store while n8n runs executions in several processes (queue mode, multi-main). */
	| 'STORE_NOT_SHARED'
	| 'NOT_FOUND'
	| 'CONFLICT'
	| 'WORKFLOW_INACTIVE'
	| 'FIELD_INVALID'
	| 'SENDER_NOT_ALLOWED'
	| 'LOOP_DETECTED'
	| 'INTERNAL';

export class MailCasesError extends Error {
	readonly code: ErrorCode;
	/** Extra facts for the user (never secrets). */
	readonly details?: Record<string, unknown>;

	constructor(
		code: ErrorCode,
		message: string,
		options: { cause?: unknown; details?: Record<string, unknown> } = {},
	) {
		super(message, options.cause !== undefined ? { cause: options.cause } : undefined);
		this.name = 'MailCasesError';
		this.code = code;
		this.details = options.details;
	}
}

export function isMailCasesError(error: unknown): error is MailCasesError {
	return error instanceof MailCasesError;
}
