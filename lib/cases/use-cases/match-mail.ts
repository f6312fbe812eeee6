/**
 * R-PROC-1 / R-PLUS-4 / R-PLUS-5: the existing case a mail belongs to (findCaseForMail: the
 * ledger, the case numbers in the subject, the reply headers) and whether its sender may add to
 * that case (the sender policy). A mail the ledger already placed in its case was allowed then;
 * its replay is not checked again. Issue #11.7: `signedOrParticipant` decides on how the mail
 * named its case, and a From address the trusted receiving server reports as dmarc=fail counts
 * as a stranger's.
 */
import type { Store } from '../../store/open-store';
import type { Case } from '../../store/types';
import { trustedDmarcResult, type DmarcResult } from '../authentication-results';
import { checkCaseSender } from '../case-sender';
import {
	subjectReference,
	type CaseNumberMatchKind,
	type CaseReferenceSignature,
} from '../case-number';
import type { CaseReferenceKey } from '../../store/case-reference-tag';
import { findCaseForMail, type CaseMatchVia, type UnmatchedReason } from '../find-case';
import { contentDigestOf } from '../mail-content-digest';
import { mailLedgerKey } from '../mail-ledger-key';
import type { SenderPolicy, SenderPolicyReason } from '../sender-policy';
import type { CaseMail } from './case-mail';

export interface MatchMailDeps {
	store: Pick<Store, 'cases' | 'ledger' | 'contacts' | 'orgUnits' | 'activities'> & {
		readonly caseNumberFormat: string;
	};
	/** Checks signed references `[#number-tag]` and signs the matched case's reference. */
	referenceKey: CaseReferenceKey;
}

export interface MatchMailInput {
	mail: Pick<
		CaseMail,
		| 'messageId'
		| 'messageKey'
		| 'contentDigest'
		| 'rawHash'
		| 'raw'
		| 'subject'
		| 'inReplyTo'
		| 'references'
		| 'from'
		| 'headers'
	>;
	/** Who may add mail to a case; any chosen policy that allows the sender suffices. */
	senderPolicy: SenderPolicy[];
	/** Empty: the store's format. */
	caseNumberFormat?: string;
	/** Words that may stand in front of a case number. */
	keywords?: string[];
	/** Regular expressions with one capturing group that yields the case number. */
	patterns?: string[];
	/** Default true. */
	bareNumbers?: boolean;
	/** Match through In-Reply-To / References (default true). */
	threadHeaders?: boolean;
	plusAddressing?: 'distinct' | 'same';
	/** The authserv-ID of the receiving server whose Authentication-Results are trusted. */
	trustedAuthservId?: string;
}

/** Refusals of `signedOrParticipant` that name their cause as the unmatched reason. */
const STRANGER_REASONS = [
	'invalid-reference-tag',
	'unsigned-reference-from-stranger',
	'reply-to-unknown-mail-from-stranger',
	'from-failed-dmarc',
] as const satisfies readonly SenderPolicyReason[];

export type MatchMailUnmatchedReason =
	| UnmatchedReason
	| 'sender-not-allowed'
	| (typeof STRANGER_REASONS)[number];

/** How the mail was matched (the `caseMatch` object of Case Match's output). */
export interface CaseMatchInfo {
	via: CaseMatchVia;
	caseNumbers: string[];
	reference?: { kind: CaseNumberMatchKind; signature: CaseReferenceSignature };
	repliesToOurMail: boolean;
	dmarc?: DmarcResult;
	/** The sender policy's verdict (absent for a replay via the ledger). */
	sender?: { reason: SenderPolicyReason; message: string };
	/** When the subject won but the reply headers point to another case. */
	threadCaseNumber?: string;
}

export type MatchMailResult =
	| { matched: true; case: Case; reference: string; caseMatch: CaseMatchInfo }
	| {
			matched: false;
			reason: MatchMailUnmatchedReason;
			message: string;
			caseNumbers: string[];
			/** The case the mail named when its sender was refused. */
			caseNumber?: string;
	  };

function ledgerKeyOrNone(mail: MatchMailInput['mail']): string | undefined {
	try {
		return mailLedgerKey(mail);
	} catch {
		return undefined; // no Message-ID and no hash: the mail cannot have been recorded
	}
}

const isStrangerReason = (r: SenderPolicyReason): r is (typeof STRANGER_REASONS)[number] =>
	(STRANGER_REASONS as readonly SenderPolicyReason[]).includes(r);

export async function matchMail(
	{ store, referenceKey }: MatchMailDeps,
	input: MatchMailInput,
): Promise<MatchMailResult> {
	const { mail } = input;
	const found = await findCaseForMail(store, mail, {
		referenceKey,
		format: input.caseNumberFormat?.trim() || store.caseNumberFormat,
		keywords: input.keywords ?? [],
		patterns: input.patterns ?? [],
		bare: input.bareNumbers !== false,
		thread: input.threadHeaders !== false,
		messageKey: ledgerKeyOrNone(mail),
		contentDigest: contentDigestOf(mail),
	});
	if (!found.matched) {
		return {
			matched: false,
			reason: found.reason,
			message: found.message,
			caseNumbers: found.caseNumbers,
		};
	}
	// #11.7: only our own server's topmost Authentication-Results count (see the module)
	const dmarc = trustedDmarcResult(mail.headers['authentication-results'], input.trustedAuthservId);
	const sender =
		found.via === 'ledger'
			? undefined
			: await checkCaseSender(store, found.case, mail.from?.address, {
					policy: input.senderPolicy,
					plusAddressing: input.plusAddressing,
					evidence: {
						via: found.via,
						signature: found.reference?.signature,
						repliesToOurMail: found.repliesToOurMail,
					},
					senderUnverified: dmarc === 'fail',
				});
	if (sender && !sender.allowed) {
		return {
			matched: false,
			reason: isStrangerReason(sender.reason) ? sender.reason : 'sender-not-allowed',
			message: `Case ${found.case.number}: ${sender.message}`,
			caseNumbers: found.caseNumbers,
			caseNumber: found.case.number,
		};
	}
	return {
		matched: true,
		case: found.case,
		reference: subjectReference(found.case.number, referenceKey),
		caseMatch: {
			via: found.via,
			caseNumbers: found.caseNumbers,
			...(found.reference ? { reference: found.reference } : {}),
			repliesToOurMail: found.repliesToOurMail,
			...(dmarc ? { dmarc } : {}),
			...(sender ? { sender: { reason: sender.reason, message: sender.message } } : {}),
			...(found.threadCase ? { threadCaseNumber: found.threadCase.number } : {}),
		},
	};
}
