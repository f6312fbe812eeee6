/**
 * RFC 2047 encoded words (`=?UTF-8?B?...?=`, `=?ISO-8859-1?Q?...?=`, with the RFC 2231 language
 * suffix `=?UTF-8*de?Q?...?=`) and the charsets they declare. The one decoder of the package:
 * the header parse (parse-message.ts) and subject cleaning (subject.ts) both use it.
 *
 * What it does with mail that does not follow the RFC:
 * - Unknown charset (a label Node's TextDecoder does not know, also after trying the spellings
 *   without `x-` and without dashes): the bytes are read as UTF-8 when they are valid UTF-8,
 *   else as Windows-1252. Most "unknown" labels are misspellings or private names of those two,
 *   and a person reading the subject gets words instead of `=?x-unknown?Q?...?=`.
 * - Broken base64 (characters outside the base64 alphabet, padding in the middle): the word
 *   stays as written. Decoding it leniently would silently drop or invent text.
 * - Broken Q (`=` not followed by two hex digits, raw non-ASCII characters from a careless
 *   encoder): taken as the characters written (UTF-8), `_` is a space.
 * - Adjacent words: whitespace (blanks, tabs, line breaks of a folded header) between two
 *   encoded words disappears (RFC 2047 §6.2); adjacent words of the same charset are joined at
 *   byte level first, so a multi-byte character split over two words is decoded correctly.
 *   Whitespace between a word and plain text stays. In ISO-2022-* (stateful: escape sequences
 *   switch character sets) a word's closing switch to ASCII right before the next word's switch
 *   is dropped: the WHATWG decoder reads two switches in a row as an error (U+FFFD; ruby-mail
 *   rfc2822/example14.eml in the corpus), while a character split over two words (sisimai
 *   lhost-exchange2007-04.eml) still needs the byte-level join.
 * - UTF-7 (`=?UTF-7?Q?+ANw-bermittlungsstatus?=`, also labelled `unicode-1-1-utf-7`, written
 *   by old Outlook/Exchange versions) is decoded by iconv-lite; Node's TextDecoder does not know
 *   it. The result is header text like any other (control characters become spaces in
 *   parse-message.ts). Bodies declared UTF-7 stay as mailparser reads them: it refuses UTF-7
 *   for bodies, since `+ADw-script+AD4-` would become markup.
 * - An encoded word that never ends (`=?UTF-8?Q?...` without `?=`) stays as written. The scan
 *   is linear in the length of the value (issue #11: test/unit/hostile).
 */
import * as iconv from 'iconv-lite';
import { TextDecoder } from 'node:util';

const ENCODED_WORD = /=\?([^?\s*]+)(?:\*[^?\s]*)?\?([BbQq])\?([^?]*)\?=/g;
const ONLY_WHITESPACE = /^[ \t\r\n]*$/;
/** Stateful charsets: escape sequences switch between character sets (dropSwitchBeforeSwitch). */
const STATEFUL = /^iso-?2022/;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

const utf8Strict = new TextDecoder('utf-8', { fatal: true });
const windows1252 = new TextDecoder('windows-1252');

/** Bytes → text: UTF-8 when they are valid UTF-8, else Windows-1252 (every byte is a character). */
export function decodeUtf8OrWindows1252(bytes: Uint8Array): string {
	try {
		return utf8Strict.decode(bytes);
	} catch {
		return windows1252.decode(bytes);
	}
}

/** A decoder of bytes in one charset. */
interface Decoder {
	decode(bytes: Uint8Array): string;
}

/** UTF-7 labels (RFC 2152), compared without case and punctuation: utf-7, unicode-1-1-utf-7. */
const UTF7 = /^(?:(?:cs)?unicode11)?utf7$/;

/** One decoder per charset label (null: unknown); labels come from mail, so the cache is capped. */
const decoders = new Map<string, Decoder | null>();

function decoderFor(charset: string): Decoder | null {
	const key = charset.toLowerCase();
	let decoder = decoders.get(key);
	if (decoder !== undefined) return decoder;
	decoder = null;
	if (UTF7.test(key.replace(/[^a-z0-9]/g, ''))) {
		decoder = { decode: (bytes) => iconv.decode(Buffer.from(bytes), 'utf-7') };
	}
	for (const label of [key, key.replace(/^x-/, ''), key.replace(/[-_]/g, '')]) {
		if (decoder) break;
		try {
			decoder = new TextDecoder(label);
		} catch {
			// unknown label, try the next spelling
		}
	}
	if (decoders.size < 256) decoders.set(key, decoder);
	return decoder;
}

/** Decodes bytes of a declared charset; an unknown charset is read as UTF-8 or Windows-1252. */
export function decodeCharset(bytes: Uint8Array, charset: string): string {
	const decoder = decoderFor(charset);
	return decoder ? decoder.decode(bytes) : decodeUtf8OrWindows1252(bytes);
}

/** The bytes of a word's encoded text; null for broken base64 (the word then stays as written). */
function wordBytes(encoding: string, text: string): Buffer | null {
	if (encoding === 'b' || encoding === 'B') {
		return BASE64.test(text) ? Buffer.from(text, 'base64') : null;
	}
	// Q: `_` is a space, `=XX` a byte, anything else the character itself (as UTF-8)
	const parts: Buffer[] = [];
	let last = 0;
	for (const match of text.matchAll(/=([0-9A-Fa-f]{2})/g)) {
		parts.push(Buffer.from(text.slice(last, match.index).replace(/_/g, ' '), 'utf8'));
		parts.push(Buffer.from([parseInt(match[1], 16)]));
		last = match.index + match[0].length;
	}
	parts.push(Buffer.from(text.slice(last).replace(/_/g, ' '), 'utf8'));
	return Buffer.concat(parts);
}

/**
 * The UTF-7 encoded words of a header value rewritten as UTF-8 ones (`=?UTF-8?B?...?=`), the
 * rest unchanged. For address fields, whose display names mailparser decodes (and where
 * decoding before the address parse could split a name such as "Müller, Hans"): its decoder
 * refuses UTF-7, so such a name would stay `+AOQ-...`. Linear in the length of the value.
 */
export function utf7WordsAsUtf8(value: string): string {
	if (!value.includes('=?')) return value;
	return value.replace(ENCODED_WORD, (word, charset: string, encoding: string, text: string) => {
		if (!UTF7.test(charset.toLowerCase().replace(/[^a-z0-9]/g, ''))) return word;
		const bytes = wordBytes(encoding, text);
		if (!bytes) return word;
		const decoded = iconv.decode(bytes, 'utf-7');
		return `=?UTF-8?B?${Buffer.from(decoded, 'utf8').toString('base64')}?=`;
	});
}

/**
 * Adjacent ISO-2022 words are joined at byte level too (senders split a character over two
 * words), but a word that ends switching back to ASCII (`ESC ( B`, `ESC ( J`) right before a
 * word that starts with a switch loses that switch back: the WHATWG decoder reads two switches
 * in a row as an error (U+FFFD), and the text is the same without it.
 */
function dropSwitchBeforeSwitch(parts: Buffer[], next: Buffer): void {
	const last = parts[parts.length - 1];
	if (!last || next[0] !== 0x1b || last.length < 3) return;
	const tail = last.length - 3;
	if (last[tail] === 0x1b && last[tail + 1] === 0x28)
		parts[parts.length - 1] = last.subarray(0, tail);
}

/** Decodes the RFC 2047 encoded words in a header value (see the module comment). */
export function decodeEncodedWords(value: string): string {
	if (!value.includes('=?')) return value;
	let out = '';
	let last = 0;
	/** The run of adjacent decoded words of one charset not yet written out (empty after text). */
	const run = { charset: '', parts: [] as Buffer[] };
	const flush = () => {
		if (run.parts.length) out += decodeCharset(Buffer.concat(run.parts), run.charset);
		run.parts = [];
	};
	for (const match of value.matchAll(ENCODED_WORD)) {
		const between = value.slice(last, match.index);
		const charset = match[1].toLowerCase();
		const bytes = wordBytes(match[2], match[3]);
		const adjacent = run.parts.length > 0 && ONLY_WHITESPACE.test(between);
		if (!adjacent || !bytes || run.charset !== charset) flush();
		if (!adjacent) out += between;
		if (bytes) {
			if (STATEFUL.test(charset)) dropSwitchBeforeSwitch(run.parts, bytes);
			run.charset = charset;
			run.parts.push(bytes);
		} else {
			out += match[0];
		}
		last = match.index + match[0].length;
	}
	flush();
	return out + value.slice(last);
}
