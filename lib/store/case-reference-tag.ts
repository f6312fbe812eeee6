/**
 * Issue #11.7: signed case references. The reference our outgoing subjects carry ends in a short
 * keyed tag, `[#2026-000123-k7q2mz]`: the first 30 bits of HMAC-SHA256(secret, case number),
 * written as 6 characters of Crockford's base32 alphabet in lower case (digits and letters
 * without i, l, o, u; compared case-insensitively). Without the secret a stranger must guess:
 * one mail per guess, 2^30 ≈ 1.07 billion possible tags per case number.
 *
 * The secret is created at store migration (lib/store/migrations.ts, version 2) and read by
 * `Store.caseReferenceKey()`. A CaseReferenceKey keeps it in a closure: it is no property of
 * the object, so it never ends up in JSON, logs or error messages.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { MailCasesError } from '../errors';

/** Characters of a tag. */
export const CASE_REFERENCE_TAG_LENGTH = 6;
/** Crockford's base32 in lower case: no i, l, o, u (easy to read aloud and to type). */
export const CASE_REFERENCE_TAG_ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';
/** Bytes of a new secret. */
export const CASE_REFERENCE_SECRET_BYTES = 32;

const DOMAIN = 'mail-cases case reference v1\n';

export interface CaseReferenceKey {
	/** The tag of a case number (canonical spelling, as the store keeps it). */
	tag(caseNumber: string): string;
	/** Whether `tag` (any letter case) is the tag of `caseNumber`; compared in constant time. */
	verify(caseNumber: string, tag: string): boolean;
}

/** A new random secret, base64url text as the store keeps it. */
export function newCaseReferenceSecret(): string {
	return randomBytes(CASE_REFERENCE_SECRET_BYTES).toString('base64url');
}

function encode(digest: Buffer): string {
	let out = '';
	let bits = 0;
	let value = 0;
	for (const byte of digest) {
		value = (value << 8) | byte;
		bits += 8;
		while (bits >= 5 && out.length < CASE_REFERENCE_TAG_LENGTH) {
			bits -= 5;
			out += CASE_REFERENCE_TAG_ALPHABET[(value >> bits) & 31];
		}
		value &= (1 << bits) - 1;
		if (out.length === CASE_REFERENCE_TAG_LENGTH) break;
	}
	return out;
}

/** Whether text has the outer shape of a tag (length and alphabet); says nothing about validity. */
export function looksLikeTag(text: string): boolean {
	if (text.length !== CASE_REFERENCE_TAG_LENGTH) return false;
	for (const ch of text.toLowerCase()) if (!CASE_REFERENCE_TAG_ALPHABET.includes(ch)) return false;
	return true;
}

/**
 * The key object for a stored secret (base64url text). Throws INTERNAL for a secret shorter
 * than 16 bytes (a damaged store row); the message never contains the secret.
 */
export function caseReferenceKey(secret: string): CaseReferenceKey {
	const key = Buffer.from(secret, 'base64url');
	if (key.length < 16) {
		throw new MailCasesError(
			'INTERNAL',
			'The case store holds no usable case reference secret (table store_secrets, name "case-reference-tag"); delete that row so that a new one is created (existing tags then stop being valid)',
		);
	}
	const tag = (caseNumber: string) =>
		encode(createHmac('sha256', key).update(DOMAIN).update(caseNumber, 'utf8').digest());
	return Object.freeze({
		tag,
		verify(caseNumber: string, candidate: string): boolean {
			const given = String(candidate ?? '').toLowerCase();
			if (!looksLikeTag(given)) return false;
			return timingSafeEqual(Buffer.from(tag(caseNumber)), Buffer.from(given));
		},
	});
}
