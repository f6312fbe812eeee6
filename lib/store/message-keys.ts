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

/**
 * #13.2: the key of a mail that reuses `key`, a key the ledger has for another mail (another
 * content digest): `<key> content:<digest>`. A Message-ID has no white space, so this key is no
 * other mail's. The same suffix on a message key (`<id@host> content:<digest>`) is its user form.
 */
export function reusedMessageKey(key: string, contentDigest: string): string {
	return `${key} content:${contentDigest}`;
}

/** `reusedMessageKey` read back: the key and the digest, or undefined for another key. */
export function splitReusedMessageKey(
	key: string,
): { key: string; contentDigest: string } | undefined {
	const found = / content:([0-9a-f]{64})$/.exec(key);
	if (!found || found.index === 0) return undefined;
	return { key: key.slice(0, found.index), contentDigest: found[1] };
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
