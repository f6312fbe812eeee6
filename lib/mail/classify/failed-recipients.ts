import type { MailFilter } from './context';

/** `X-Failed-Recipients` (Exim and others) is only set on non-delivery reports → bounce. */
export const failedRecipients: MailFilter = (ctx) => {
	const value = ctx.header('x-failed-recipients');
	if (value && !ctx.report) ctx.hit('bounce', `X-Failed-Recipients: ${value}`);
};
