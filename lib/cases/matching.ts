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
