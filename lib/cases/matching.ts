/**
 * R-PROC-1 / R-PLUS-4: which existing case an incoming mail belongs to.
 *
 * Order (the caller does the lookups, this module only decides):
 *   1. the case numbers found in the subject, strongest first (extractCaseNumbers) — the first
 *      one that names an existing case wins;
 *   2. the thread headers: the `In-Reply-To` id(s), then `References` newest (last) first —
 *      the first message id that belongs to a case wins.
 * When the subject wins but the thread points to another case, the result says so
 * (`threadCase`), so the caller can log it; the subject still wins because a person edited it.
 */

export interface CaseRef {
	id: string | number;
	caseNumber?: string;
}

export interface PickCaseInput<T extends CaseRef> {
	/** Lookup result for each number of extractCaseNumbers, same order; null = no such case. */
	byNumber: ReadonlyArray<T | null | undefined>;
	/**
	 * The case found through the thread headers: either one result (the caller already walked
	 * threadMessageIds in order) or one result per id of threadMessageIds, same order.
	 */
	byThread?: T | null | ReadonlyArray<T | null | undefined>;
}

export interface PickedCase<T extends CaseRef> {
	case: T;
	via: 'subject' | 'thread';
	/** Index into byNumber / byThread of the winning entry (0 for a single byThread). */
	index: number;
	/** Set when the subject won and the thread headers point to a different case. */
	threadCase?: T;
}

function firstPresent<T>(
	list: ReadonlyArray<T | null | undefined>,
): { value: T; index: number } | null {
	for (let i = 0; i < list.length; i++) {
		const v = list[i];
		if (v !== null && v !== undefined) return { value: v, index: i };
	}
	return null;
}

/** R-PROC-1 / R-PLUS-4: the case a mail belongs to, or null (then R-PROC-6 applies). */
export function pickCase<T extends CaseRef>(input: PickCaseInput<T>): PickedCase<T> | null {
	const thread = Array.isArray(input.byThread)
		? firstPresent(input.byThread as ReadonlyArray<T | null | undefined>)
		: input.byThread
			? { value: input.byThread as T, index: 0 }
			: null;
	const subject = firstPresent(input.byNumber ?? []);
	if (subject) {
		const picked: PickedCase<T> = { case: subject.value, via: 'subject', index: subject.index };
		if (thread && String(thread.value.id) !== String(subject.value.id))
			picked.threadCase = thread.value;
		return picked;
	}
	if (thread) return { case: thread.value, via: 'thread', index: thread.index };
	return null;
}

export interface ThreadHeaders {
	inReplyTo?: string | string[] | null;
	references?: string | string[] | null;
}

/** Default number of message ids looked up; long `References` chains are cut (newest kept). */
export const MAX_THREAD_IDS = 50;

/** Message ids in a header value, with angle brackets: `<a@b>`. */
export function messageIdsIn(value: string | string[] | null | undefined): string[] {
	if (value === null || value === undefined) return [];
	const text = Array.isArray(value) ? value.join(' ') : String(value);
	const bracketed = text.match(/<[^<>\s]+>/g);
	if (bracketed) return bracketed;
	// Some senders omit the brackets: take tokens that look like ids.
	return text
		.split(/[\s,]+/)
		.filter((t) => /^[^<>\s@]+@[^<>\s@]+$/.test(t))
		.map((t) => `<${t}>`);
}

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
