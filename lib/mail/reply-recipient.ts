/**
 * #11.6: the one recipient of a mail that answers an incoming mail (acknowledgement, auto-reply).
 * Its address comes from the incoming mail, i.e. from a stranger, so it must be exactly one
 * valid mailbox: no list (`<a@x,b@y>`, `a@x; b@y`), no quoted or literal tricks. When it is not,
 * the answer is skipped, not failed: the stranger's mail must still be processed.
 */
import { isMailCasesError } from '../errors';
import { parseRecipients, type MailAddress } from './outgoing-message';

export type ReplySkipReason = 'no-recipient' | 'invalid-recipient' | 'several-recipients';

export type ReplyRecipient =
	| { ok: true; recipient: MailAddress }
	| { ok: false; skipped: ReplySkipReason; reason: string };

const skip = (skipped: ReplySkipReason, reason: string): ReplyRecipient => ({
	ok: false,
	skipped,
	reason,
});

/** Checks the To of an answer: exactly one valid mailbox, or why the answer is not sent. */
export function replyRecipient(to: unknown): ReplyRecipient {
	const value = typeof to === 'string' || Array.isArray(to) ? (to as string | string[]) : '';
	let list: MailAddress[];
	try {
		list = parseRecipients('To', value.length === 0 ? undefined : value);
	} catch (error) {
		if (
			isMailCasesError(error) &&
			(error.code === 'INVALID_ADDRESS' || error.code === 'HEADER_INJECTION')
		) {
			return skip(
				'invalid-recipient',
				'To is not one valid e-mail address (it came from the incoming mail); the answer was not sent',
			);
		}
		throw error;
	}
	if (list.length === 0)
		return skip(
			'no-recipient',
			'The incoming mail gave no sender address to answer; the answer was not sent',
		);
	if (list.length > 1)
		return skip(
			'several-recipients',
			`To holds ${list.length} addresses, but an answer to an incoming mail goes to one address only; the answer was not sent`,
		);
	return { ok: true, recipient: list[0] };
}
