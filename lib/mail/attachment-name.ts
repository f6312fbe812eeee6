import { MAX_ATTACHMENT_NAME_BYTES } from './limits';

/**
 * The one place an attachment's file name from a mail is made safe to show, store and send on
 * (issue #11.8). The sender chooses the name; it must not lie about the file type nor break what
 * shows it:
 *
 * - bidirectional controls are removed: embeddings and overrides U+202A–U+202E, isolates
 *   U+2066–U+2069, the marks U+200E, U+200F and U+061C (`invoice\u202Efdp.exe` would show as
 *   "invoiceexe.pdf");
 * - control characters (C0, DEL, C1) and the line/paragraph separators U+2028/U+2029 become a
 *   space, a run of them one space;
 * - directory parts are dropped (everything up to the last `/` or `\`); a name of only dots
 *   (`.`, `..`) is no name;
 * - the name is cut to MAX_ATTACHMENT_NAME_BYTES bytes of UTF-8 (what file systems allow),
 *   keeping its extension and never splitting a character (grapheme cluster);
 * - what is left empty becomes `fallback`.
 *
 * Idempotent: a safe name stays as it is. Linear in the name's length.
 */

const BIDI_CONTROLS = new Set([
	0x061c, 0x200e, 0x200f, 0x202a, 0x202b, 0x202c, 0x202d, 0x202e, 0x2066, 0x2067, 0x2068, 0x2069,
]);

const isControl = (code: number) =>
	code < 0x20 || (code >= 0x7f && code <= 0x9f) || code === 0x2028 || code === 0x2029;

/** An extension longer than this (bytes, dot included) is taken as part of the name. */
const MAX_EXTENSION_BYTES = 20;

const utf8Bytes = (text: string) => Buffer.byteLength(text, 'utf8');

function withoutControls(name: string): string {
	let out = '';
	let spaced = false;
	for (const char of name) {
		const code = char.codePointAt(0) ?? 0;
		if (BIDI_CONTROLS.has(code)) continue;
		if (isControl(code)) {
			if (!spaced) out += ' ';
			spaced = true;
			continue;
		}
		spaced = false;
		out += char;
	}
	return out;
}

function baseName(name: string): string {
	return name.slice(Math.max(name.lastIndexOf('/'), name.lastIndexOf('\\')) + 1);
}

/** The longest start of `text` of at most `maxBytes` UTF-8 bytes that ends between characters. */
function cutToBytes(text: string, maxBytes: number): string {
	let out = '';
	let bytes = 0;
	for (const { segment } of new Intl.Segmenter('und', { granularity: 'grapheme' }).segment(text)) {
		const size = utf8Bytes(segment);
		if (bytes + size > maxBytes) break;
		out += segment;
		bytes += size;
	}
	if (out !== '' || text === '') return out;
	// the first grapheme alone is too long (a base with thousands of combining marks)
	for (const char of text) {
		const size = utf8Bytes(char);
		if (bytes + size > maxBytes) break;
		out += char;
		bytes += size;
	}
	return out;
}

function capBytes(name: string, maxBytes: number): string {
	if (utf8Bytes(name) <= maxBytes) return name;
	const dot = name.lastIndexOf('.');
	let extension = dot > 0 ? name.slice(dot) : '';
	if (utf8Bytes(extension) > MAX_EXTENSION_BYTES || /\s/.test(extension)) extension = '';
	const stem = extension ? name.slice(0, dot) : name;
	return cutToBytes(stem, maxBytes - utf8Bytes(extension)).trimEnd() + extension;
}

/** `name` made safe as a file name (see above); `fallback` when nothing is left of it. */
export function safeAttachmentName(
	name: string | null | undefined,
	fallback = 'attachment',
): string {
	const base = baseName(withoutControls(name ?? '')).trim();
	if (base.replaceAll('.', '') === '') return fallback;
	return capBytes(base, MAX_ATTACHMENT_NAME_BYTES).trim() || fallback;
}
