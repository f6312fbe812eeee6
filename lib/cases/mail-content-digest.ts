/**
 * #13.2: the content digest of a mail, which tells a replay (the same mail again) from a reuse
 * (another mail under a Message-ID the ledger has seen).
 *
 * It covers what makes a mail this mail: the From, Date and Subject fields and the body (every
 * MIME part with its own headers, as sent). It leaves out everything servers add on the way —
 * Received, Delivered-To, Return-Path, X-Original-To and any other header — so the same mail
 * delivered to two watched mailboxes, or fetched again after a crash, has the same digest.
 *
 * It is computed from the raw message, not from the parsed text: the parsed text depends on the
 * reader (charset detection, HTML to text, ...), and a better reader in a later version must not
 * turn the replay of a mail into a "different" mail. Line ends are compared without CR (IMAP,
 * POP3 and Exchange hand out CRLF, a Maildir file has LF), trailing line ends of the body do not
 * count, and header values are compared unfolded with runs of white space as one space.
 *
 * Linear in the size of the message: one pass over the header section, one hash over the body.
 */
import { createHash } from 'node:crypto';

const DIGEST_FIELDS = ['from', 'date', 'subject'] as const;
const CR = 0x0d;
const LF = 0x0a;

/** Index of the first byte of the body (after the empty line), or raw.length without one. */
function bodyStart(raw: Buffer): { headerEnd: number; body: number } {
	let lineStart = 0;
	while (lineStart < raw.length) {
		const lf = raw.indexOf(LF, lineStart);
		const end = lf === -1 ? raw.length : lf;
		const empty = end === lineStart || (end === lineStart + 1 && raw[lineStart] === CR);
		if (empty) return { headerEnd: lineStart, body: lf === -1 ? raw.length : lf + 1 };
		if (lf === -1) break;
		lineStart = lf + 1;
	}
	return { headerEnd: raw.length, body: raw.length };
}

/** The first value of each digest field in the header section, unfolded, white space collapsed. */
function digestFields(header: string): Record<(typeof DIGEST_FIELDS)[number], string> {
	const found: Record<string, string> = {};
	let name: string | undefined;
	let value = '';
	const flush = () => {
		if (name !== undefined && !(name in found)) found[name] = value.replace(/\s+/g, ' ').trim();
		name = undefined;
	};
	for (const line of header.split('\n')) {
		if (/^[ \t]/.test(line)) {
			if (name !== undefined) value += ` ${line}`;
			continue;
		}
		flush();
		const colon = line.indexOf(':');
		if (colon <= 0) continue;
		const field = line.slice(0, colon).trim().toLowerCase();
		if ((DIGEST_FIELDS as readonly string[]).includes(field)) {
			name = field;
			value = line.slice(colon + 1);
		}
	}
	flush();
	return { from: found.from ?? '', date: found.date ?? '', subject: found.subject ?? '' };
}

/** Feeds `bytes` to the hash with every CRLF as LF, in slices (no copy of the whole body). */
function updateWithoutCr(hash: ReturnType<typeof createHash>, bytes: Buffer): void {
	let from = 0;
	for (;;) {
		const cr = bytes.indexOf(CR, from);
		if (cr === -1) {
			hash.update(bytes.subarray(from));
			return;
		}
		const crlf = bytes[cr + 1] === LF;
		hash.update(bytes.subarray(from, crlf ? cr : cr + 1));
		from = cr + 1;
	}
}

/** The content digest of a raw mail: lower-case SHA-256 hex. */
export function mailContentDigest(raw: Buffer | Uint8Array): string {
	const bytes = Buffer.isBuffer(raw) ? raw : Buffer.from(raw.buffer, raw.byteOffset, raw.length);
	const { headerEnd, body } = bodyStart(bytes);
	const fields = digestFields(bytes.subarray(0, headerEnd).toString('latin1').replace(/\r/g, ''));
	let bodyEnd = bytes.length;
	while (bodyEnd > body && (bytes[bodyEnd - 1] === LF || bytes[bodyEnd - 1] === CR)) bodyEnd--;
	const hash = createHash('sha256');
	hash.update('mail-cases content digest 1\n');
	for (const field of DIGEST_FIELDS) hash.update(`${field}:${fields[field]}\n`, 'latin1');
	hash.update('\n');
	updateWithoutCr(hash, bytes.subarray(body, bodyEnd));
	return hash.digest('hex');
}

const SHA256_HEX = /^[0-9a-f]{64}$/;

/** The content digest an item carries (`contentDigest`), or undefined when absent or malformed. */
export function contentDigestOf(mail: { contentDigest?: unknown }): string | undefined {
	const value =
		typeof mail.contentDigest === 'string' ? mail.contentDigest.trim().toLowerCase() : '';
	return SHA256_HEX.test(value) ? value : undefined;
}
