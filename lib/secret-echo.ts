/**
 * Server replies in error messages without secrets (issue #11.8). A server or library may echo
 * what it was sent: the password of a LOGIN, the base64 of an AUTH PLAIN/LOGIN exchange, a
 * form-encoded client secret, a quoted or JSON-escaped string. Masking the secret inside such a
 * text would reveal a short secret (with password "a", every starred "a" of the reply shows it),
 * so a reply that contains a secret in any of these forms is not shown at all.
 */

/** Said instead of a server's reply that contained a secret. */
export const WITHHELD_SERVER_TEXT =
	"the server's reply is not shown because it contained the password or secret";

type Secrets = ReadonlyArray<string | undefined>;

const BACKSLASH = 0x5c;
const PERCENT = 0x25;
const PLUS = 0x2b;

function hexValue(byte: number): number {
	if (byte >= 0x30 && byte <= 0x39) return byte - 0x30;
	const lower = byte | 0x20;
	return lower >= 0x61 && lower <= 0x66 ? lower - 0x61 + 10 : -1;
}

/** Quoted-string and JSON escapes undone: `\x` → `x` (JSON's \uXXXX is left as it is). */
function unescaped(bytes: Buffer): Buffer {
	const out = Buffer.allocUnsafe(bytes.length);
	let n = 0;
	for (let i = 0; i < bytes.length; i++) {
		if (bytes[i] === BACKSLASH && i + 1 < bytes.length) i++;
		out[n++] = bytes[i];
	}
	return out.subarray(0, n);
}

/** URL / form decoding: `%XX` → byte, and `+` → space when `plusIsSpace`. */
function percentDecoded(bytes: Buffer, plusIsSpace: boolean): Buffer {
	const out = Buffer.allocUnsafe(bytes.length);
	let n = 0;
	for (let i = 0; i < bytes.length; i++) {
		const byte = bytes[i];
		const high = byte === PERCENT && i + 2 < bytes.length ? hexValue(bytes[i + 1]) : -1;
		const low = high >= 0 ? hexValue(bytes[i + 2]) : -1;
		if (low >= 0) {
			out[n++] = high * 16 + low;
			i += 2;
		} else {
			out[n++] = plusIsSpace && byte === PLUS ? 0x20 : byte;
		}
	}
	return out.subarray(0, n);
}

function isBase64Byte(byte: number): boolean {
	const lower = byte | 0x20;
	return (
		(lower >= 0x61 && lower <= 0x7a) ||
		(byte >= 0x30 && byte <= 0x39) ||
		byte === PLUS ||
		byte === 0x2f || // /
		byte === 0x2d || // - (base64url)
		byte === 0x5f // _ (base64url)
	);
}

/**
 * Whether a run of base64 characters, decoded from any of its first four positions (the
 * run may start inside a longer token), contains the secret.
 */
function base64RunsContain(bytes: Buffer, secret: Buffer): boolean {
	const minRun = Math.ceil((secret.length * 4) / 3);
	let start = 0;
	for (let i = 0; i <= bytes.length; i++) {
		if (i < bytes.length && isBase64Byte(bytes[i])) continue;
		if (i - start >= minRun) {
			const run = bytes.subarray(start, i).toString('latin1');
			for (let shift = 0; shift < 4 && i - start - shift >= minRun; shift++) {
				if (Buffer.from(run.slice(shift), 'base64').includes(secret)) return true;
			}
		}
		start = i + 1;
	}
	return false;
}

/**
 * Whether `text` contains one of the secrets: as is, with backslash escapes undone,
 * URL/form-decoded, or base64-encoded (alone or inside a longer base64 text such as an
 * AUTH PLAIN string). Empty secrets are ignored; the secrets are compared as bytes, never
 * as patterns, so any character in them is taken literally.
 */
export function echoesSecret(text: string, secrets: Secrets): boolean {
	const wanted = secrets.filter((s): s is string => typeof s === 'string' && s.length > 0);
	if (!wanted.length || !text) return false;
	const bytes = Buffer.from(text, 'utf8');
	const forms = [
		bytes,
		unescaped(bytes),
		percentDecoded(bytes, true),
		percentDecoded(bytes, false),
	];
	return wanted.some((secret) => {
		const needle = Buffer.from(secret, 'utf8');
		return forms.some((form) => form.includes(needle)) || base64RunsContain(bytes, needle);
	});
}

/**
 * A server's (or client library's) text as it may appear in an error message: unchanged, or
 * WITHHELD_SERVER_TEXT when it contains a secret in any form echoesSecret knows. Never masks
 * parts of the text.
 */
export function serverTextShown(text: string, secrets: Secrets): string {
	return echoesSecret(text, secrets) ? WITHHELD_SERVER_TEXT : text;
}
