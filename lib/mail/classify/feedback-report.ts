import { parseContentType, type MailFilter } from './context';
import { originalMessageId } from './original-message';

/**
 * Abuse / feedback reports (ARF, RFC 5965): a mailbox provider reports one of OUR mails as
 * spam. Not a message from a person; handled like a bounce of that mail.
 */
export const feedbackReport: MailFilter = (ctx) => {
	const contentType = parseContentType(ctx.header('content-type'));
	const declared =
		contentType.type === 'multipart/report' &&
		(contentType.params['report-type'] ?? '').toLowerCase() === 'feedback-report';
	const hasPart = (ctx.message.attachments ?? []).some(
		(p) => p.contentType === 'message/feedback-report',
	);
	if (!declared && !hasPart) return;
	ctx.hit('bounce', 'abuse feedback report (ARF, message/feedback-report)');
	if (!ctx.bouncedMessageId) {
		const original = originalMessageId(ctx.message);
		if (original) ctx.bouncedMessageId = original;
	}
};
