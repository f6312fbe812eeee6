import type { MailFilter } from './context';

/** Values that Exchange/Outlook put on automatic mail (out-of-office and other auto-replies). */
const AUTOMATIC = new Set(['all', 'oof', 'autoreply']);

/**
 * Microsoft `X-Auto-Response-Suppress: All | OOF | AutoReply` → autoReply. Only DR / RN / NRN
 * (suppress delivery or read receipts) is not enough: plain Outlook mail can carry those.
 */
export const autoResponseSuppress: MailFilter = (ctx) => {
	const raw = ctx.header('x-auto-response-suppress');
	if (!raw) return;
	const tokens = raw
		.toLowerCase()
		.split(/[\s,;]+/)
		.filter(Boolean);
	if (tokens.some((t) => AUTOMATIC.has(t)))
		ctx.hit('autoReply', `X-Auto-Response-Suppress: ${raw}`);
};
