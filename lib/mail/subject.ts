/**
 * Subject lines: cleaning (leftover RFC 2047 encoded words are decoded by encoded-words.ts),
 * stripping reply / forward prefixes of many mail clients and languages, building reply and
 * forward subjects.
 *
 * Pure functions, no I/O. Case references (`[#2026-000123]`) are handled in
 * lib/cases/case-number.ts; this module only knows their outer shape so that it can keep them
 * in place while stripping prefixes.
 */
import { decodeEncodedWords } from './encoded-words';
import { isWhitespace, trimEndWhile } from './trim-runs';

/**
 * Reply and forward prefixes, compared case-insensitively, each followed by an optional
 * counter (`Re[2]:`, `Re(2):`, `Re^2:`) and a colon (ASCII or full-width, spaces allowed
 * before it as French clients write `TR :`).
 */
const PREFIX_WORDS = [
	// English and generic
	're',
	'fw',
	'fwd',
	// German
	'aw',
	'antw',
	'antwort',
	'wg',
	'wtrlt',
	// Nordic: Swedish/Norwegian/Danish reply, forward; Finnish reply, forward
	'sv',
	'vs',
	'vb',
	'vl',
	// Dutch
	'antw',
	'doorst',
	// French
	'tr',
	'réf',
	// Italian
	'r',
	'rif',
	'i',
	// Spanish and Portuguese
	'rv',
	'res',
	'enc',
	// Polish, Czech, Croatian, Slovenian
	'odp',
	'pd',
	'odg',
	'fwd',
	// Turkish
	'ynt',
	'i̇lt',
	'ilt',
	// Greek, Russian, Hebrew, Arabic
	'απ',
	'σχετ',
	'προωθ',
	'отв',
	'ответ',
	'пересл',
	'השב',
	'הועבר',
	'رد',
	'إعادة توجيه',
	// Chinese, Japanese, Korean
	'回复',
	'回覆',
	'答复',
	'答覆',
	'转发',
	'轉寄',
	'轉發',
	'返信',
	'転送',
	'답장',
	'회신',
	'전달',
];

/** Tags gateways put in front of external mail. */
const EXTERNAL_TAGS = [
	'external',
	'ext',
	'extern',
	'externe',
	'external email',
	'external e-mail',
	'external mail',
	'external sender',
	'externe e-mail',
	'externe mail',
	'caution',
	'warning: external',
];

function escapeRegex(text: string): string {
	return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

const uniqueWords = [...new Set(PREFIX_WORDS)].sort((a, b) => b.length - a.length);
// One optional counter, then the colon. Written so that no two `\s*` can share a run of blanks
// (`\s*` `[2]` `\s*` or `^2` `\s*`): every prefix is matched in one pass (issue #11.1).
const PREFIX_SOURCE =
	'(?:' +
	uniqueWords.map(escapeRegex).join('|') +
	')(?:\\^\\d{1,3}\\s*|\\s*(?:(?:\\[\\d{1,3}\\]|\\(\\d{1,3}\\))\\s*)?)[:：]';
const TAG_SOURCE =
	'(?:\\[\\s*(?:' +
	EXTERNAL_TAGS.map(escapeRegex).join('|').replace(/ /g, '\\s+') +
	')\\s*\\]|\\*\\s*external\\s*\\*)';

// The leading-part patterns are sticky (`y`): they are tried at one position of the whole subject,
// which is walked once from left to right, never re-sliced or re-cleaned per prefix.
/** One prefix or tag with the whitespace after it. */
const LEADING_PREFIX = new RegExp(`(?:${PREFIX_SOURCE}|${TAG_SOURCE})(?:\\s+|$)`, 'iuy');
/** Prefix words without a following space (`Re:Foo`) are accepted too, but only before a non-space. */
const LEADING_PREFIX_TIGHT = new RegExp(`(?:${PREFIX_SOURCE}|${TAG_SOURCE})`, 'iuy');
/** Outer shape of a case reference, `[#...]`, as our outgoing subjects carry it. */
const LEADING_REFERENCE = /\[\s*#[^\]\s]{1,64}\s*\](?:\s+|$)/uy;
const ANY_REFERENCE = /\[\s*#[^\]\s]{1,64}\s*\]/gu;

// ---------------------------------------------------------------------------------------------
// Cleaning and prefixes

/**
 * Makes a header value safe to look at: decodes encoded words, unfolds line breaks, removes
 * control characters, zero-width characters and bidi overrides, composes Unicode (NFC) and
 * collapses runs of whitespace.
 */
export function cleanSubject(subject: string | null | undefined): string {
	if (subject === null || subject === undefined) return '';
	return (
		decodeEncodedWords(String(subject))
			.replace(/[\r\n\t\f\v]+/g, ' ')
			// eslint-disable-next-line no-control-regex -- control and invisible characters are removed
			.replace(/[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]/g, '')
			.normalize('NFC')
			.replace(/\s+/gu, ' ')
			.trim()
	);
}

export interface SubjectParts {
	/** The leading reply / forward prefixes and gateway tags as written, e.g. `AW: [EXTERNAL] `. */
	prefix: string;
	/** Everything after them. */
	rest: string;
}

/** Splits leading reply / forward prefixes and gateway tags (repeated, any order) off a subject. */
export function splitSubjectPrefix(subject: string | null | undefined): SubjectParts {
	const clean = cleanSubject(subject);
	const end = prefixEnd(clean, 0);
	return { prefix: clean.slice(0, end), rest: clean.slice(end) };
}

/** The sticky `pattern`'s match at `at` of `text`, or null. */
function matchAt(pattern: RegExp, text: string, at: number): RegExpExecArray | null {
	pattern.lastIndex = at;
	return pattern.exec(text);
}

/** Where the prefixes and tags that start at `from` of a cleaned subject end. */
function prefixEnd(clean: string, from: number): number {
	let at = from;
	for (;;) {
		const m = matchAt(LEADING_PREFIX, clean, at) ?? tightPrefix(clean, at);
		if (!m || m[0].length === 0) return at;
		at += m[0].length;
	}
}

const PREFIX_END_CHARS = (code: number) => code === 0x3a || code === 0xff1a || isWhitespace(code);

function tightPrefix(text: string, at: number): RegExpExecArray | null {
	const m = matchAt(LEADING_PREFIX_TIGHT, text, at);
	// `Re:Foo` is a prefix; `R:2` or a bare `I:` directly followed by text is left alone for
	// single-letter words to avoid eating ordinary words.
	if (!m) return null;
	const word = trimEndWhile(m[0], PREFIX_END_CHARS);
	return word.length >= 2 ? m : null;
}

export interface NormalizeSubjectOptions {
	/** Also remove case references such as `[#2026-000123]` (default false: they are kept). */
	removeCaseReferences?: boolean;
}

/**
 * The subject without reply / forward prefixes (`Re:`, `AW:`, `WG:`, `Fwd:`, `Antw:`, `SV:`,
 * `TR:`, `RV:`, `Odp:`, `回复:` and many more, repeated and numbered like `Re[2]:`) and without
 * gateway tags such as `[EXTERNAL]`. Encoded words are decoded first, whitespace is collapsed.
 * A case reference at the start is kept in front, prefixes behind it are removed as well:
 * `AW: [#2026-000123] WG: Frage` → `[#2026-000123] Frage`.
 */
export function normalizeSubject(
	subject: string | null | undefined,
	options: NormalizeSubjectOptions = {},
): string {
	// cleaned once, then walked once: prefixes, a reference, prefixes, a reference, ...
	const clean = cleanSubject(subject);
	let at = prefixEnd(clean, 0);
	const references: string[] = [];
	for (;;) {
		const ref = matchAt(LEADING_REFERENCE, clean, at);
		if (!ref) break;
		references.push(ref[0].trim().replace(/\s+/g, ''));
		at = prefixEnd(clean, at + ref[0].length);
	}
	const rest = clean.slice(at);
	if (options.removeCaseReferences) {
		return rest.replace(ANY_REFERENCE, ' ').replace(/\s+/g, ' ').trim();
	}
	return [...references, rest].filter((s) => s.length > 0).join(' ');
}

export interface ReplySubjectOptions {
	/** Prefix to use, default `Re` (RFC 5322 §3.6.5); German users may prefer `AW`. */
	prefix?: string;
}

function withPrefix(prefix: string, subject: string | null | undefined): string {
	const trimmed = prefix.replace(/[\r\n]/g, '').trim();
	const clean = trimEndWhile(trimmed, (code) => code === 0x3a || code === 0xff1a);
	const body = normalizeSubject(subject);
	return body ? `${clean}: ${body}` : `${clean}:`;
}

/**
 * Subject of a reply: one `Re: ` in front of the normalised subject, never `Re: AW: Re: ...`.
 * Add the case reference with `withCaseReference` from lib/cases/case-number.
 */
export function replySubject(
	subject: string | null | undefined,
	options: ReplySubjectOptions = {},
): string {
	return withPrefix(options.prefix ?? 'Re', subject);
}

/** Subject of a forward: one `Fwd: ` in front of the normalised subject. */
export function forwardSubject(
	subject: string | null | undefined,
	options: ReplySubjectOptions = {},
): string {
	return withPrefix(options.prefix ?? 'Fwd', subject);
}
