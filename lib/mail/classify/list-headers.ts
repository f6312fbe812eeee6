import type { MailFilter } from './context';

const LIST_HEADERS = [
	['list-id', 'List-Id'],
	['list-unsubscribe', 'List-Unsubscribe'],
	['list-post', 'List-Post'],
	['mailing-list', 'Mailing-List'],
	['x-mailing-list', 'X-Mailing-List'],
] as const;

/** Mailing-list and newsletter headers (RFC 2369, RFC 2919, ezmlm, SmartList) → list. */
export const listHeaders: MailFilter = (ctx) => {
	for (const [name, label] of LIST_HEADERS) {
		const raw = ctx.header(name);
		if (raw) {
			ctx.hit('list', `${label}: ${raw.length > 80 ? `${raw.slice(0, 77)}...` : raw}`);
			return;
		}
	}
};
