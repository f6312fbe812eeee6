/**
 * R-PROC-1: finding case numbers in subjects, and R-PLUS-4: the reference our outgoing
 * subjects carry.
 *
 * Recognised forms, strongest first (the result is ordered by this strength, then by position):
 *   1. reference  `[#2026-000123-k7q2mz]` — what our own outgoing subjects carry: the number
 *                 and its keyed tag (lib/store/case-reference-tag.ts); the older unsigned
 *                 `[#2026-000123]` is recognised too. With `referenceKey` every match says
 *                 whether its tag is valid (`signature`); references with a valid tag come first;
 *   2. pattern    the user's own regular expressions (`patterns`), capture group 1;
 *   3. keyword    `Vorgang 2026-000123`, `Vorgang Nr. 2026-000123`, `Vorgangsnummer: ...`,
 *                 `Case #2026-000123`, `Case No. ...`, `Ticket#2026-000123`, `[Ticket#...]`,
 *                 `Fall ...`, `Anfrage ...`, `Ref ...`, or a lone `#2026-000123`;
 *   4. bare       `2026-000123` with no marker at all (option `bare`, default on).
 *
 * False-positive rules (the caller still checks that a case with the number exists):
 *   - reference and keyword forms accept a sequence with MORE digits than the format's width
 *     (`2026-1234567`), because the store keeps counting past 999999; they never accept fewer;
 *   - bare numbers must match the format exactly: the sequence has exactly the width, a
 *     four-digit year is 19xx or 20xx; they are only looked for when the format contains a
 *     non-digit literal (for a format like `{SEQ:5}` a bare number would match every postcode);
 *   - bare numbers are rejected right after order / invoice / customer / phone words
 *     (`Bestellung 2026-000123`, `Rechnung`, `Order`, `Invoice`, `Kundennummer`, `Tel.`, ...)
 *     and after a `+` country code;
 *   - a number must stand alone: not inside a longer digit run, not glued to letters, not
 *     continued by `-digit`, `.digit`, `/x`, `:digit`, `@x` (so dates `2026-11-29`, ISO times
 *     `2026-11-29T10:00:00Z`, versions, file names and phone numbers like `2026-000123-45` are
 *     not taken); tokens holding a URL or an e-mail address are skipped entirely (except for
 *     the unmistakable `[#...]` reference).
 * Only the first MAX_SUBJECT_SCAN characters of a subject are looked at.
 * Dash-like characters (en dash, non-breaking hyphen, minus) typed for a `-` in the format are
 * accepted; the returned number is always in the format's canonical spelling.
 */
import { MailCasesError } from '../errors';
import { MAX_SUBJECT_SCAN } from '../mail/limits';
import { cleanSubject, splitSubjectPrefix } from '../mail/subject';
import type { CaseReferenceKey } from '../store/case-reference-tag';
import {
	caseNumberPatternSource,
	DEFAULT_CASE_NUMBER_FORMAT,
	parseCaseNumberFormat,
} from '../store/case-number-format';

export type CaseNumberMatchKind = 'reference' | 'pattern' | 'keyword' | 'bare';

/**
 * Issue #11.7: `valid` — a reference with the correct tag; `invalid` — a reference with a tag
 * that is wrong (forged, or made with another store's secret) or could not be checked (no
 * key given); `unsigned` — no tag at all (old references, keyword, pattern and bare forms).
 */
export type CaseReferenceSignature = 'valid' | 'invalid' | 'unsigned';

export interface CaseNumberMatch {
	/** The case number in canonical spelling (user patterns: the capture group, trimmed). */
	number: string;
	kind: CaseNumberMatchKind;
	/** Position of the whole match in the cleaned subject. */
	index: number;
	/** The matched text. */
	text: string;
	/** Whether the match carried a valid keyed tag (see CaseReferenceSignature). */
	signature: CaseReferenceSignature;
}

export interface ExtractCaseNumbersOptions {
	/** Case number format, default `{YYYY}-{SEQ:6}`. */
	format?: string;
	/**
	 * Additional regular expressions, each with exactly one capturing group that yields the case
	 * number (`Auftrag\s+(A-\d+)`). Compiled case-insensitively; tried on the cleaned subject.
	 * An invalid expression or a wrong number of groups throws MailCasesError INVALID_INPUT.
	 */
	patterns?: string[];
	/** Look for bare numbers without a keyword or reference bracket (default true). */
	bare?: boolean;
	/** More keywords in front of a number, e.g. `['Reklamation']` (matched case-insensitively). */
	keywords?: string[];
	/** Checks the tags of signed references; without it every tag counts as `invalid`. */
	referenceKey?: Pick<CaseReferenceKey, 'verify'>;
}

/** Subjects are cut to this length before matching; case references sit near the start. */
export { MAX_SUBJECT_SCAN };

const DASHES = '\\-\\u2010\\u2011\\u2012\\u2013\\u2014\\u2212\\uFE63\\uFF0D';

const BUILTIN_KEYWORDS = [
	'vorgangsnummer',
	'vorgangs-nr',
	'vorgangsnr',
	'vorgang',
	'vg-nr',
	'vg',
	'case number',
	'case',
	'ticketnummer',
	'ticket-nr',
	'ticketnr',
	'ticket number',
	'ticket',
	'fallnummer',
	'fall-nr',
	'fall',
	'anfragenummer',
	'anfrage',
	'referenz',
	'reference',
	'ref',
];

/** Words after which a bare number is an order / invoice / phone number, not a case number. */
const FOREIGN_CONTEXT = new RegExp(
	'(?<![\\p{L}\\p{N}])(?:' +
		[
			'bestellung',
			'bestellnummer',
			'bestell-nr',
			'bestellnr',
			'order',
			'order number',
			'auftrag',
			'auftragsnummer',
			'auftrags-nr',
			'auftragsnr',
			'rechnung',
			'rechnungsnummer',
			'rechnungs-nr',
			'rechnungsnr',
			'invoice',
			'invoice number',
			'lieferschein',
			'lieferung',
			'delivery',
			'sendung',
			'sendungsnummer',
			'tracking',
			'kundennummer',
			'kunden-nr',
			'kundennr',
			'customer',
			'customer number',
			'artikel',
			'artikelnummer',
			'art-nr',
			'iban',
			'konto',
			'account',
			'vertrag',
			'vertragsnummer',
			'contract',
			'tel',
			'telefon',
			'fon',
			'phone',
			'fax',
			'mobil',
			'mobile',
			'handy',
		]
			.map((w) => w.replace(/-/g, '[-\\s]?').replace(/ /g, '\\s+'))
			.join('|') +
		')\\.?\\s*(?:(?:nr|no|nummer|number)\\.?\\s*)?[:#]?\\s*$' +
		'|\\+\\d[\\d\\s()/.-]*$',
	'iu',
);

function escapeRegex(text: string): string {
	return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

function literalSource(text: string): string {
	let out = '';
	for (const ch of text) {
		if (/[-\u2010-\u2014\u2212]/u.test(ch)) out += `[${DASHES}]`;
		else if (/\s/u.test(ch)) out += '\\s+';
		else out += escapeRegex(ch);
	}
	return out;
}

interface CompiledFormat {
	format: string;
	/** Capturing source for reference/keyword forms: sequence of width or more digits. */
	loose: string;
	/** Capturing source for bare numbers: exact width, plausible year. */
	exact: string;
	/** Number of capturing groups in either source. */
	groups: number;
	/** Rebuilds the canonical number from the groups. */
	canonical: (groups: string[]) => string;
	/** Whether bare numbers can be told apart from other digits (a non-digit literal exists). */
	bareUsable: boolean;
}

const compiledFormats = new Map<string, CompiledFormat>();

function compileFormat(format: string): CompiledFormat {
	const cached = compiledFormats.get(format);
	if (cached) return cached;
	const tokens = parseCaseNumberFormat(format);
	let loose = '';
	let exact = '';
	const parts: Array<{ literal: string } | { group: number }> = [];
	let groups = 0;
	let bareUsable = false;
	for (const t of tokens) {
		switch (t.kind) {
			case 'literal':
				loose += `(${literalSource(t.text)})`;
				exact += `(${literalSource(t.text)})`;
				parts.push({ literal: t.text });
				groups++;
				if (/[^\d\s]/u.test(t.text)) bareUsable = true;
				break;
			case 'year4':
				loose += '(\\d{4})';
				exact += '((?:19|20)\\d{2})';
				parts.push({ group: groups++ });
				break;
			case 'year2':
				loose += '(\\d{2})';
				exact += '(\\d{2})';
				parts.push({ group: groups++ });
				break;
			case 'seq':
				loose += `(\\d{${t.width},})`;
				exact += `(\\d{${t.width}})`;
				parts.push({ group: groups++ });
				break;
		}
	}
	const compiled: CompiledFormat = {
		format,
		loose,
		exact,
		groups,
		bareUsable,
		canonical: (g) => parts.map((p) => ('literal' in p ? p.literal : g[p.group])).join(''),
	};
	compiledFormats.set(format, compiled);
	return compiled;
}

/** True when `text` is a case number of the format (sequence of width or more digits). */
export function isCaseNumber(text: string, format: string = DEFAULT_CASE_NUMBER_FORMAT): boolean {
	return new RegExp(`^${caseNumberPatternSource(format)}$`).test(text);
}

/** Characters that may not touch a number on its left (bare form). */
const BARE_LEFT = '(?<![\\p{L}\\p{N}\\p{M}_@./:\\\\=&?%~+#' + DASHES + '])';
/** What may not follow a number: a letter/digit, or a joiner followed by a letter/digit. */
const RIGHT = '(?![\\p{L}\\p{N}\\p{M}_]|[./:@,' + DASHES + '][\\p{L}\\p{N}])';

/**
 * URLs, e-mail addresses and similar tokens are blanked (same length) before matching: every
 * whitespace-separated token that contains `@` or `://` or starts with `www.`. Token-based so
 * that it stays linear on hostile input.
 */
function blankUrls(text: string): string {
	return text.replace(/\S+/g, (token) =>
		token.includes('@') || token.includes('://') || /^[^\p{L}\p{N}]*www\./iu.test(token)
			? ' '.repeat(token.length)
			: token,
	);
}

function keywordSource(extra: string[]): string {
	const words = [...BUILTIN_KEYWORDS, ...extra.map((w) => w.trim().toLowerCase()).filter(Boolean)]
		.sort((a, b) => b.length - a.length)
		.map((w) => w.split(/\s+/).map(escapeRegex).join('\\s+').replace(/-/g, `[${DASHES}]?`));
	return `(?<![\\p{L}\\p{N}\\p{M}_])(?:${words.join('|')})`;
}

/** Separators between keyword and number: `Nr.`, `No.`, `Nummer`, `number`, `ID`, `#`, `:`, `-`. */
const KEYWORD_GAP = `[\\s#:.${DASHES}]{0,6}(?:(?:nr|no|nummer|number|id)\\.?[\\s#:.${DASHES}]{0,6})?`;

function compileUserPattern(source: string): RegExp {
	if (typeof source !== 'string' || source.length === 0) {
		throw new MailCasesError(
			'INVALID_INPUT',
			'A case number pattern must be a non-empty regular expression',
		);
	}
	let re: RegExp;
	try {
		re = new RegExp(source, 'giu');
	} catch {
		try {
			re = new RegExp(source, 'gi');
		} catch (error) {
			throw new MailCasesError(
				'INVALID_INPUT',
				`Case number pattern "${source}" is not a valid regular expression: ${(error as Error).message}`,
			);
		}
	}
	const groups = (new RegExp(`${re.source}|`, re.flags.replace('g', '')).exec('')?.length ?? 1) - 1;
	if (groups !== 1) {
		throw new MailCasesError(
			'INVALID_INPUT',
			`Case number pattern "${source}" must have exactly one capturing group (it has ${groups}); use (?:...) for other groups`,
		);
	}
	return re;
}

function unsigned(
	number: string,
	kind: CaseNumberMatchKind,
	index: number,
	text: string,
): CaseNumberMatch {
	return { number, kind, index, text, signature: 'unsigned' };
}

/**
 * All case-number candidates in a subject with their kind and position, strongest first
 * (reference, pattern, keyword, bare), each kind in subject order, without duplicates.
 */
export function findCaseNumbers(
	subject: string | null | undefined,
	options: ExtractCaseNumbersOptions = {},
): CaseNumberMatch[] {
	const format = options.format ?? DEFAULT_CASE_NUMBER_FORMAT;
	const fmt = compileFormat(format);
	const userPatterns = (options.patterns ?? []).map(compileUserPattern);
	const clean = cleanSubject(subject).slice(0, MAX_SUBJECT_SCAN).normalize('NFKC');
	const scan = blankUrls(clean);
	const found: CaseNumberMatch[] = [];

	// the optional tag group is loose (1-16 letters/digits) so that a wrong tag is seen and
	// reported as invalid instead of hiding the reference
	const reference = new RegExp(
		`\\[\\s*#\\s*${fmt.loose}(?:[${DASHES}]([0-9a-z]{1,16}))?\\s*\\]`,
		'giu',
	);
	for (const m of clean.matchAll(reference)) {
		const number = fmt.canonical(m.slice(1, fmt.groups + 1));
		const tag = m[fmt.groups + 1];
		found.push({
			number,
			kind: 'reference',
			index: m.index,
			text: m[0],
			signature:
				tag === undefined
					? 'unsigned'
					: options.referenceKey?.verify(number, tag) === true
						? 'valid'
						: 'invalid',
		});
	}

	for (const re of userPatterns) {
		for (const m of clean.matchAll(re)) {
			const value = (m[1] ?? '').trim();
			if (value)
				found.push({
					number: value,
					kind: 'pattern',
					index: m.index,
					text: m[0],
					signature: 'unsigned',
				});
			if (m[0].length === 0) re.lastIndex++;
		}
	}

	const keyword = new RegExp(
		`${keywordSource(options.keywords ?? [])}${KEYWORD_GAP}${fmt.loose}${RIGHT}`,
		'giu',
	);
	for (const m of scan.matchAll(keyword)) {
		found.push(unsigned(fmt.canonical(m.slice(1)), 'keyword', m.index, m[0]));
	}
	// A lone `#` marks a number as strongly as a keyword, unless an order/phone word precedes it.
	const hash = new RegExp(`(?<![\\p{L}\\p{N}\\p{M}_&#])#\\s?${fmt.loose}${RIGHT}`, 'giu');
	for (const m of scan.matchAll(hash)) {
		if (FOREIGN_CONTEXT.test(scan.slice(Math.max(0, m.index - 40), m.index))) continue;
		found.push(unsigned(fmt.canonical(m.slice(1)), 'keyword', m.index, m[0]));
	}

	if (options.bare !== false && fmt.bareUsable) {
		const bare = new RegExp(`${BARE_LEFT}${fmt.exact}${RIGHT}`, 'giu');
		for (const m of scan.matchAll(bare)) {
			const before = scan.slice(Math.max(0, m.index - 40), m.index);
			if (FOREIGN_CONTEXT.test(before)) continue;
			found.push(unsigned(fmt.canonical(m.slice(1)), 'bare', m.index, m[0]));
		}
	}

	const rank: Record<CaseNumberMatchKind, number> = {
		reference: 0,
		pattern: 1,
		keyword: 2,
		bare: 3,
	};
	const signed = (m: CaseNumberMatch) => (m.signature === 'valid' ? 0 : 1);
	found.sort((a, b) => signed(a) - signed(b) || rank[a.kind] - rank[b.kind] || a.index - b.index);
	const seen = new Set<string>();
	return found.filter((f) => {
		if (seen.has(f.number)) return false;
		seen.add(f.number);
		return true;
	});
}

/**
 * R-PROC-1: the case numbers a subject refers to, strongest first (see the module comment for
 * the forms and the false-positive rules). The caller looks them up in this order and takes the
 * first that exists (see pickCase).
 */
export function extractCaseNumbers(
	subject: string | null | undefined,
	options: ExtractCaseNumbersOptions = {},
): string[] {
	return findCaseNumbers(subject, options).map((m) => m.number);
}

function checkCaseNumber(caseNumber: string): string {
	const n = String(caseNumber ?? '').trim();
	// eslint-disable-next-line no-control-regex -- control characters must not reach a header
	if (!n || /[\s[\]\u0000-\u001f\u007f]/u.test(n) || n.length > 64) {
		throw new MailCasesError(
			'INVALID_INPUT',
			`"${n.slice(0, 80)}" cannot be used as a case number in a subject`,
		);
	}
	return n;
}

/**
 * R-PLUS-4: the reference our outgoing subjects carry: `[#2026-000123-k7q2mz]` with a key
 * (issue #11.7), `[#2026-000123]` without.
 */
export function subjectReference(caseNumber: string, key?: Pick<CaseReferenceKey, 'tag'>): string {
	const n = checkCaseNumber(caseNumber);
	return key ? `[#${n}-${key.tag(n)}]` : `[#${n}]`;
}

/**
 * R-PLUS-4: the subject with our case reference, added once. When the subject already carries
 * the reference (any spacing) it is returned cleaned but otherwise unchanged; with a key, an
 * unsigned `[#<caseNumber>]` or one with another tag is replaced by the signed reference
 * (issue #11.7). Otherwise the reference goes after any leading `Re:` / `AW:` / `[EXTERNAL]`
 * prefixes: `AW: Frage` → `AW: [#2026-000123-k7q2mz] Frage`. Line breaks are removed (no
 * header injection).
 */
export function withCaseReference(
	subject: string | null | undefined,
	caseNumber: string,
	key?: Pick<CaseReferenceKey, 'tag'>,
): string {
	const n = checkCaseNumber(caseNumber);
	const tag = key?.tag(n);
	const ref = tag ? `[#${n}-${tag}]` : `[#${n}]`;
	const clean = cleanSubject(subject);
	const present = new RegExp(
		`\\[\\s*#\\s*${escapeRegex(n)}(?:[${DASHES}]([0-9a-z]{1,16}))?\\s*\\]`,
		'iu',
	);
	const found = present.exec(clean);
	if (found && (!tag || found[1]?.toLowerCase() === tag)) return clean;
	if (found) return clean.slice(0, found.index) + ref + clean.slice(found.index + found[0].length);
	const { prefix, rest } = splitSubjectPrefix(clean);
	return [prefix.trim(), ref, rest].filter((s) => s.length > 0).join(' ');
}
