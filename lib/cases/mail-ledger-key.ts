/**
 * R-PLUS-2: the ledger key of a mail as the case nodes see it (the trigger's item).
 *
 * Two forms of the same key (#13.1):
 * - the **message key** users see in the trigger's item (`messageKey`) and may put into any key
 *   parameter (Send Once Per): the mail's Message-ID as the item's `messageId` has it
 *   (`<id@host>`), or `sha256:<hex>` when the mail has no Message-ID — the SHA-256 of the mail
 *   without the headers servers add on the way (its content digest, lib/cases/mail-content-digest.ts),
 *   so the same mail delivered twice or to two mailboxes has one key although Received,
 *   Delivered-To and Return-Path differ;
 * - the **ledger key** the store keeps: `mid:id@host` or `sha256:<hex>` (lib/store/message-keys.ts).
 * `ledgerKeyOfMessageKey` turns the first into the second; the ledger form is accepted as well.
 * The trigger puts the key into every item (`messageKey`), so a mail without Message-ID needs
 * neither the raw message nor "Include Raw Message". Items without messageKey (from an older
 * trigger) fall back to `rawHash`, the SHA-256 of the raw message, as before.
 */
import { MailCasesError } from '../errors';
import { bracketedMessageId } from '../mail/message-id';
import { messageKeyOf, reusedMessageKey, splitReusedMessageKey } from '../store/message-keys';

export interface MailKeySource {
	messageId?: string | null;
	/** The trigger item's `messageKey` (#13.1). */
	messageKey?: string | null;
	/** SHA-256 of the raw message, lower-case hex (the trigger's `rawHash`). */
	rawHash?: string | null;
	raw?: Buffer | Uint8Array | null;
}

const SHA256_HEX = /^[0-9a-f]{64}$/;
const HASH_KEY = /^sha256:([0-9a-fA-F]{64})$/;

const hasMessageId = (id: unknown): id is string =>
	typeof id === 'string' && id.replace(/[<>\s]/g, '') !== '';

/** The message key of a mail, as the trigger's item carries it (`messageKey`). */
export function messageKeyOfMail(mail: {
	messageId?: string | null;
	/** lib/cases/mail-content-digest.ts */
	contentDigest: string;
}): string {
	const id = hasMessageId(mail.messageId) ? bracketedMessageId(mail.messageId) : null;
	return id ?? `sha256:${mail.contentDigest.toLowerCase()}`;
}

/**
 * #13.2: the message key of a mail that reused another mail's Message-ID, as the case nodes
 * output it (`<id@host> content:<digest>`): its own key, e.g. for Send Once Per.
 */
export function reusedMessageKeyOf(messageKey: string, contentDigest: string): string {
	return reusedMessageKey(messageKey.trim(), contentDigest);
}

/**
 * The ledger key of a message key (`<id@host>`, `id@host`, `sha256:<hex>`, or already a ledger
 * key `mid:…`); undefined when `key` is empty.
 */
export function ledgerKeyOfMessageKey(key: string | null | undefined): string | undefined {
	const text = typeof key === 'string' ? key.trim() : '';
	if (!hasMessageId(text)) return undefined;
	const reused = splitReusedMessageKey(text);
	if (reused) {
		const base = ledgerKeyOfMessageKey(reused.key);
		return base && reusedMessageKey(base, reused.contentDigest);
	}
	const hash = HASH_KEY.exec(text);
	if (hash) return `sha256:${hash[1].toLowerCase()}`;
	if (text.startsWith('mid:') && text.length > 4) return text;
	return messageKeyOf({ messageId: text });
}

/**
 * The mail's ledger key: from its Message-ID, else its message key, raw hash or raw bytes.
 * INVALID_INPUT when it has none of them.
 */
export function mailLedgerKey(mail: MailKeySource): string {
	if (hasMessageId(mail.messageId)) return messageKeyOf({ messageId: mail.messageId });
	const fromKey = ledgerKeyOfMessageKey(mail.messageKey);
	if (fromKey) return fromKey;
	const hash = typeof mail.rawHash === 'string' ? mail.rawHash.trim().toLowerCase() : '';
	if (SHA256_HEX.test(hash)) return `sha256:${hash}`;
	if (mail.raw && mail.raw.length > 0) return messageKeyOf({ raw: mail.raw });
	throw new MailCasesError(
		'INVALID_INPUT',
		'The mail has no Message-ID and no raw hash (the item carries no messageKey, rawHash or raw message), so it cannot be recorded as processed: pass the Mail Cases Trigger item unchanged (it carries messageKey), or keep its messageKey field',
	);
}
