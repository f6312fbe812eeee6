/**
 * R-PROC-5: `Field = Value` lines in a mail fill the same-named fields of a case.
 *
 * Rules:
 *   - one field per line: `Name = Mustermann`, `Name=Mustermann`, `Name =Mustermann`; with
 *     option `separators: ['=', ':']` also `Name: Mustermann`. The name ends at the FIRST
 *     separator, so separators inside the value are kept (`Formel = a=b` → `a=b`);
 *   - a name starts with a letter and consists of letters (umlauts, ß, any script), digits,
 *     spaces and `_ - . / ( ) & + #`, at most 64 characters and 6 words; other lines (prose,
 *     times like `10:30`, URLs) are not field lines. A leading list bullet (`- `, `* `, `• `)
 *     is ignored. Names and values are trimmed; Unicode is composed (NFC) so a decomposed
 *     `ü` matches a field named with a composed one;
 *   - the LAST occurrence of a field wins: earlier values (and earlier errors) of the same field
 *     are forgotten, so a sender can correct himself further down; when the last occurrence is
 *     invalid, the field is not set at all (an earlier valid value is not applied);
 *   - an empty value (`Name =`) is valid and clears the field;
 *   - quoted text is never read: lines starting with `>` and everything after an attribution
 *     line / original-message separator / Outlook header block, and the signature after `-- `
 *     (see lib/mail/quoted-text.ts);
 *   - HTML-only mails are converted to text first (lib/mail/html-to-text.ts);
 *   - field names match exactly by default; `caseInsensitive` compares with Unicode case
 *     folding (`STRASSE` = `Straße`), whitespace runs count as one space either way;
 *   - with `knownFields`, names that are no field are reported in `unknown` and never created,
 *     values are checked against the field type (`invalid`), results use the field's own name;
 *   - with `allowedFields`, other fields are reported in `rejected` and not set (R-PLUS-5);
 *   - bounded work (issue #11 item 2, lib/mail/limits.ts): only the first MAX_FIELD_TEXT_LENGTH
 *     characters of the text are read (cut after the last whole line), for Field lines and for
 *     quoted-text detection alike, and only the first MAX_FIELD_LINES Field lines are taken; a
 *     value longer than MAX_FIELD_VALUE_LENGTH is invalid. What was cut is said in `notes`.
 */
import { htmlToText } from '../mail/html-to-text';
import { MAX_FIELD_LINES, MAX_FIELD_NAME_LENGTH, MAX_FIELD_TEXT_LENGTH } from '../mail/limits';
import { ownText } from '../mail/quoted-text';
import {
	type FieldDef,
	fieldNameKey,
	normalizeFieldValue,
	type ValueOptions,
} from './field-values';

export { fieldNameKey };

export type FieldSeparator = '=' | ':';

export interface ParseFieldLinesOptions extends ValueOptions {
	/** Default `['=']`; `':'` is opt-in because `Hinweis: ...` is common prose. */
	separators?: FieldSeparator[];
	/** Only these fields may be set; others go to `rejected`. Undefined: no restriction. */
	allowedFields?: string[] | null;
	/** Match field names case-insensitively (default false: exact). */
	caseInsensitive?: boolean;
	/** The case form's fields. Undefined: every well-formed name is accepted as a text field. */
	knownFields?: FieldDef[] | null;
	/** Read quoted reply text and signatures too (default false). */
	includeQuoted?: boolean;
}

export interface FieldLinesResult {
	/** Field name (the known field's own spelling) → normalised value. */
	fields: Record<string, string>;
	/** Names written in the mail that are no known field, as written, first occurrence order. */
	unknown: string[];
	/** Known fields whose (last) value does not fit the field type. */
	invalid: Array<{ field: string; value: string; reason: string }>;
	/** Known fields the sender may not set. */
	rejected: Array<{ field: string; reason: string }>;
	/** Only when a limit cut the reading: what was not read, one sentence each. */
	notes?: string[];
}

/** A mail body: plain text, HTML, or both (text is preferred when it has content). */
export type MailBody = string | { text?: string | null; html?: string | null } | null | undefined;

const MAX_NAME_WORDS = 6;
const NAME = /^\p{L}[\p{L}\p{M}\p{N} _\-./()&+#]*$/u;
const BULLET = /^(?:[-*•·‣◦]|\d{1,2}[.)])\s+(?=\p{L})/u;

/** The text of a mail body; HTML is converted when there is no text part with content. */
export function bodyText(body: MailBody): string {
	if (body === null || body === undefined) return '';
	if (typeof body === 'string') return body;
	if (body.text && body.text.trim() !== '') return body.text;
	if (body.html) return htmlToText(body.html);
	return '';
}

interface RawLine {
	name: string;
	value: string;
}

function splitLine(line: string, separators: FieldSeparator[]): RawLine | null {
	let text = line.trim();
	if (text === '') return null;
	text = text.replace(BULLET, '');
	let at = -1;
	for (const sep of separators) {
		const i = text.indexOf(sep);
		if (i > 0 && (at < 0 || i < at)) at = i;
	}
	if (at <= 0) return null;
	const name = text.slice(0, at).replace(/\s+/gu, ' ').trim();
	// Non-breaking and other Unicode spaces (&nbsp; in HTML mail) become plain spaces in values.
	const value = text
		.slice(at + 1)
		.replace(/[\u00a0\u2000-\u200a\u202f\u205f\u3000]/gu, ' ')
		.trim();
	if (name.length === 0 || name.length > MAX_FIELD_NAME_LENGTH || !NAME.test(name)) return null;
	if (name.split(' ').length > MAX_NAME_WORDS) return null;
	// `https://...` with ':' as separator is a URL, not a field named `https`
	if (text[at] === ':' && value.startsWith('//')) return null;
	return { name, value };
}

/** All well-formed `Name = Value` lines of a text, in order (no quoted-text handling). */
export function fieldLines(text: string, separators: FieldSeparator[] = ['=']): RawLine[] {
	const out: RawLine[] = [];
	for (const line of text.normalize('NFC').replace(/\r\n?/g, '\n').split('\n')) {
		const parsed = splitLine(line, separators);
		if (parsed) out.push(parsed);
	}
	return out;
}

/**
 * The first MAX_FIELD_TEXT_LENGTH characters of a text, cut after the last whole line within
 * them; undefined when the text is not longer.
 */
function cutText(text: string): string | undefined {
	if (text.length <= MAX_FIELD_TEXT_LENGTH) return undefined;
	const lineEnd = text.lastIndexOf('\n', MAX_FIELD_TEXT_LENGTH);
	return text.slice(0, lineEnd > 0 ? lineEnd : MAX_FIELD_TEXT_LENGTH);
}

function checkSeparators(separators: FieldSeparator[] | undefined): FieldSeparator[] {
	const list = separators && separators.length > 0 ? separators : (['='] as FieldSeparator[]);
	return list.filter((s) => s === '=' || s === ':');
}

/**
 * R-PROC-5: reads `Field = Value` lines from a mail body (see the module comment for the rules)
 * and checks them against the case form's fields and the sender's allowed fields.
 */
export function parseFieldLines(
	body: MailBody,
	options: ParseFieldLinesOptions = {},
): FieldLinesResult {
	const separators = checkSeparators(options.separators);
	const ci = options.caseInsensitive === true;
	const notes: string[] = [];
	let raw = bodyText(body);
	const cut = cutText(raw);
	if (cut !== undefined) {
		notes.push(
			`Only the first ${cut.length} of ${raw.length} characters of the mail text were read for Field lines (limit ${MAX_FIELD_TEXT_LENGTH}).`,
		);
		raw = cut;
	}
	const text = options.includeQuoted ? raw : ownText(raw);
	let lines = fieldLines(text, separators);
	if (lines.length > MAX_FIELD_LINES) {
		notes.push(
			`Only the first ${MAX_FIELD_LINES} of ${lines.length} Field lines were read (limit ${MAX_FIELD_LINES}); the others were ignored.`,
		);
		lines = lines.slice(0, MAX_FIELD_LINES);
	}

	const known = new Map<string, FieldDef>();
	const knownFolded = new Map<string, FieldDef>();
	for (const def of options.knownFields ?? []) {
		for (const n of [def.name, ...(def.aliases ?? [])]) {
			const exact = fieldNameKey(n);
			if (!known.has(exact)) known.set(exact, def);
			const folded = fieldNameKey(n, true);
			if (!knownFolded.has(folded)) knownFolded.set(folded, def);
		}
	}
	const allowed =
		options.allowedFields === undefined || options.allowedFields === null
			? null
			: new Set(options.allowedFields.map((f) => fieldNameKey(f, ci)));

	const fields = new Map<string, string>();
	const invalid = new Map<string, { field: string; value: string; reason: string }>();
	const rejected = new Map<string, { field: string; reason: string }>();
	const unknown = new Map<string, string>();
	/** Spelling of fields without knownFields: first spelling seen per key. */
	const spelling = new Map<string, string>();

	for (const line of lines) {
		let def: FieldDef | undefined;
		let field: string;
		if (options.knownFields) {
			def =
				known.get(fieldNameKey(line.name)) ??
				(ci ? knownFolded.get(fieldNameKey(line.name, true)) : undefined);
			if (!def) {
				const key = fieldNameKey(line.name, ci);
				if (!unknown.has(key)) unknown.set(key, line.name);
				continue;
			}
			field = def.name;
		} else {
			const key = fieldNameKey(line.name, ci);
			if (!spelling.has(key)) spelling.set(key, line.name);
			field = spelling.get(key) as string;
		}
		if (allowed && !allowed.has(fieldNameKey(field, ci))) {
			rejected.set(field, { field, reason: 'field may not be set by e-mail' });
			continue;
		}
		const result = normalizeFieldValue(line.value, def ?? { type: 'text' }, options);
		if (result.ok) {
			fields.delete(field); // keep insertion order = order of the winning line
			fields.set(field, result.value);
			invalid.delete(field);
		} else {
			fields.delete(field);
			invalid.delete(field);
			invalid.set(field, { field, value: line.value, reason: result.reason });
		}
	}
	return {
		fields: Object.fromEntries(fields),
		unknown: [...unknown.values()],
		invalid: [...invalid.values()],
		rejected: [...rejected.values()],
		...(notes.length > 0 ? { notes } : {}),
	};
}

export interface ParseFieldLinesLooseOptions {
	separators?: FieldSeparator[];
	caseInsensitive?: boolean;
	includeQuoted?: boolean;
}

/**
 * The "Parse Fields" operation without a case store: every well-formed `Name = Value` line of
 * the sender's own text, last occurrence wins, values as written (trimmed).
 */
export function parseFieldLinesLoose(
	body: MailBody,
	options: ParseFieldLinesLooseOptions = {},
): Record<string, string> {
	return parseFieldLines(body, {
		separators: options.separators,
		caseInsensitive: options.caseInsensitive,
		includeQuoted: options.includeQuoted,
	}).fields;
}
