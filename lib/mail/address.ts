import { parseAddressHeader } from 'mailparser';
import type { MailAddress } from './types';

/**
 * Parses address header values (From, To, Cc, ...) into mailboxes. Groups are flattened into
 * their members, entries without an address are dropped, display names are decoded (encoded
 * words). Pass the header value BEFORE encoded words are decoded: a decoded name such as
 * "Müller, Hans" would otherwise split into two addresses. Never throws.
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
			const address = (entry.address ?? '').trim();
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
