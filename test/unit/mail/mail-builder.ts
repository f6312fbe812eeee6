/**
 * Builds small raw messages for the mail tests. Lines are joined with CRLF; `latin1: true`
 * writes every character below U+0100 as one byte (for ISO-8859-1 / Windows-1252 bodies and
 * raw 8-bit headers), otherwise the text is UTF-8.
 */
export function eml(text: string, options: { latin1?: boolean } = {}): Buffer {
	const crlf = text.replace(/\r?\n/g, '\r\n');
	return Buffer.from(crlf, options.latin1 ? 'latin1' : 'utf8');
}

/** A plain message with the given extra header lines. */
export function simpleMail(headerLines: string[] = [], body = 'Hello,\nplease help.\n'): Buffer {
	return eml(
		[
			'From: Erika Mustermann <erika@example.org>',
			'To: support@example.com',
			'Subject: Question about my order',
			'Date: Tue, 03 Mar 2026 10:15:00 +0100',
			'Message-ID: <q1@example.org>',
			...headerLines,
			'MIME-Version: 1.0',
			'Content-Type: text/plain; charset=utf-8',
			'',
			body,
		].join('\n'),
	);
}

/** A deterministic pseudo-random byte sequence (no Math.random in tests). */
export function pseudoRandomBytes(length: number, seed = 1): Buffer {
	const out = Buffer.alloc(length);
	let x = seed >>> 0 || 1;
	for (let i = 0; i < length; i++) {
		x ^= x << 13;
		x >>>= 0;
		x ^= x >>> 17;
		x ^= x << 5;
		x >>>= 0;
		out[i] = x & 0xff;
	}
	return out;
}
