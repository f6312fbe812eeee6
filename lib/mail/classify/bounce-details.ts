import type { MailFilter } from './context';
import { originalMessageId } from './original-message';

/** An enhanced status code (RFC 3463) standing alone, not part of an IP address or version. */
const STATUS_IN_TEXT = /(?<![\w.])([45])\.\d{1,3}\.\d{1,3}(?![\d.])/;

/**
 * Completes a bounce that had no delivery report (qmail, old Exim, Exchange text bounces):
 * the Message-ID of the returned mail from an attached original or quoted header lines, and
 * the first enhanced status code of the text.
 */
export const bounceDetails: MailFilter = (ctx) => {
	if (!ctx.has('bounce')) return;
	if (!ctx.bouncedMessageId) {
		const id = originalMessageId(ctx.message);
		if (id) ctx.bouncedMessageId = id;
	}
	if (!ctx.bounce?.status) {
		const status = STATUS_IN_TEXT.exec(ctx.message.text ?? '');
		if (status) ctx.bounce = { ...ctx.bounce, status: status[0], permanent: status[1] === '5' };
	}
};
