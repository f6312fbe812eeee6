import { isOneOf } from '../address';
import type { MailFilter } from './context';

/**
 * `X-Loop` (procmail, SmartList, RT, OTRS, Zammad): a system that handled the mail
 * automatically marks it, to recognise it when it comes back. Ours (it names one of our
 * addresses or our system id, or is the generic `yes`/`true`) → loop. Another system's
 * marker (e.g. `X-Loop: MAILER-DAEMON@host` on bounces, `X-Loop: FreeBSD.org` on list mail)
 * only says the mail was processed automatically → autoReply, so that a stronger class
 * (bounce) still wins.
 */
export const xLoop: MailFilter = (ctx) => {
	const { ownAddresses, systemId } = ctx.options;
	for (const raw of ctx.headerValues('x-loop')) {
		const tokens = raw
			.split(/[\s,;<>()]+/)
			.map((t) => t.trim())
			.filter(Boolean);
		const ours =
			/^(yes|true)$/i.test(raw) ||
			tokens.some((t) => isOneOf(t, ownAddresses)) ||
			(systemId !== undefined && tokens.includes(systemId.trim()));
		if (ours) {
			ctx.hit('loop', `X-Loop: ${raw} (this system)`);
			return;
		}
	}
	const first = ctx.header('x-loop');
	if (first !== undefined)
		ctx.hit('autoReply', `X-Loop: ${first || '(empty)'} (processed by another system)`);
};
