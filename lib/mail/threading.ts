/**
 * R-PLUS-4: threading headers (RFC 5322 §3.6.4). Which message ids of an incoming mail point to
 * its thread (`threadMessageIds`, looked up by case matching) and the In-Reply-To / References
 * a reply to a mail carries (`replyThreadingHeaders`).
 */
import { messageIdsIn } from './message-id';

export interface ThreadHeaders {
	inReplyTo?: string | string[] | null;
	references?: string | string[] | null;
}

/** Default number of message ids looked up; long `References` chains are cut (newest kept). */
export const MAX_THREAD_IDS = 50;

/**
 * R-PLUS-4: message ids to look up, in order: `In-Reply-To` first, then `References` from
 * newest (last) to oldest; duplicates removed, at most `limit` (default 50).
 */
export function threadMessageIds(
	parsed: ThreadHeaders,
	options: { limit?: number } = {},
): string[] {
	const limit = options.limit ?? MAX_THREAD_IDS;
	const ordered = [...messageIdsIn(parsed.inReplyTo), ...messageIdsIn(parsed.references).reverse()];
	const seen = new Set<string>();
	const out: string[] = [];
	for (const id of ordered) {
		if (seen.has(id)) continue;
		seen.add(id);
		out.push(id);
		if (out.length >= limit) break;
	}
	return out;
}

export interface ReplyHeaders {
	inReplyTo: string;
	references: string[];
}

/** Default length of the References chain we write. */
export const MAX_REFERENCES = 20;

/**
 * R-PLUS-4: threading headers for a reply to `parent` (RFC 5322 §3.6.4): In-Reply-To is the
 * parent's Message-ID; References is the parent's References (or its single In-Reply-To id
 * when it has none) followed by the parent's Message-ID. Long chains keep the first id (the
 * thread root) and the newest ones. Returns null when the parent has no usable Message-ID.
 */
export function replyThreadingHeaders(
	parent: {
		messageId?: string | null;
		references?: string | string[] | null;
		inReplyTo?: string | string[] | null;
	},
	options: { maxReferences?: number } = {},
): ReplyHeaders | null {
	const [messageId] = messageIdsIn(parent.messageId);
	if (!messageId) return null;
	let chain = messageIdsIn(parent.references);
	if (chain.length === 0) {
		const inReplyTo = messageIdsIn(parent.inReplyTo);
		if (inReplyTo.length === 1) chain = inReplyTo;
	}
	chain = [...new Set([...chain.filter((id) => id !== messageId), messageId])];
	const max = Math.max(2, options.maxReferences ?? MAX_REFERENCES);
	if (chain.length > max) chain = [chain[0], ...chain.slice(chain.length - (max - 1))];
	return { inReplyTo: messageId, references: chain };
}
