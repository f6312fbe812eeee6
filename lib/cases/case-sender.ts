/**
 * R-PLUS-5: the sender policy of lib/cases/sender-policy.ts applied to a stored case. This
 * module only gathers the facts the chosen policies need (contact directory, the case's
 * contact, its responsible org unit, org membership) and hands them to checkSenderPolicy;
 * a policy that needs no lookup causes none.
 */
import type { Store } from '../store/open-store';
import type { Case } from '../store/types';
import {
	checkSenderPolicy,
	normalizeAddress,
	type CaseReferenceEvidence,
	type SenderPolicy,
	type SenderPolicyResult,
} from './sender-policy';

export const SENDER_POLICIES: readonly SenderPolicy[] = [
	'anyone',
	'nobody',
	'knownContact',
	'caseContact',
	'caseContactOrRequester',
	'responsibleMember',
	'orgMember',
	'caseParticipant',
	'signedOrParticipant',
];

export interface CaseSenderOptions {
	/** One policy or several of which any may allow the sender; an empty list allows nobody. */
	policy: SenderPolicy | SenderPolicy[];
	plusAddressing?: 'distinct' | 'same';
	/** Issue #11.7: how the mail named the case (for `signedOrParticipant`). */
	evidence?: CaseReferenceEvidence | null;
	/** Issue #11.7: the receiving server reported dmarc=fail for the From (see checkSenderPolicy). */
	senderUnverified?: boolean;
}

type SenderStore = Pick<Store, 'contacts' | 'orgUnits' | 'activities'>;

const needs = (policies: SenderPolicy[], any: SenderPolicy[]) =>
	policies.some((p) => any.includes(p));

/** Addresses to look up for a sender: itself and, with plus addressing folded, the base address. */
function lookupForms(sender: string, plusAddressing: 'distinct' | 'same' | undefined): string[] {
	const plain = normalizeAddress(sender);
	if (!plain) return [];
	const folded = normalizeAddress(sender, { plusAddressing });
	// the directory stores addresses as entered (lower-cased): an internationalised domain may
	// be there in Unicode, while normalizeAddress gives its ASCII form
	const asWritten = /^[^\s<>"@]+@[^\s<>"]+$/.test(sender.trim())
		? sender.trim().toLowerCase()
		: null;
	return [...new Set([plain, folded, asWritten].filter((a): a is string => !!a))];
}

/** R-PLUS-5: may `sender` change / add to case `c` under the policy? */
export async function checkCaseSender(
	store: SenderStore,
	c: Case,
	sender: string | null | undefined,
	options: CaseSenderOptions,
): Promise<SenderPolicyResult> {
	const policies = Array.isArray(options.policy) ? options.policy : [options.policy];
	const unknown = policies.filter((p) => !SENDER_POLICIES.includes(p));
	if (unknown.length > 0) {
		// fail closed, but say why: a typo in a workflow must not silently lock everybody out
		return {
			allowed: false,
			reason: 'not-allowed',
			message: `unknown sender policy ${unknown.map((p) => `"${p}"`).join(', ')}`,
		};
	}
	const base = {
		sender,
		policy: policies,
		plusAddressing: options.plusAddressing,
		evidence: options.evidence,
		senderUnverified: options.senderUnverified,
	};
	if (policies.includes('anyone') || policies.every((p) => p === 'nobody')) {
		return checkSenderPolicy(base);
	}
	const forms = lookupForms(sender ?? '', options.plusAddressing);
	if (forms.length === 0) return checkSenderPolicy(base);

	let isKnownContact: boolean | undefined;
	if (needs(policies, ['knownContact'])) {
		isKnownContact = false;
		for (const form of forms) {
			if (await store.contacts.findByEmail(form)) {
				isKnownContact = true;
				break;
			}
		}
	}
	const participants: SenderPolicy[] = ['caseParticipant', 'signedOrParticipant'];
	let contactEmail: string | null = null;
	if (
		needs(policies, ['caseContact', 'caseContactOrRequester', ...participants]) &&
		c.contactId !== null
	) {
		contactEmail = (await store.contacts.get(c.contactId))?.email ?? null;
	}
	let responsibleMembers: string[] = [];
	if (needs(policies, ['responsibleMember', 'orgMember', ...participants])) {
		responsibleMembers = (await store.orgUnits.get(c.responsibleOrgUnitId))?.members ?? [];
	}
	let isOrgMember: boolean | undefined;
	if (needs(policies, ['orgMember'])) {
		isOrgMember = false;
		for (const form of forms) {
			if ((await store.orgUnits.findByMember(form)).length > 0) {
				isOrgMember = true;
				break;
			}
		}
	}
	const earlierSenders = needs(policies, ['signedOrParticipant'])
		? await store.activities.senderAddresses(c.id)
		: [];
	return checkSenderPolicy({
		...base,
		case: {
			contactEmail,
			requesterEmail: c.requesterAddress,
			responsibleMembers,
			earlierSenders,
		},
		isKnownContact,
		isOrgMember,
	});
}
