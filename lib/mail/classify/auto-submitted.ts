import { keyword, type MailFilter } from './context';

/**
 * RFC 3834 `Auto-Submitted`: any value but `no` (auto-generated, auto-replied,
 * auto-notified, vendor values such as `auto-replied (zimbra; vacation)`) → autoReply.
 * `Auto-Submitted: no` says explicitly that a person sent the mail.
 */
export const autoSubmitted: MailFilter = (ctx) => {
	const raw = ctx.header('auto-submitted');
	const value = keyword(raw);
	if (!value || value === 'no') return;
	ctx.hit('autoReply', `Auto-Submitted: ${raw}`);
};
