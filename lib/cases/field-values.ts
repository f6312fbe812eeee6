/**
 * R-PROC-5: checking and normalising values written in `Field = Value` lines against the
 * field's type. Pure functions; the normalised value is a string in one canonical spelling:
 *   number   `1234.56` (from `1.234,56`, `1234,56`, `1234.56`, `1 234,56`, `1'234.56`, `-3`)
 *   date     `2026-11-29` (from `2026-11-29`, `29.11.2026`, `29. 11. 2026`)
 *   boolean  `true` / `false` (from ja/nein, yes/no, true/false, wahr/falsch, j/n, y/n, 1/0)
 *   text     the value as written (trimmed, control characters removed)
 * An empty value is valid for every type and means "clear the field". A value longer than
 * MAX_FIELD_VALUE_LENGTH characters (lib/mail/limits.ts) is invalid for every type.
 */
import { MAX_FIELD_VALUE_LENGTH } from '../mail/limits';

export type FieldType = 'text' | 'number' | 'date' | 'boolean';

export interface FieldDef {
	/** The field's name in the case form, e.g. `Straße`. */
	name: string;
	/** Default `text`. */
	type?: FieldType;
	/** Other names accepted in mails for this field, e.g. `['Strasse']`. */
	aliases?: string[];
	/** Longest accepted text value (characters). */
	maxLength?: number;
}

/**
 * Canonical spelling of a field name for comparison: NFC, whitespace runs as one space, trimmed;
 * with `caseInsensitive` also Unicode case-folded (`STRASSE` = `Straße`).
 */
export function fieldNameKey(name: string, caseInsensitive = false): string {
	const n = name.normalize('NFC').replace(/\s+/gu, ' ').trim();
	return caseInsensitive ? n.toUpperCase().toLowerCase() : n;
}

export type ValueResult = { ok: true; value: string } | { ok: false; reason: string };

export interface ValueOptions {
	/**
	 * How to read a number with a single `.` or `,` followed by exactly three digits
	 * (`1.234`, `1,234`): without this option it is ambiguous (German thousands or English
	 * decimals) and rejected; with it, the given character is the decimal separator.
	 */
	decimalSeparator?: ',' | '.';
}

const GROUPING = /[ \u00a0\u202f\u2009'’]/gu;
const HAS_GROUPING = /[ \u00a0\u202f\u2009'’]/u;

/** Number in German or English notation → canonical `-1234.56`. */
export function parseNumberValue(raw: string, options: ValueOptions = {}): ValueResult {
	let s = raw.trim().replace(/^[\u2212\u2013]/u, '-');
	let sign = '';
	if (s.startsWith('-') || s.startsWith('+')) {
		sign = s[0] === '-' ? '-' : '';
		s = s.slice(1).trim();
	}
	if (!/^\d[\d.,\s\u00a0\u202f\u2009'’]*$/u.test(s) || /[.,\s'’]$/u.test(s)) {
		return { ok: false, reason: 'not a number' };
	}
	const hasDot = s.includes('.');
	const hasComma = s.includes(',');
	let decimal: '.' | ',' | null = null;
	if (hasDot && hasComma) {
		decimal = s.lastIndexOf('.') > s.lastIndexOf(',') ? '.' : ',';
	} else if (hasDot || hasComma) {
		const sep = hasDot ? '.' : ',';
		const count = s.split(sep).length - 1;
		if (count === 1) {
			const [before, after] = s.split(sep);
			const intDigits = before.replace(GROUPING, '');
			const ambiguous =
				after.length === 3 &&
				intDigits.length <= 3 &&
				intDigits !== '0' &&
				!HAS_GROUPING.test(before);
			if (ambiguous) {
				if (!options.decimalSeparator) {
					return {
						ok: false,
						reason: `ambiguous number "${raw.trim()}": write it without thousands separator or with decimals (e.g. 1234 or 1.234,00)`,
					};
				}
				decimal = options.decimalSeparator === sep ? sep : null;
			} else {
				decimal = sep;
			}
		}
		// several of the same separator: thousands grouping, no decimals
	}
	const [intPart, fracPart, extra] = decimal ? s.split(decimal) : [s, undefined, undefined];
	if (extra !== undefined || (fracPart !== undefined && !/^\d+$/.test(fracPart))) {
		return { ok: false, reason: 'not a number' };
	}
	const groups = intPart.split(/[.,\s\u00a0\u202f\u2009'’]/u);
	if (groups.length > 1) {
		const separators = intPart.replace(/\d/g, '');
		const same = separators
			.split('')
			.every((c) => c === separators[0] || (/\s/u.test(c) && /\s/u.test(separators[0])));
		if (!same || !/^\d{1,3}$/.test(groups[0]) || groups.slice(1).some((g) => !/^\d{3}$/.test(g))) {
			return { ok: false, reason: 'not a number (thousands groups must have three digits)' };
		}
	}
	const digits = groups.join('').replace(/^0+(?=\d)/, '');
	const value = fracPart !== undefined ? `${digits}.${fracPart}` : digits;
	return { ok: true, value: /^0(\.0+)?$/.test(value) ? value : sign + value };
}

function validDate(year: number, month: number, day: number): boolean {
	if (year < 1000 || year > 9999 || month < 1 || month > 12 || day < 1) return false;
	const d = new Date(Date.UTC(year, month - 1, day));
	return d.getUTCFullYear() === year && d.getUTCMonth() === month - 1 && d.getUTCDate() === day;
}

/**
 * Date as ISO `2026-11-29` or German `29.11.2026` → `2026-11-29`. Two-digit years (`29.11.26`)
 * and slash forms (`11/29/2026` vs `29/11/2026`) are rejected as ambiguous; times are not part
 * of a date field.
 */
export function parseDateValue(raw: string): ValueResult {
	const s = raw.trim();
	let m = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(s);
	let year: number;
	let month: number;
	let day: number;
	if (m) {
		[year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
	} else if ((m = /^(\d{1,2})\.\s?(\d{1,2})\.\s?(\d{4})$/.exec(s))) {
		[day, month, year] = [Number(m[1]), Number(m[2]), Number(m[3])];
	} else if (/^\d{1,2}\.\s?\d{1,2}\.\s?\d{2}$/.test(s)) {
		return { ok: false, reason: 'two-digit year is ambiguous: write 29.11.2026 or 2026-11-29' };
	} else {
		return { ok: false, reason: 'not a date: write 29.11.2026 or 2026-11-29' };
	}
	if (!validDate(year, month, day)) return { ok: false, reason: 'no such date' };
	return {
		ok: true,
		value: `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`,
	};
}

const TRUE_WORDS = new Set(['ja', 'j', 'yes', 'y', 'true', 'wahr', '1']);
const FALSE_WORDS = new Set(['nein', 'n', 'no', 'false', 'falsch', '0']);

/** ja/nein, yes/no, true/false, wahr/falsch, j/n, y/n, 1/0 (any case) → `true` / `false`. */
export function parseBooleanValue(raw: string): ValueResult {
	const s = raw.trim().toLowerCase();
	if (TRUE_WORDS.has(s)) return { ok: true, value: 'true' };
	if (FALSE_WORDS.has(s)) return { ok: true, value: 'false' };
	return { ok: false, reason: 'not a yes/no value: write ja or nein' };
}

/** Checks and normalises a raw value for a field of the given definition. */
export function normalizeFieldValue(
	raw: string,
	def: Pick<FieldDef, 'type' | 'maxLength'>,
	options: ValueOptions = {},
): ValueResult {
	// eslint-disable-next-line no-control-regex -- control characters are removed from values
	const value = raw.replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, '').trim();
	if (value === '') return { ok: true, value: '' };
	if (value.length > MAX_FIELD_VALUE_LENGTH && [...value].length > MAX_FIELD_VALUE_LENGTH) {
		return { ok: false, reason: `longer than ${MAX_FIELD_VALUE_LENGTH} characters` };
	}
	switch (def.type ?? 'text') {
		case 'number':
			return parseNumberValue(value, options);
		case 'date':
			return parseDateValue(value);
		case 'boolean':
			return parseBooleanValue(value);
		case 'text':
		default:
			if (def.maxLength !== undefined && [...value].length > def.maxLength) {
				return { ok: false, reason: `longer than ${def.maxLength} characters` };
			}
			return { ok: true, value };
	}
}
