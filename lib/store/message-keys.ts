import { createHash } from 'node:crypto';
import { MailCasesError } from '../errors';
import { bareMessageId } from '../mail/message-id';

/**
 * The ledger key of a mail: `mid:<Message-ID>` when it has one, else `sha256:<hex>` of the raw
 * message bytes (the same stored message always yields the same bytes).
 */
export function messageKeyOf(mail: {
	messageId?: string | null;
	raw?: Buffer | Uint8Array | string | null;
}): string {
	const id = bareMessageId(mail.messageId);
	if (id !== undefined) return `mid:${id}`;
	if (mail.raw !== undefined && mail.raw !== null && mail.raw.length > 0) {
		return `sha256:${createHash('sha256').update(mail.raw).digest('hex')}`;
	}
	throw new MailCasesError(
		'INVALID_INPUT',
		'A mail without Message-ID needs its raw content to build a ledger key',
	);
}

const MESSAGE_KEY = /^(mid:.+|sha256:[0-9a-f]{64})$/s;

export function assertMessageKey(key: unknown): asserts key is string {
	if (typeof key !== 'string' || !MESSAGE_KEY.test(key)) {
		throw new MailCasesError(
			'INVALID_INPUT',
			`Ledger key ${JSON.stringify(key)} is not valid: build it with messageKeyOf({ messageId, raw })`,
		);
	}
}

/** Lower-cased, trimmed e-mail address: the form used for case-insensitive lookups. */
export function normalizeEmail(email: string): string {
	return email.trim().toLowerCase();
}
