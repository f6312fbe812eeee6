import { MailCasesError } from '../errors';

/**
 * Case number formats. A format is literal text with tokens:
 *   {YYYY}  four-digit year the case was created in
 *   {YY}    two-digit year
 *   {SEQ:n} the per-year sequence number, zero-padded to at least n digits
 * The default `{YYYY}-{SEQ:6}` gives numbers like `2026-000123`.
 * The sequence restarts at 1 every year when the format contains a year token, else it never
 * restarts. The store generates numbers; lib/cases recognises them in subjects.
 */
export const DEFAULT_CASE_NUMBER_FORMAT = '{YYYY}-{SEQ:6}';

type Token =
	| { kind: 'literal'; text: string }
	| { kind: 'year4' }
	| { kind: 'year2' }
	| { kind: 'seq'; width: number };

const TOKEN = /\{(YYYY|YY|SEQ(?::(\d{1,2}))?)\}/g;

export function parseCaseNumberFormat(format: string): Token[] {
	const tokens: Token[] = [];
	let last = 0;
	let seqCount = 0;
	for (const match of format.matchAll(TOKEN)) {
		if (match.index > last) tokens.push({ kind: 'literal', text: format.slice(last, match.index) });
		if (match[1] === 'YYYY') tokens.push({ kind: 'year4' });
		else if (match[1] === 'YY') tokens.push({ kind: 'year2' });
		else {
			seqCount++;
			tokens.push({ kind: 'seq', width: match[2] ? Number(match[2]) : 1 });
		}
		last = match.index + match[0].length;
	}
	if (last < format.length) tokens.push({ kind: 'literal', text: format.slice(last) });
	if (seqCount !== 1) {
		throw new MailCasesError(
			'INVALID_INPUT',
			`Case number format "${format}" must contain exactly one {SEQ} or {SEQ:n} token`,
		);
	}
	return tokens;
}

/** True when the sequence restarts every year (the format shows the year). */
export function formatHasYear(format: string): boolean {
	return parseCaseNumberFormat(format).some((t) => t.kind === 'year4' || t.kind === 'year2');
}

export function formatCaseNumber(format: string, year: number, seq: number): string {
	return parseCaseNumberFormat(format)
		.map((t) => {
			switch (t.kind) {
				case 'literal':
					return t.text;
				case 'year4':
					return String(year).padStart(4, '0');
				case 'year2':
					return String(year % 100).padStart(2, '0');
				case 'seq':
					return String(seq).padStart(t.width, '0');
			}
		})
		.join('');
}

function escapeRegex(text: string): string {
	return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Regular-expression source (no anchors, no groups that capture) matching numbers of the format. */
export function caseNumberPatternSource(format: string): string {
	return parseCaseNumberFormat(format)
		.map((t) => {
			switch (t.kind) {
				case 'literal':
					return escapeRegex(t.text);
				case 'year4':
					return '\\d{4}';
				case 'year2':
					return '\\d{2}';
				case 'seq':
					return `\\d{${t.width},}`;
			}
		})
		.join('');
}
