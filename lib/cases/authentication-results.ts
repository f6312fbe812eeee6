/**
 * Issue #11.7 (optional trust): the DMARC verdict our own receiving server wrote into
 * `Authentication-Results` (RFC 8601). Only headers whose authserv-id is the configured one
 * count, and of those only the topmost run: a server prepends its header above everything the
 * sender wrote, so a header with our id below one of another server (or below nothing of ours)
 * may be a forgery carried in the mail itself. RFC 8601 §5 asks the receiving server to remove
 * such forgeries with its own id; not all do, which is why only the top is read.
 *
 * One linear pass per header: comments `(...)` (nested) are dropped, quoted strings kept whole,
 * `;` outside both separates the result statements.
 */

export type DmarcResult =
	| 'pass'
	| 'fail'
	| 'none'
	| 'temperror'
	| 'permerror'
	| 'policy'
	| 'neutral'
	| 'other';

/** A header value is looked at up to this length (real ones are a few hundred bytes). */
export const MAX_AUTH_RESULTS_LENGTH = 8192;
/** At most this many Authentication-Results headers are looked at, from the top. */
export const MAX_AUTH_RESULTS_HEADERS = 20;

/** The statements of one header value, comments removed, split at `;` outside quotes. */
function statements(value: string): string[] {
	const text = value.slice(0, MAX_AUTH_RESULTS_LENGTH);
	const out: string[] = [];
	let current = '';
	let depth = 0;
	let quoted = false;
	for (let i = 0; i < text.length; i++) {
		const ch = text[i];
		if (quoted) {
			current += ch;
			if (ch === '\\' && i + 1 < text.length) current += text[++i];
			else if (ch === '"') quoted = false;
		} else if (depth > 0) {
			if (ch === '\\') i++;
			else if (ch === '(') depth++;
			else if (ch === ')') depth--;
		} else if (ch === '(') {
			depth = 1;
			current += ' ';
		} else if (ch === '"') {
			quoted = true;
			current += ch;
		} else if (ch === ';') {
			out.push(current.trim());
			current = '';
		} else {
			current += ch;
		}
	}
	out.push(current.trim());
	return out;
}

/** The authserv-id of a header value (its first word, before any version number), lower case. */
function authservId(first: string): string {
	return (first.split(/\s+/)[0] ?? '').toLowerCase();
}

const DMARC_RESULTS: readonly DmarcResult[] = [
	'pass',
	'fail',
	'none',
	'temperror',
	'permerror',
	'policy',
	'neutral',
];

/** The dmarc result in the statements of one header, or null when it has none. */
function dmarcOf(parts: string[]): DmarcResult | null {
	for (const part of parts.slice(1)) {
		// `dmarc=fail`, `dmarc/1 = fail header.from=...`
		const m = /^dmarc(?:\/\d{1,3})?\s*=\s*([a-z]{1,20})/i.exec(part);
		if (!m) continue;
		const result = m[1].toLowerCase() as DmarcResult;
		return DMARC_RESULTS.includes(result) ? result : 'other';
	}
	return null;
}

/**
 * The DMARC result our server (`trustedAuthservId`) reported for the mail, from the topmost
 * run of its Authentication-Results headers (values in header order, top first); null when
 * there is none, when the topmost header is another server's, or when no id is configured.
 */
export function trustedDmarcResult(
	values: string | string[] | null | undefined,
	trustedAuthservId: string | null | undefined,
): DmarcResult | null {
	const trusted = String(trustedAuthservId ?? '')
		.trim()
		.toLowerCase();
	if (!trusted || values === null || values === undefined) return null;
	const list = (Array.isArray(values) ? values : [values]).slice(0, MAX_AUTH_RESULTS_HEADERS);
	for (const value of list) {
		const parts = statements(String(value));
		if (authservId(parts[0] ?? '') !== trusted) return null; // the run of our headers ended
		const result = dmarcOf(parts);
		if (result) return result;
	}
	return null;
}
