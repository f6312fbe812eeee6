/**
 * R-PLUS-2 / R-PLUS-4: the one send-once mechanism of every node that sends (Send Mail, Notify
 * Responsible, Forward). A mail that must go out once has a record that says whether it went out
 * before: the mail's deterministic Message-ID among the case's outgoing ids (Send Mail's "Send
 * Once Per", Notify Responsible), or a ledger entry (Forward, which has no case). Order: check,
 * prepare, send, record — a crash between sending and recording sends the mail again (with the
 * same Message-ID where it is deterministic); a failed send leaves no record.
 */
import { isMailCasesError, MailCasesError } from '../../errors';
import type { OutgoingMessage } from '../../mail/outgoing-message';
import type { MailSender, SentMail } from '../../protocols/mail-sender';
import type { CaseRepository, LedgerRepository } from '../../store';

/** Where a send is recorded and where an earlier one is found. */
export interface OnceRecord {
	/** The earlier send of this mail (with its time when known), or undefined. */
	earlier(): Promise<{ at?: Date } | undefined>;
	/** Records the sent mail; a failure says that the mail did go out. */
	record(sentId: string): Promise<void>;
}

export type SendOnceResult<Skip> =
	| { kind: 'sent'; message: OutgoingMessage; messageId: string; sent: SentMail }
	| { kind: 'alreadySent'; at?: Date }
	| { kind: 'skipped'; skip: Skip };

/**
 * Sends the mail `prepare` builds unless `once` finds an earlier send; `prepare` runs only when
 * the mail is to go out (so a replay counts no rate limit) and may skip it instead.
 */
export async function sendOnce<Skip = never>(
	sender: Pick<MailSender, 'send'>,
	once: OnceRecord | undefined,
	prepare: () => Promise<OutgoingMessage | { skip: Skip }>,
): Promise<SendOnceResult<Skip>> {
	const earlier = once ? await once.earlier() : undefined;
	if (earlier) return { kind: 'alreadySent', ...(earlier.at ? { at: earlier.at } : {}) };
	const prepared = await prepare();
	if ('skip' in prepared) return { kind: 'skipped', skip: prepared.skip };
	const sent = await sender.send(prepared);
	const messageId = sent.messageId || prepared.messageId;
	if (once) await once.record(messageId);
	return { kind: 'sent', message: prepared, messageId, sent };
}

type OutgoingIds = Pick<CaseRepository, 'isOutgoingMessageId' | 'recordOutgoingMessageId'>;

/**
 * The record of a mail sent for a case: the sent Message-ID is linked to the case (a reply to it
 * finds the case through In-Reply-To); with a deterministic `onceId` a mail whose id is recorded
 * already is not sent again.
 */
export function recordedOnCase(
	cases: OutgoingIds,
	theCase: { id: number; number: string },
	onceId?: string,
): OnceRecord {
	return {
		earlier: async () => (onceId && (await cases.isOutgoingMessageId(onceId)) ? {} : undefined),
		record: async (sentId) => {
			try {
				await cases.recordOutgoingMessageId(theCase.id, sentId);
			} catch (error) {
				const reason = error instanceof Error ? error.message : String(error);
				throw new MailCasesError(
					isMailCasesError(error) ? error.code : 'INTERNAL',
					`The mail ${sentId} was sent, but recording it on case ${theCase.number} failed: ${reason}`,
					{ cause: error },
				);
			}
		},
	};
}

/**
 * The record of a mail handled without a case (Forward): a ledger entry under `key`, kept with
 * the mail's content digest (#13.2: another mail under the same Message-ID is sent on its own).
 */
export function recordedInLedger(
	ledger: Pick<LedgerRepository, 'lookup' | 'recordOutcome'>,
	key: string,
	detail: string,
	contentDigest?: string,
): OnceRecord {
	return {
		earlier: async () => {
			const entry = await ledger.lookup(key, contentDigest);
			return entry ? { at: entry.processedAt } : undefined;
		},
		record: async () => {
			await ledger.recordOutcome({
				messageKey: key,
				outcome: 'forwarded',
				detail: detail.slice(0, 1000),
				...(contentDigest ? { contentDigest } : {}),
			});
		},
	};
}
