import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { trustedDmarcResult } from '../../lib/cases/authentication-results';
import { caseJson } from '../../lib/cases/case-json';
import { subjectReference } from '../../lib/cases/case-number';
import type { SenderPolicyReason } from '../../lib/cases/sender-policy';
import { checkCaseSender } from '../../lib/cases/case-sender';
import { findCaseForMail } from '../../lib/cases/find-case';
import { mailLedgerKey } from '../../lib/cases/mail-ledger-key';
import type { Store } from '../../lib/store';
import { failedItem } from '../shared/errors';
import { mailFromItem } from '../shared/mail-item';
import { storeFor } from '../shared/store';
import { defaultSenderPolicy, senderPolicies } from '../shared/sender-policy.properties';

/** Refusals of `signedOrParticipant` that name their cause as the item's `reason`. */
const STRANGER_REASONS: readonly SenderPolicyReason[] = [
	'invalid-reference-tag',
	'unsigned-reference-from-stranger',
	'reply-to-unknown-mail-from-stranger',
	'from-failed-dmarc',
];

interface MatchOptions {
	caseNumberFormat?: string;
	keywords?: string;
	patterns?: string;
	bareNumbers?: boolean;
	threadHeaders?: boolean;
	plusAddressing?: 'distinct' | 'same';
	trustedAuthservId?: string;
}

const list = (text: string | undefined, separator: RegExp) =>
	(text ?? '')
		.split(separator)
		.map((s) => s.trim())
		.filter(Boolean);

function ledgerKeyOrNone(mail: Parameters<typeof mailLedgerKey>[0]): string | undefined {
	try {
		return mailLedgerKey(mail);
	} catch {
		return undefined; // no Message-ID and no hash: the mail cannot have been recorded
	}
}

/**
 * R-PROC-1 / R-PLUS-4 / R-PLUS-5: every input item goes to output 0 (matched, with `case`) or
 * output 1 (unmatched, with `reason`). Errors go to output 0 with continueOnFail, as n8n routes
 * them from there to an error output when the node has one.
 */
export async function matchCases(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	const matched: INodeExecutionData[] = [];
	const unmatched: INodeExecutionData[] = [];
	let store: Store | undefined;
	for (let i = 0; i < items.length; i++) {
		try {
			store ??= await storeFor(this);
			const options = this.getNodeParameter('options', i, {}) as MatchOptions;
			const policy = senderPolicies(
				this.getNodeParameter('senderPolicy', i, defaultSenderPolicy(this.getNode().typeVersion)),
			);
			const mail = await mailFromItem(this, i);
			const referenceKey = await store.caseReferenceKey();
			const found = await findCaseForMail(store, mail, {
				referenceKey,
				format: options.caseNumberFormat?.trim() || store.caseNumberFormat,
				keywords: list(options.keywords, /,/),
				patterns: list(options.patterns, /\r?\n/),
				bare: options.bareNumbers !== false,
				thread: options.threadHeaders !== false,
				messageKey: ledgerKeyOrNone(mail),
			});
			const base = {
				json: { ...items[i].json },
				...(items[i].binary ? { binary: items[i].binary } : {}),
				pairedItem: { item: i },
			};
			if (!found.matched) {
				unmatched.push({
					...base,
					json: {
						...base.json,
						reason: found.reason,
						reasonMessage: found.message,
						caseNumbers: found.caseNumbers,
					},
				});
				continue;
			}
			// #11.7: only our own server's topmost Authentication-Results count (see the module)
			const dmarc = trustedDmarcResult(
				mail.headers['authentication-results'],
				options.trustedAuthservId,
			);
			// A mail the ledger already placed in the case was allowed then; a replay writes nothing.
			const sender =
				found.via === 'ledger'
					? undefined
					: await checkCaseSender(store, found.case, mail.from?.address, {
							policy,
							plusAddressing: options.plusAddressing,
							evidence: {
								via: found.via,
								signature: found.reference?.signature,
								repliesToOurMail: found.repliesToOurMail,
							},
							senderUnverified: dmarc === 'fail',
						});
			if (sender && !sender.allowed) {
				unmatched.push({
					...base,
					json: {
						...base.json,
						reason: STRANGER_REASONS.includes(sender.reason) ? sender.reason : 'sender-not-allowed',
						reasonMessage: `Case ${found.case.number}: ${sender.message}`,
						caseNumbers: found.caseNumbers,
						caseNumber: found.case.number,
					},
				});
				continue;
			}
			const caseMatch: IDataObject = {
				via: found.via,
				caseNumbers: found.caseNumbers,
				...(found.reference ? { reference: found.reference } : {}),
				repliesToOurMail: found.repliesToOurMail,
				...(dmarc ? { dmarc } : {}),
			};
			if (sender) caseMatch.sender = { reason: sender.reason, message: sender.message };
			if (found.threadCase) caseMatch.threadCaseNumber = found.threadCase.number;
			matched.push({
				...base,
				json: {
					...base.json,
					case: caseJson(
						found.case,
						subjectReference(found.case.number, referenceKey),
					) as unknown as IDataObject,
					caseMatch,
				},
			});
		} catch (error) {
			matched.push(failedItem(this, error, i));
		}
	}
	return [matched, unmatched];
}
