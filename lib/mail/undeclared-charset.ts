/**
 * 8-bit text whose charset nobody declared (issue #13 item 8): a body part without a `charset`
 * parameter, or with `charset=us-ascii` though it carries 8-bit bytes, and raw 8-bit bytes in
 * header fields (no encoded words). Such text used to be read as UTF-8, which turned a KOI8-R or
 * Windows-1251 mail into U+FFFD replacement characters.
 *
 * - Valid UTF-8 stays UTF-8 (most undeclared 8-bit text today is UTF-8; a legacy charset
 *   rarely forms valid UTF-8 by accident).
 * - Otherwise the charset is guessed by `chardet` (statistics over byte pairs and trigrams,
 *   the ICU detectors) on a bounded sample: at most MAX_CHARSET_SAMPLE_BYTES, starting shortly
 *   before the first 8-bit byte, so a long ASCII preamble does not hide the 8-bit text. The
 *   guess is taken only when it is one of DETECTABLE below (8-bit charsets of real mail);
 *   a guess of UTF-8 (valid UTF-8 but for a broken sequence) reads the text as UTF-8; anything
 *   else (UTF-16/32, ISO-2022 escapes, no guess) is read as Windows-1252, where every byte is
 *   a character, so nothing becomes U+FFFD.
 * - A declared charset always wins (parse-message.ts asks here only for undeclared text and
 *   for text declared US-ASCII, which cannot hold 8-bit bytes at all).
 * Work per call: one UTF-8 validation pass over the bytes, one detection over at most
 * MAX_CHARSET_SAMPLE_BYTES, one decoding pass: linear in the input. Per mail, the detector reads
 * at most MAX_CHARSET_SAMPLE_BYTES_PER_MAIL of body text (a DetectionBudget shared by its parts).
 */
import { analyse } from 'chardet';
import * as iconv from 'iconv-lite';
import { TextDecoder } from 'node:util';

/** Bytes given to the charset detector for one text (about 25 ms for 64 KiB). */
export const MAX_CHARSET_SAMPLE_BYTES = 64 * 1024;
/**
 * Bytes given to the detector for all undeclared body parts of one mail together (about 100 ms);
 * a part after that is read in the charset found last (the parts of one mail come from one
 * sender's software), so a mail of a thousand undeclared parts costs no more than a few.
 */
export const MAX_CHARSET_SAMPLE_BYTES_PER_MAIL = 256 * 1024;
/** Bytes of context kept in the sample before the first 8-bit byte. */
const SAMPLE_LEAD_BYTES = 1024;

/**
 * The detector's answers we decode with (lower case → the label iconv-lite decodes).
 * ISO-8859-1 is read as Windows-1252, its superset for text (as browsers do, WHATWG).
 */
const DETECTABLE: Record<string, string> = {
	'iso-8859-1': 'windows-1252',
	'iso-8859-2': 'iso-8859-2',
	'iso-8859-5': 'iso-8859-5',
	'iso-8859-6': 'iso-8859-6',
	'iso-8859-7': 'iso-8859-7',
	'iso-8859-8': 'iso-8859-8',
	'iso-8859-9': 'iso-8859-9',
	'koi8-r': 'koi8-r',
	'windows-1250': 'windows-1250',
	'windows-1251': 'windows-1251',
	'windows-1252': 'windows-1252',
	'windows-1253': 'windows-1253',
	'windows-1254': 'windows-1254',
	'windows-1255': 'windows-1255',
	'windows-1256': 'windows-1256',
	'windows-1257': 'windows-1257',
	'windows-1258': 'windows-1258',
	'windows-874': 'windows-874',
	big5: 'big5',
	'euc-jp': 'euc-jp',
	'euc-kr': 'euc-kr',
	gb18030: 'gb18030',
	shift_jis: 'shift_jis',
};

const FALLBACK = 'windows-1252';

/** Sample bytes the detector may still read for one mail, and the charset it found last. */
export interface DetectionBudget {
	remaining: number;
	last?: string;
}
const utf8Strict = new TextDecoder('utf-8', { fatal: true });

/** Index of the first byte ≥ 0x80; -1 when the bytes are 7-bit. */
function firstEightBit(bytes: Uint8Array): number {
	for (let i = 0; i < bytes.length; i++) if (bytes[i] >= 0x80) return i;
	return -1;
}

/** Whether the bytes are valid UTF-8 (7-bit bytes are). */
export function isValidUtf8(bytes: Uint8Array): boolean {
	try {
		utf8Strict.decode(bytes);
		return true;
	} catch {
		return false;
	}
}

/**
 * The charset 8-bit bytes without a declaration are read in: `utf-8` when they are valid
 * UTF-8 (or 7-bit), else the detector's guess when it is one we trust, else Windows-1252.
 */
export function detectUndeclaredCharset(
	bytes: Uint8Array,
	budget: DetectionBudget = { remaining: MAX_CHARSET_SAMPLE_BYTES },
): string {
	const first = firstEightBit(bytes);
	if (first < 0 || isValidUtf8(bytes)) return 'utf-8';
	// what is left of the budget is too little for a guess better than the last one
	if (budget.remaining < SAMPLE_LEAD_BYTES) return budget.last ?? FALLBACK;
	const start = Math.max(0, first - SAMPLE_LEAD_BYTES);
	const sampleSize = Math.min(MAX_CHARSET_SAMPLE_BYTES, budget.remaining);
	const sample = bytes.subarray(start, start + sampleSize);
	budget.remaining -= sample.length;
	budget.last = guess(sample);
	return budget.last;
}

/** The detector's best answer for a sample of text that is not valid UTF-8. */
function guess(sample: Uint8Array): string {
	const best = analyse(sample)[0]?.name.toLowerCase();
	// mostly UTF-8 with a broken sequence: UTF-8 keeps the rest of the text readable
	if (best === 'utf-8') return 'utf-8';
	// no guess, or none we trust (UTF-16/32 without a BOM, ISO-2022): every byte a character
	return (best && DETECTABLE[best]) || FALLBACK;
}

/** Decodes bytes in a charset returned by detectUndeclaredCharset. */
export function decodeInCharset(bytes: Uint8Array, charset: string): string {
	if (charset === 'utf-8') return Buffer.from(bytes).toString('utf8');
	return iconv.decode(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), charset);
}

/** Undeclared 8-bit text → string (see the module comment). */
export function decodeUndeclared(bytes: Uint8Array, budget?: DetectionBudget): string {
	return decodeInCharset(bytes, detectUndeclaredCharset(bytes, budget));
}
