/**
 * R-PROC-1 / R-PLUS-4: the existing case an incoming mail belongs to, looked up in the store.
 *
 * Order:
 *   0. the ledger (R-PLUS-2): a replay takes the same path as the first run, so the write after
 *      it replays instead of writing again — even if the subject rules or the data changed
 *      since. A mail already stored in a case goes back to that case (matched); a mail that
 *      opened a case goes to "unmatched" again with reason `opened-case`, where Create Case
 *      From Mail returns that case (replayed) and what follows it (the acknowledgement) can
 *      finish what a crash interrupted;
 *   1. the case numbers in the subject, strongest form first (extractCaseNumbers): the first
 *      that names an existing case wins;
 *   2. the thread headers: In-Reply-To, then References newest first, against the Message-IDs
 *      the store knows (our outgoing mails and stored mails).
 * Only existing cases match; numbers that name no case are reported, never created.
 * A matched result also says how the mail named its case (issue #11.7): the kind and signature
 * of the subject reference, and whether a thread id is a Message-ID we sent for that case —
 * what the sender policy `signedOrParticipant` decides on.
 */
import type { Store } from '../store/open-store';
import type { Case } from '../store/types';
import {
	findCaseNumbers,
	type CaseNumberMatchKind,
	type CaseReferenceSignature,
	type ExtractCaseNumbersOptions,
} from './case-number';
import { threadMessageIds } from '../mail/threading';
import { pickCase } from './matching';

export interface FindCaseMail {
	subject?: string | null;
	inReplyTo?: string | string[] | null;
	references?: string | string[] | null;
}

export interface FindCaseOptions extends ExtractCaseNumbersOptions {
	/** Also match through In-Reply-To / References (default true). */
	thread?: boolean;
	/** The mail's ledger key: when set, a mail processed before returns to its case. */
	messageKey?: string;
	/** #13.2: its content digest: another mail under the same Message-ID is no replay. */
	contentDigest?: string;
}

export type CaseMatchVia = 'ledger' | 'subject' | 'thread';

export type UnmatchedReason = 'no-case-reference' | 'case-not-found' | 'opened-case';

export type FindCaseResult =
	| {
			matched: true;
			case: Case;
			via: CaseMatchVia;
			/** The subject's case numbers, strongest first (also when the thread or ledger decided). */
			caseNumbers: string[];
			/** When the subject won but the thread headers point to another case. */
			threadCase?: Case;
			/** via `subject`: the form of the number that named the case and its signature. */
			reference?: { kind: CaseNumberMatchKind; signature: CaseReferenceSignature };
			/** In-Reply-To / References hold a Message-ID we sent for this case. */
			repliesToOurMail: boolean;
	  }
	| {
			matched: false;
			reason: UnmatchedReason;
			message: string;
			caseNumbers: string[];
	  };

type CaseStore = Pick<Store, 'cases' | 'ledger'>;

async function repliesToOurMail(store: CaseStore, ids: string[], c: Case): Promise<boolean> {
	return ids.length > 0 && (await store.cases.casesOfSentMessageIds(ids)).includes(c.id);
}

/** Looks the numbers up in order and stops at the first existing case. */
async function lookupNumbers(
	store: CaseStore,
	numbers: string[],
): Promise<Array<Case | undefined>> {
	const found: Array<Case | undefined> = [];
	for (const number of numbers) {
		const c = await store.cases.getByNumber(number);
		found.push(c);
		if (c) break;
	}
	return found;
}

export async function findCaseForMail(
	store: CaseStore,
	mail: FindCaseMail,
	options: FindCaseOptions = {},
): Promise<FindCaseResult> {
	const { thread = true, messageKey, contentDigest, ...numberOptions } = options;
	const matches = findCaseNumbers(mail.subject, numberOptions);
	const caseNumbers = matches.map((m) => m.number);
	const ids = thread
		? threadMessageIds({ inReplyTo: mail.inReplyTo, references: mail.references })
		: [];

	if (messageKey) {
		const entry = await store.ledger.lookup(messageKey, contentDigest);
		const c = entry?.caseId != null ? await store.cases.get(entry.caseId) : undefined;
		if (c && entry?.outcome === 'activity_added')
			return {
				matched: true,
				case: c,
				via: 'ledger',
				caseNumbers,
				repliesToOurMail: await repliesToOurMail(store, ids, c),
			};
		if (c && entry?.outcome === 'case_created')
			return {
				matched: false,
				reason: 'opened-case',
				message: `This mail opened case ${c.number} when it was processed before; it takes the same way again`,
				caseNumbers,
			};
	}

	const byNumber = await lookupNumbers(store, caseNumbers);
	const byThread = ids.length > 0 ? ((await store.cases.findCaseByMessageIds(ids)) ?? null) : null;
	const picked = pickCase<Case>({ byNumber, byThread });
	if (picked) {
		const named = picked.via === 'subject' ? matches[picked.index] : undefined;
		return {
			matched: true,
			case: picked.case,
			via: picked.via,
			caseNumbers,
			...(picked.threadCase ? { threadCase: picked.threadCase } : {}),
			...(named ? { reference: { kind: named.kind, signature: named.signature } } : {}),
			repliesToOurMail: await repliesToOurMail(store, ids, picked.case),
		};
	}
	if (caseNumbers.length > 0) {
		return {
			matched: false,
			reason: 'case-not-found',
			message: `No case with number ${caseNumbers.join(', ')} exists`,
			caseNumbers,
		};
	}
	return {
		matched: false,
		reason: 'no-case-reference',
		message:
			ids.length > 0
				? 'The subject names no case number and the mail replies to no mail of a case'
				: 'The subject names no case number and the mail is no reply',
		caseNumbers,
	};
}
