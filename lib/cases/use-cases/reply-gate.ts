/**
 * #11.6: Send Mail's "Reply to Incoming Mail" mode for acknowledgements and other answers whose
 * recipient comes from an incoming mail (a stranger): exactly one valid recipient, no CC/BCC,
 * and a limit of mails per recipient and period counted in the case store. What the stranger's
 * mail causes (no usable address, a list, the limit reached) skips the answer with a note on
 * the item instead of failing the run: the incoming mail is still processed, and a stranger
 * cannot push mails into quarantine through an optional courtesy mail. What the workflow's
 * author set wrong (CC/BCC, a limit without the mode) is an error to fix.
 */
import { MailCasesError } from '../../errors';
import { mailboxKey } from '../../mail/address';
import type { MailAddress } from '../../mail/outgoing-message';
import { replyRecipient, type ReplySkipReason } from '../../mail/reply-recipient';
import type { Store } from '../../store';

export const DEFAULT_LIMIT_PER_RECIPIENT = 10;
export const DEFAULT_LIMIT_PERIOD_MINUTES = 60;

/** The options as the workflow set them: an option that is present counts, even when empty. */
export interface ReplyOptions {
	replyToIncoming?: boolean;
	limitPerRecipient?: number;
	limitPeriodMinutes?: number;
	cc?: string;
	bcc?: string;
}

const has = (options: object, name: string) => Object.prototype.hasOwnProperty.call(options, name);

/** Settings errors of the workflow's author (not of the incoming mail). Throws MailCasesError. */
export function checkReplyOptions(options: ReplyOptions): void {
	if (options.replyToIncoming !== true) {
		for (const [name, label] of [
			['limitPerRecipient', 'Limit per Recipient'],
			['limitPeriodMinutes', 'Limit Period (Minutes)'],
		]) {
			if (has(options, name))
				throw new MailCasesError(
					'INVALID_INPUT',
					`"${label}" needs "Reply to Incoming Mail": turn it on or remove the option`,
				);
		}
		return;
	}
	for (const [name, label] of [
		['cc', 'CC'],
		['bcc', 'BCC'],
	]) {
		if (has(options, name))
			throw new MailCasesError(
				'INVALID_INPUT',
				`"Reply to Incoming Mail" sends to one address only: remove the option "${label}" (send copies with a separate node)`,
			);
	}
	const limit = options.limitPerRecipient ?? DEFAULT_LIMIT_PER_RECIPIENT;
	if (!Number.isInteger(limit) || limit < 0)
		throw new MailCasesError(
			'INVALID_INPUT',
			`"Limit per Recipient" must be a whole number of 0 or more, got ${limit}`,
		);
	const minutes = options.limitPeriodMinutes ?? DEFAULT_LIMIT_PERIOD_MINUTES;
	if (!Number.isInteger(minutes) || minutes < 1 || minutes > 10080)
		throw new MailCasesError(
			'INVALID_INPUT',
			`"Limit Period (Minutes)" must be a whole number from 1 to 10080, got ${minutes}`,
		);
}

export interface ReplyLimit {
	count: number;
	limit: number;
	periodMinutes: number;
}

export type ReplyGate =
	| { ok: true; recipient: MailAddress; limit?: ReplyLimit }
	| { ok: false; skipped: ReplySkipReason | 'rate-limited'; reason: string; limit?: ReplyLimit };

/**
 * The one recipient of an answer and its place within the limit (counted now, before sending),
 * or why the answer is skipped. Call it after the send-once check, so a replay that sends
 * nothing counts nothing. The store is opened only when there is something to count.
 */
export async function replyGate(
	to: unknown,
	options: ReplyOptions,
	store: () => Promise<Pick<Store, 'sendLimits'>>,
): Promise<ReplyGate> {
	const checked = replyRecipient(to);
	if (!checked.ok) return checked;
	const limit = options.limitPerRecipient ?? DEFAULT_LIMIT_PER_RECIPIENT;
	if (limit === 0) return { ok: true, recipient: checked.recipient };
	const periodMinutes = options.limitPeriodMinutes ?? DEFAULT_LIMIT_PERIOD_MINUTES;
	const key = mailboxKey(checked.recipient.address) ?? checked.recipient.address.toLowerCase();
	const reservation = await (await store()).sendLimits.reserve(key, limit, periodMinutes * 60_000);
	const counted = { count: reservation.count, limit, periodMinutes };
	if (!reservation.allowed) {
		return {
			ok: false,
			skipped: 'rate-limited',
			reason: `${checked.recipient.address} was sent ${limit} answers within ${periodMinutes} minutes already (Limit per Recipient, counted in the case store); this one was not sent`,
			limit: counted,
		};
	}
	return { ok: true, recipient: checked.recipient, limit: counted };
}
