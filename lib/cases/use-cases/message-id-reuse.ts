/**
 * #13.2: what a case node says about a mail that reused the Message-ID of another mail: it was
 * stored as a new mail under its own key, and a note on its case says so.
 */
import type { MailIntakeResult } from '../../store/types';
import { contentDigestOf } from '../mail-content-digest';
import { reusedMessageKeyOf } from '../mail-ledger-key';
import type { CaseMail } from './case-mail';

export interface MessageIdReuse {
	/** For a person: what happened. */
	message: string;
	/** This mail's own key (`<id@host> content:<digest>`): the nodes output it as `messageKey`. */
	messageKey: string;
	/** The ledger key of the other mail and where it went. */
	earlier: { messageKey: string; outcome: string; caseId: number | null; processedAt: string };
	/** The note written on the case (absent when it was written on an earlier run). */
	noteActivityId?: number;
}

export function reuseInfo(
	reused: NonNullable<MailIntakeResult['messageIdReused']>,
	mail: Pick<CaseMail, 'messageId' | 'messageKey' | 'contentDigest'>,
): MessageIdReuse {
	const { earlier, note } = reused;
	return {
		message:
			'The Message-ID of this mail was used before by a different mail (From, Date, Subject or body differ); this mail was stored as a new mail',
		messageKey: reusedMessageKeyOf(
			mail.messageKey || mail.messageId || '',
			contentDigestOf(mail) ?? '',
		),
		earlier: {
			messageKey: earlier.messageKey,
			outcome: earlier.outcome,
			caseId: earlier.caseId,
			processedAt: earlier.processedAt.toISOString(),
		},
		...(note ? { noteActivityId: note.id } : {}),
	};
}
