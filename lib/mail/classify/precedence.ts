import { keyword, type MailFilter } from './context';

const AUTOMATIC = new Set(['bulk', 'junk', 'auto_reply', 'auto-reply', 'autoreply']);

/** `Precedence` / `X-Precedence`: list → list; bulk, junk, auto_reply → autoReply. */
export const precedence: MailFilter = (ctx) => {
	for (const name of ['precedence', 'x-precedence']) {
		const raw = ctx.header(name);
		const value = keyword(raw);
		if (value === 'list')
			ctx.hit('list', `${name === 'precedence' ? 'Precedence' : 'X-Precedence'}: ${raw}`);
		else if (AUTOMATIC.has(value)) {
			ctx.hit('autoReply', `${name === 'precedence' ? 'Precedence' : 'X-Precedence'}: ${raw}`);
		}
	}
};
