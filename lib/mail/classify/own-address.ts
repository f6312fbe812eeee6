import { isOneOf } from '../address';
import type { MailFilter } from './context';

/** Mail whose From is one of our own addresses is a loop (we would answer ourselves). */
export const ownAddress: MailFilter = (ctx) => {
	const from = ctx.message.from?.address;
	if (from && isOneOf(from, ctx.options.ownAddresses)) {
		ctx.hit('loop', `From ${from} is an address of this system`);
	}
};
