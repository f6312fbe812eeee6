/**
 * R-PLUS-2 / R-PLUS-4: mails we send for a case (notifications, Send Mail with "Record on
 * Case") are recorded by Message-ID. Recorded ids let replies find the case through
 * In-Reply-To, and a mail with a deterministic id (notificationMessageId, onceMessageId) is not
 * sent again once its id is recorded. Order: check, send, record — a crash between sending and
 * recording sends the mail again with the same id.
 */
import { isMailCasesError, MailCasesError } from '../errors';
import type { CaseRepository } from '../store';

type Cases = Pick<CaseRepository, 'isOutgoingMessageId' | 'recordOutgoingMessageId'>;

/** Whether a mail with this (deterministic) Message-ID was sent and recorded before. */
export async function wasSentBefore(cases: Cases, messageId: string | undefined): Promise<boolean> {
	return messageId ? await cases.isOutgoingMessageId(messageId) : false;
}

/** Records a sent mail's Message-ID on its case; a failure says that the mail did go out. */
export async function recordSentOnCase(
	cases: Cases,
	theCase: { id: number; number: string },
	sentId: string,
): Promise<void> {
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
}
