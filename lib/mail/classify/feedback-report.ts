import type { FeedbackInfo } from '../types';
import { parseContentType, type ClassifyContext, type MailFilter } from './context';
import { fieldGroups } from './delivery-report';
import { originalMessageId } from './original-message';

const FEEDBACK_PART = 'message/feedback-report';
/** How much of a feedback-report part is read: its fields are a few lines. */
const MAX_FIELDS_BYTES = 16 * 1024;

/** `rfc822; a@b` / `<a@b>` → `a@b`. */
function bareAddress(value: string | undefined): string | undefined {
	if (!value) return undefined;
	const semi = value.indexOf(';');
	const text = (semi >= 0 ? value.slice(semi + 1) : value).trim();
	const unwrapped = text.startsWith('<') && text.endsWith('>') ? text.slice(1, -1).trim() : text;
	return unwrapped || undefined;
}

/** The fields of the first `message/feedback-report` part (RFC 5965 section 3.1). */
function feedbackFields(ctx: ClassifyContext): FeedbackInfo {
	const part = (ctx.message.attachments ?? []).find((p) => p.contentType === FEEDBACK_PART);
	if (!part) return {};
	const fields = fieldGroups(part.content.subarray(0, MAX_FIELDS_BYTES).toString('utf8'))[0];
	if (!fields) return {};
	const info: FeedbackInfo = {};
	const type = fields.get('feedback-type')?.trim().split(/[\s;]/)[0].toLowerCase();
	if (type) info.feedbackType = type;
	const recipient = bareAddress(fields.get('original-rcpt-to') ?? fields.get('removal-recipient'));
	if (recipient) info.recipient = recipient;
	const sourceIp = fields.get('source-ip')?.trim();
	if (sourceIp) info.sourceIp = sourceIp;
	const userAgent = fields.get('user-agent')?.trim();
	if (userAgent) info.userAgent = userAgent;
	return info;
}

/** Senders of the Junk Mail Reporting Program's complaints. */
const JMRP_DOMAINS = new Set(['hotmail.com', 'outlook.com', 'live.com']);

/**
 * Microsoft's Junk Mail Reporting Program (Hotmail / Outlook.com) sends complaints without an
 * ARF part: subject `complaint about message from <ip>`, from `staff@hotmail.com`, the reported
 * mail attached as message/rfc822 (case from sisimai's set-of-emails, arf-22 … arf-24).
 */
function isJmrpComplaint(ctx: ClassifyContext): boolean {
	const from = ctx.message.from?.address.toLowerCase() ?? '';
	return (
		/^\s*complaint about message from /i.test(ctx.message.subject) &&
		JMRP_DOMAINS.has(from.slice(from.lastIndexOf('@') + 1))
	);
}

/**
 * Abuse / spam feedback reports (ARF, RFC 5965): a mailbox provider reports one of OUR mails
 * as spam → class `report` (routed like bounces unless the trigger says otherwise). Reads the
 * report's fields and the Message-ID of the reported mail.
 */
export const feedbackReport: MailFilter = (ctx) => {
	const contentType = parseContentType(ctx.header('content-type'));
	const declared =
		contentType.type === 'multipart/report' &&
		(contentType.params['report-type'] ?? '').toLowerCase() === 'feedback-report';
	const hasPart = (ctx.message.attachments ?? []).some((p) => p.contentType === FEEDBACK_PART);
	if (declared || hasPart) {
		ctx.feedback = feedbackFields(ctx);
		const type = ctx.feedback.feedbackType;
		ctx.hit('report', `feedback report (ARF${type ? `, Feedback-Type: ${type}` : ''})`);
	} else if (isJmrpComplaint(ctx)) {
		ctx.feedback = { feedbackType: 'abuse' };
		ctx.hit('report', 'spam complaint of the Microsoft Junk Mail Reporting Program');
	} else {
		return;
	}
	if (!ctx.bouncedMessageId) {
		const original = originalMessageId(ctx.message);
		if (original) ctx.bouncedMessageId = original;
	}
};
