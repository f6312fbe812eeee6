/**
 * Message-IDs (RFC 5322 §3.6.4), the one module for reading them. Two written forms exist in
 * this package, and each function says in its name which one it returns:
 * - bracketed `<id@host>`: what mail headers carry; the parsed mail (`messageId`,
 *   `inReplyTo`, `references`) and the threading headers we write use it;
 * - bare `id@host`: what the store keeps (ledger keys `mid:id@host`, the Message-IDs recorded
 *   for a case). Stored values depend on it: its rule never changes.
 * Ids are compared case-sensitively (RFC 5322 gives no case rule for them).
 * Every function is linear in the length of its input (issue #11: test/unit/hostile).
 */

const BRACKETED_ID = /<[^<>\s]+>/g;
const BARE_ID_TOKEN = /^[^@<>\s]+@[^@<>\s]+$/;

/**
 * The Message-IDs in a header value (References, In-Reply-To, Message-ID) or a list of them,
 * bracketed, in order, without duplicates. Comments and other text around them are ignored;
 * when the value has no bracketed id at all, tokens that look like `local@domain` are taken
 * (some senders omit the brackets).
 */
export function messageIdsIn(value: string | readonly string[] | null | undefined): string[] {
	if (value === null || value === undefined) return [];
	const text = Array.isArray(value) ? value.join(' ') : String(value);
	if (!text) return [];
	let ids: string[] = text.match(BRACKETED_ID) ?? [];
	if (!ids.length) {
		ids = text
			.split(/[\s,]+/)
			.filter((token) => BARE_ID_TOKEN.test(token))
			.map((token) => `<${token}>`);
	}
	return [...new Set(ids)];
}

/**
 * One Message-ID, bracketed (`<id@host>`), or null for an empty value: the first id of the
 * value, else its first word with any brackets around it replaced by one pair.
 */
export function bracketedMessageId(value: string | null | undefined): string | null {
	const ids = messageIdsIn(value);
	if (ids.length) return ids[0];
	const token = (value ?? '')
		.trim()
		.split(/\s+/)[0]
		.replace(/^<+/, '')
		.replace(/^([^]*[^>])?>+$/, '$1');
	return token ? `<${token}>` : null;
}

/**
 * A Message-ID we write (Message-ID, In-Reply-To, References of an outgoing mail), bracketed;
 * null when it is empty or has white space or angle brackets inside. Stricter than
 * bracketedMessageId: what we send must be one well-formed id, not the best reading of one.
 */
export function writableMessageId(id: string): string | null {
	const bare = id.trim().replace(/^<|>$/g, '');
	return !bare || /[\s<>]/.test(bare) ? null : `<${bare}>`;
}

/**
 * A Message-ID as the store keeps it: surrounding space and one pair of angle brackets
 * removed (`<a@b>` → `a@b`); undefined for an empty id.
 */
export function bareMessageId(id: string | null | undefined): string | undefined {
	if (id === null || id === undefined) return undefined;
	let text = String(id).trim();
	if (text.startsWith('<') && text.endsWith('>')) text = text.slice(1, -1).trim();
	return text === '' ? undefined : text;
}
