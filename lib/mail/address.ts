import { domainToASCII } from 'node:url';
import { parseAddressHeader } from 'mailparser';
import type { MailAddress } from './types';

/** RFC 5321 4.5.3.1: local part ≤ 64 octets, domain ≤ 255, a whole path ≤ 256 (254 without `<>`). */
export const MAX_LOCAL_PART_OCTETS = 64;
export const MAX_DOMAIN_OCTETS = 255;
export const MAX_ADDRESS_OCTETS = 254;
/** Longer input is not looked at (an address plus surrounding blanks never needs more). */
const MAX_INPUT_CHARS = 1024;

/** atext of RFC 5322 besides letters and digits. */
const ATEXT_SPECIALS = new Set("!#$%&'*+-/=?^_`{|}~");
const ASCII_ALNUM = /^[A-Za-z0-9]$/;
/** Non-ASCII allowed in a local part (RFC 6531): letters, marks, decimal digits only. */
const UNICODE_WORD = /^[\p{L}\p{M}\p{Nd}]$/u;
const LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
const NUMERIC = /^[0-9]+$/;

function isBlank(ch: string): boolean {
	return ch === ' ' || ch === '\t';
}

/** Trims spaces and tabs (only those: a CR or LF anywhere makes the value no address). */
function trimBlanks(text: string): string {
	let start = 0;
	let end = text.length;
	while (start < end && isBlank(text[start])) start++;
	while (end > start && isBlank(text[end - 1])) end--;
	return text.slice(start, end);
}

/** A dot-atom local part of ASCII atext and Unicode letters/marks/digits; no quoted strings. */
function validLocalPart(local: string): boolean {
	if (local === '' || local.startsWith('.') || local.endsWith('.') || local.includes('..'))
		return false;
	for (const ch of local) {
		if (ch === '.' || ASCII_ALNUM.test(ch) || ATEXT_SPECIALS.has(ch)) continue;
		if (ch.charCodeAt(0) < 0x80 || !UNICODE_WORD.test(ch)) return false;
	}
	return true;
}

/** Letters, digits, `-`, `.` and non-ASCII letters/marks/digits (an IDN before its IDNA check). */
function plausibleDomainText(domain: string): boolean {
	for (const ch of domain) {
		if (ch === '.' || ch === '-' || ASCII_ALNUM.test(ch)) continue;
		if (ch.charCodeAt(0) < 0x80 || !/^[\p{L}\p{M}\p{N}]$/u.test(ch)) return false;
	}
	return true;
}

/** The ASCII (A-label) form of a host name of ≥ 2 valid labels, or null. No address literals. */
function asciiDomain(domain: string): string | null {
	if (domain === '' || !plausibleDomainText(domain)) return null;
	const ascii = domainToASCII(domain);
	if (!ascii || ascii.length > MAX_DOMAIN_OCTETS) return null;
	const labels = ascii.split('.');
	if (labels.length < 2 || !labels.every((label) => LABEL.test(label))) return null;
	// an all-numeric last label is an IPv4 address (or a number), never a host name
	if (NUMERIC.test(labels[labels.length - 1])) return null;
	return ascii;
}

function parts(input: unknown): { local: string; domain: string; ascii: string } | null {
	if (typeof input !== 'string' || input.length > MAX_INPUT_CHARS) return null;
	const text = trimBlanks(input);
	const at = text.indexOf('@');
	if (at <= 0 || at !== text.lastIndexOf('@')) return null;
	const local = text.slice(0, at);
	const domain = text.slice(at + 1);
	// letters that NFKC turns into `@`, `,`, `<`, `(`… must not make an address somewhere else
	if (!validLocalPart(local) || !validLocalPart(local.normalize('NFKC'))) return null;
	if (Buffer.byteLength(local, 'utf8') > MAX_LOCAL_PART_OCTETS) return null;
	const ascii = asciiDomain(domain);
	if (ascii === null) return null;
	if (Buffer.byteLength(local, 'utf8') + 1 + ascii.length > MAX_ADDRESS_OCTETS) return null;
	return { local, domain, ascii };
}

/**
 * Exactly one RFC 5321 mailbox `local@domain`, or null. What a sender, reply-to or requester
 * address taken from a mail must be before anything uses it (issue #11.6):
 *   - local part: a dot-atom of RFC 5322 atext, plus Unicode letters, marks and decimal digits
 *     (RFC 6531); no quoted strings (`"a,b"@x`), no spaces, commas, semicolons, angle
 *     brackets, parentheses, quotes or control characters; ≤ 64 octets (UTF-8);
 *   - domain: a host name of at least two labels (letters, digits, hyphens; IDN allowed and
 *     checked in its A-label form), no address literal (`[1.2.3.4]`), no numeric top label;
 *     ≤ 255 octets;
 *   - the whole address ≤ 254 octets (local part + `@` + A-label domain).
 * Leading and trailing spaces/tabs are dropped; the rest is returned as written. Linear time.
 */
export function validMailbox(input: unknown): string | null {
	const p = parts(input);
	return p ? `${p.local}@${p.domain}` : null;
}

/**
 * The key under which a mailbox is counted or compared: lower-case local part, A-label
 * domain (`Max@Müller.de` → `max@xn--mller-kva.de`); null when `input` is no valid mailbox.
 */
export function mailboxKey(input: unknown): string | null {
	const p = parts(input);
	return p ? `${p.local.toLowerCase()}@${p.ascii}` : null;
}

/**
 * Parses address header values (From, To, Cc, ...) into mailboxes. Groups are flattened into
 * their members, entries without an address are dropped, display names are decoded (encoded
 * words). Pass the header value BEFORE encoded words are decoded: a decoded name such as
 * "Müller, Hans" would otherwise split into two addresses. An entry whose address is not
 * exactly one valid mailbox (validMailbox: `<a@x,b@y>`, `"a,b"@x`, …) is dropped. Never throws.
 */
export function parseAddressList(values: string | string[] | undefined): MailAddress[] {
	const list = values === undefined ? [] : Array.isArray(values) ? values : [values];
	const result: MailAddress[] = [];
	for (const value of list) {
		let parsed;
		try {
			parsed = parseAddressHeader(value, { flatten: true });
		} catch {
			continue;
		}
		for (const entry of parsed.value) {
			const address = validMailbox(entry.address ?? '');
			if (address) {
				// eslint-disable-next-line no-control-regex
				const name = (entry.name ?? '').replace(/[\x00-\x08\x0a-\x1f\x7f]/g, ' ').trim();
				result.push({ address, name });
			}
		}
	}
	return result;
}

/** Lower-cased, trimmed address for comparisons. */
export function normalizeAddress(address: string): string {
	return address.trim().toLowerCase();
}

/** The part before the last `@` (the whole value when there is none), lower-cased. */
export function localPart(address: string): string {
	const at = address.lastIndexOf('@');
	return normalizeAddress(at >= 0 ? address.slice(0, at) : address);
}

/** true when `address` equals one of `candidates`, ignoring case. */
export function isOneOf(
	address: string | undefined | null,
	candidates: readonly string[],
): boolean {
	if (!address) return false;
	const wanted = normalizeAddress(address);
	return candidates.some((c) => normalizeAddress(c) === wanted);
}
