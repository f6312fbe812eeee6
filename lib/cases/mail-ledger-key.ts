/**
 * R-PLUS-2: the ledger key of a mail as the case nodes see it (the trigger's item).
 *
 * Same rule as the store's `messageKeyOf`: `mid:<Message-ID>` when the mail has one, else
 * `sha256:<hex>` of the raw message. The trigger puts that hash into every item (`rawHash`), so
 * a mail without Message-ID needs neither the raw message nor "Include Raw Message".
 */
import { MailCasesError } from '../errors';
import { messageKeyOf } from '../store/message-keys';

export interface MailKeySource {
	messageId?: string | null;
	/** SHA-256 of the raw message, lower-case hex (the trigger's `rawHash`). */
	rawHash?: string | null;
	raw?: Buffer | Uint8Array | null;
}

const SHA256_HEX = /^[0-9a-f]{64}$/;

/** The mail's ledger key; INVALID_INPUT when it has no Message-ID, no raw hash and no raw bytes. */
export function mailLedgerKey(mail: MailKeySource): string {
	if (typeof mail.messageId === 'string' && mail.messageId.replace(/[<>\s]/g, '') !== '') {
		return messageKeyOf({ messageId: mail.messageId });
	}
	const hash = typeof mail.rawHash === 'string' ? mail.rawHash.trim().toLowerCase() : '';
	if (SHA256_HEX.test(hash)) return `sha256:${hash}`;
	if (mail.raw && mail.raw.length > 0) return messageKeyOf({ raw: mail.raw });
	throw new MailCasesError(
		'INVALID_INPUT',
		'The mail has no Message-ID and no raw hash, so it cannot be recorded as processed; pass the Mail Cases Trigger item unchanged (it carries rawHash)',
	);
}
