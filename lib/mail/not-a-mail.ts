import { MailCasesError } from '../errors';

/**
 * "Only mail is mail" (issue #11.5): input that is not an RFC 5322 message is refused before the
 * MIME parser sees it, so a file delivered as a message (an Outlook .msg, a ZIP, random bytes)
 * never becomes a "mail" whose text is its bytes.
 *
 * Not a mail when, in this order:
 * 1. it is empty;
 * 2. it starts with the signature of a binary file format: at offset 0 (after an mbox `From `
 *    line), or at the first line that is not a header field when only fields a server adds on
 *    delivery (Received, Return-Path, Delivered-To, ...) come before it;
 * 3. its header section (up to the first empty line) holds NUL bytes, or control characters make
 *    up more than 1/32 of it (text headers have none; RFC 5322 allows none);
 * 4. its header section has none of the fields a message or MIME entity has: From, Sender,
 *    Reply-To, To, Cc, Bcc, Date, Message-ID, Subject, In-Reply-To, References, MIME-Version,
 *    Content-Type. Trace fields that servers add to whatever they deliver do not count. A message
 *    that starts with an empty line has an empty header section (RFC 5322 section 2.1).
 *
 * MIME-Version and Content-Type count because real mail cut down to its MIME structure (test
 * messages, scripts that send only a Content-Type) is still parsed sensibly; none of the files
 * this check is about carries them.
 */

/** Header section bytes looked at (the parser reads the same amount). */
const MAX_HEADER_SECTION_BYTES = 1024 * 1024;

/** Fields that make a header section a message's (lower-case names). */
const MAIL_FIELDS = new Set([
	'from',
	'sender',
	'reply-to',
	'to',
	'cc',
	'bcc',
	'date',
	'message-id',
	'subject',
	'in-reply-to',
	'references',
	'mime-version',
	'content-type',
]);

interface Signature {
	bytes: number[];
	what: string;
}

/** Signatures of binary file formats at the start of a file. */
const SIGNATURES: Signature[] = [
	{
		bytes: [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1],
		what: 'an OLE compound file signature (an Outlook .msg file or an old Office document?)',
	},
	{ bytes: [0x50, 0x4b, 0x03, 0x04], what: 'a ZIP archive signature (also .docx, .xlsx, .odt)' },
	{ bytes: [0x50, 0x4b, 0x05, 0x06], what: 'an empty ZIP archive signature' },
	{ bytes: [0x25, 0x50, 0x44, 0x46, 0x2d], what: 'a PDF document signature (%PDF-)' },
	{ bytes: [0x1f, 0x8b], what: 'a gzip signature' },
	{ bytes: [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], what: 'a PNG image signature' },
	{ bytes: [0xff, 0xd8, 0xff], what: 'a JPEG image signature' },
	{ bytes: [0x47, 0x49, 0x46, 0x38], what: 'a GIF image signature' },
	{ bytes: [0x7f, 0x45, 0x4c, 0x46], what: 'an ELF executable signature' },
	{ bytes: [0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c], what: 'a 7-Zip archive signature' },
	{ bytes: [0x52, 0x61, 0x72, 0x21, 0x1a, 0x07], what: 'a RAR archive signature' },
	{ bytes: [0x78, 0x9f, 0x3e, 0x22], what: 'a TNEF signature (a winmail.dat file)' },
	{ bytes: [0x21, 0x42, 0x44, 0x4e], what: 'an Outlook .pst file signature' },
];

function signatureAt(raw: Buffer, offset: number): string | null {
	for (const { bytes, what } of SIGNATURES) {
		if (offset + bytes.length > raw.length) continue;
		if (bytes.every((byte, i) => raw[offset + i] === byte)) return what;
	}
	return null;
}

const isNameByte = (byte: number) => byte >= 0x21 && byte <= 0x7e && byte !== 0x3a;

/** Lower-case field name when the line [start, end) is a header field, else null. */
function fieldName(raw: Buffer, start: number, end: number): string | null {
	let pos = start;
	while (pos < end && isNameByte(raw[pos])) pos++;
	let nameEnd = pos;
	// obsolete syntax (RFC 5322 4.5): blanks between name and colon
	while (pos < end && (raw[pos] === 0x20 || raw[pos] === 0x09)) pos++;
	if (pos === start || pos >= end || raw[pos] !== 0x3a) return null;
	while (nameEnd > start && (raw[nameEnd - 1] === 0x20 || raw[nameEnd - 1] === 0x09)) nameEnd--;
	if (nameEnd === start) return null;
	return raw.toString('latin1', start, nameEnd).toLowerCase();
}

/** End of the line starting at `start` (index of CR/LF or the limit), and where the next starts. */
function lineAt(raw: Buffer, start: number, limit: number): { end: number; next: number } {
	let end = start;
	while (end < limit && raw[end] !== 0x0a && raw[end] !== 0x0d) end++;
	let next = end;
	if (raw[next] === 0x0d) next++;
	if (raw[next] === 0x0a) next++;
	return { end, next };
}

/** Control characters other than HT, LF, CR, ESC (ISO-2022-JP headers use ESC). */
const isControl = (byte: number) =>
	(byte < 0x20 && byte !== 0x09 && byte !== 0x0a && byte !== 0x0d && byte !== 0x1b) ||
	byte === 0x7f;

/**
 * Why `raw` is not an e-mail message, or null when it has the header section of one. Reads at
 * most the first megabyte, once (time linear in it).
 */
export function notAnEmailReason(raw: Buffer): string | null {
	if (raw.length === 0) return 'it is empty';
	const limit = Math.min(raw.length, MAX_HEADER_SECTION_BYTES);
	let pos = 0;
	if (raw.toString('latin1', 0, 5) === 'From ') pos = lineAt(raw, 0, limit).next;
	const start = pos;
	const atStart = signatureAt(raw, start);
	if (atStart) return `it starts with ${atStart}`;

	let fields = 0;
	let mailFields = 0;
	let foreignLineSeen = false;
	let inField = false;
	let nul = false;
	let controls = 0;
	while (pos < limit) {
		const { end, next } = lineAt(raw, pos, limit);
		if (end === pos) break; // the empty line that ends the header section
		for (let i = pos; i < end; i++) {
			if (raw[i] === 0) nul = true;
			else if (isControl(raw[i])) controls++;
		}
		const continuation = (raw[pos] === 0x20 || raw[pos] === 0x09) && inField;
		if (!continuation) {
			const name = fieldName(raw, pos, end);
			inField = name !== null;
			if (name !== null) {
				fields++;
				if (MAIL_FIELDS.has(name)) mailFields++;
			} else if (!foreignLineSeen) {
				foreignLineSeen = true;
				const glued = mailFields === 0 ? signatureAt(raw, pos) : null;
				if (glued) {
					return `its content starts with ${glued} after ${fields} header field${fields === 1 ? '' : 's'} added on delivery`;
				}
			}
		}
		pos = next;
	}
	const sectionBytes = pos - start;
	if (nul) return 'its header section holds NUL bytes (binary data, not text)';
	if (controls > 0 && controls * 32 > sectionBytes) {
		return `its header section is mostly not text (${controls} control characters in ${sectionBytes} bytes)`;
	}
	if (mailFields > 0) return null;
	if (sectionBytes === 0) return 'it has no header section (it starts with an empty line)';
	if (fields === 0) return 'it has no header section (its first line is not a header field)';
	const which =
		fields === 1 ? 'its only header field is not' : `none of its ${fields} header fields is`;
	return `${which} one a mail has (From, Sender, To, Cc, Date, Message-ID, Subject, MIME-Version, Content-Type)`;
}

/** Throws NOT_AN_EMAIL when `raw` is not an e-mail message (see notAnEmailReason). */
export function assertEmailMessage(raw: Buffer): void {
	const reason = notAnEmailReason(raw);
	if (reason === null) return;
	throw new MailCasesError(
		'NOT_AN_EMAIL',
		`Not an e-mail message: ${reason}. The input (${raw.length} bytes) was not processed. If someone delivered a file as a message, open it from the quarantine with a program for that file type and ask the sender to attach it to a mail instead.`,
		{ details: { size: raw.length, reason } },
	);
}
