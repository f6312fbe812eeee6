import { MailCasesError } from '../errors';
import type { MailHeaders } from './types';

/**
 * Our own loop marker. Every mail the package sends carries `X-Mail-Cases-Loop: <systemId>`,
 * so that when it comes back (a notification sent to a monitored mailbox, a forward to the
 * own address) classification sees it as a loop and no case is created from it (R-PLUS-3).
 * `systemId` identifies one installation (one case store); a mail with the header of ANOTHER
 * installation is automated mail, but not our loop.
 */
export const LOOP_HEADER = 'X-Mail-Cases-Loop';
/** Lower-case key of LOOP_HEADER in ParsedMessage.headers. */
export const LOOP_HEADER_KEY = LOOP_HEADER.toLowerCase();

const SYSTEM_ID = /^[\x21-\x7e]{1,200}$/;

/** The value of our loop header for an installation. Throws INVALID_INPUT for an id that does not fit into a header. */
export function loopHeaderValue(systemId: string): string {
	const id = typeof systemId === 'string' ? systemId.trim() : '';
	if (!SYSTEM_ID.test(id)) {
		throw new MailCasesError(
			'INVALID_INPUT',
			'The system id must be 1 to 200 visible ASCII characters (no spaces or line breaks).',
		);
	}
	return id;
}

/** Headers for every mail the package sends (replies to customers included). */
export function loopHeaders(systemId: string): Record<string, string> {
	return { [LOOP_HEADER]: loopHeaderValue(systemId) };
}

/**
 * Headers for automatic mail (notifications, auto-acknowledgements): our loop header,
 * `Auto-Submitted: auto-generated` (RFC 3834, so that responders do not answer) and
 * `X-Auto-Response-Suppress: All` (the same request in Microsoft Exchange's terms).
 */
export function autoHeaders(systemId: string): Record<string, string> {
	return {
		...loopHeaders(systemId),
		'Auto-Submitted': 'auto-generated',
		'X-Auto-Response-Suppress': 'All',
	};
}

/** The values of our loop header in a parsed mail (trimmed; empty ones dropped). */
export function loopHeaderValues(headers: MailHeaders): string[] {
	const value = Object.prototype.hasOwnProperty.call(headers, LOOP_HEADER_KEY)
		? headers[LOOP_HEADER_KEY]
		: undefined;
	const list = value === undefined ? [] : Array.isArray(value) ? value : [value];
	return list.map((v) => v.trim()).filter((v) => v !== '');
}

/**
 * true when the mail was sent by this package: it carries our loop header, and — when
 * `systemId` is given — the header names that installation.
 */
export function isOwnMail(parsed: { headers: MailHeaders }, systemId?: string): boolean {
	const values = loopHeaderValues(parsed.headers);
	if (systemId === undefined) return values.length > 0;
	const own = loopHeaderValue(systemId);
	return values.includes(own);
}
