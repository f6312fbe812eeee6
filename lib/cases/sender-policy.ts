/**
 * R-PLUS-5: may this sender change this case by e-mail, and which fields?
 *
 * Pure: the caller looks up whether the sender is a known contact / org member and passes the
 * case's addresses. Address comparison:
 *   - the address is taken from a display form (`"Müller, Max" <Max.Mueller@Example.COM>`);
 *   - compared case-insensitively as a whole (local part too: no real mail system in use
 *     distinguishes `Max@` from `max@`, and treating them as different would lock people out);
 *   - the domain is compared in its ASCII (punycode) form, so `müller.de` = `xn--mller-kva.de`;
 *   - plus-addressing is NOT folded by default: `max+shop@example.com` is another address than
 *     `max@example.com`, because on many domains `+` is an ordinary character and folding it
 *     would let `boss+x@` pass as `boss@`. `plusAddressing: 'same'` folds `+tag` for all
 *     domains when the operator knows the mail system uses subaddresses.
 */
import { domainToASCII } from 'node:url';
import addressparser from 'nodemailer/lib/addressparser';
import type { CaseReferenceSignature } from './case-number';
import { fieldNameKey } from './field-values';

export type SenderPolicy =
	/** Everybody (default of the spec's plain behaviour). */
	| 'anyone'
	/** Nobody: mails never change case fields. */
	| 'nobody'
	/** The sender is in the contact directory (`isKnownContact`). */
	| 'knownContact'
	/** The sender is the case's contact. */
	| 'caseContact'
	/** The sender is the case's contact or the one who opened the case by mail. */
	| 'caseContactOrRequester'
	/** The sender is one of the people currently responsible for the case. */
	| 'responsibleMember'
	/** The sender is a member of any org unit (`isOrgMember`) or responsible for the case. */
	| 'orgMember'
	/** Contact, requester or responsible member. */
	| 'caseParticipant'
	/**
	 * Issue #11.7: anyone whose mail names the case by a reference with a valid tag or replies
	 * to a mail we sent for it; a number without a valid tag only from a participant (contact,
	 * requester, responsible member, or an earlier sender of mail stored on the case).
	 */
	| 'signedOrParticipant';

export type SenderPolicyReason =
	| 'anyone'
	| 'nobody'
	| 'no-sender'
	| 'known-contact'
	| 'case-contact'
	| 'requester'
	| 'responsible-member'
	| 'org-member'
	| 'signed-reference'
	| 'reply-to-our-mail'
	| 'earlier-sender'
	| 'invalid-reference-tag'
	| 'unsigned-reference-from-stranger'
	| 'reply-to-unknown-mail-from-stranger'
	| 'from-failed-dmarc'
	| 'not-allowed';

/** Issue #11.7: how the mail named its case (what `signedOrParticipant` looks at). */
export interface CaseReferenceEvidence {
	/** `subject` (a case number), `thread` (In-Reply-To / References). */
	via: 'subject' | 'thread';
	/** For `subject`: whether the number that named the case carried a valid tag. */
	signature?: CaseReferenceSignature;
	/** One of the thread ids is the Message-ID of a mail we sent for this case. */
	repliesToOurMail?: boolean;
}

export interface SenderPolicyInput {
	/** The sender, as a bare address or with display name. */
	sender: string | null | undefined;
	/** One policy, or several of which any may allow the sender. */
	policy: SenderPolicy | SenderPolicy[];
	case?: {
		contactEmail?: string | null;
		requesterEmail?: string | null;
		responsibleMembers?: Array<string | null | undefined> | null;
		/** Senders of mail already stored on the case (`signedOrParticipant`). */
		earlierSenders?: Array<string | null | undefined> | null;
	} | null;
	/** Issue #11.7: how the mail named the case; without it `signedOrParticipant` needs a participant. */
	evidence?: CaseReferenceEvidence | null;
	/**
	 * Issue #11.7: the receiving server reported `dmarc=fail` for the From domain: the address
	 * proves nothing, so no rule that looks at it allows the sender (only a valid signed
	 * reference or a reply to our mail can, under `signedOrParticipant`).
	 */
	senderUnverified?: boolean;
	isKnownContact?: boolean;
	isOrgMember?: boolean;
	/** `distinct` (default) or `same`: whether `a+tag@x` counts as `a@x`. */
	plusAddressing?: 'distinct' | 'same';
}

export interface SenderPolicyResult {
	allowed: boolean;
	/** Which rule allowed the sender, or why not. */
	reason: SenderPolicyReason;
	/** A sentence for logs and the activity list. */
	message: string;
}

export interface AddressOptions {
	plusAddressing?: 'distinct' | 'same';
}

/**
 * The comparable form of one address (`local@domain`, lower case, ASCII domain), or null when
 * the input holds no usable address.
 */
export function normalizeAddress(
	input: string | null | undefined,
	options: AddressOptions = {},
): string | null {
	if (input === null || input === undefined) return null;
	const text = String(input)
		.replace(/[\r\n]+/g, ' ')
		.trim();
	if (!text) return null;
	let address = text;
	if (/[<>"(]/.test(text) || /\s/.test(text)) {
		const parsed = addressparser(text, { flatten: true });
		const first = parsed.find((a) => a.address);
		if (!first) return null;
		address = first.address;
	}
	const at = address.lastIndexOf('@');
	// exactly one @ (a quoted local part never reaches here: addressparser unquotes it)
	if (at <= 0 || at === address.length - 1 || address.indexOf('@') !== at) return null;
	let local = address.slice(0, at).normalize('NFC').toLowerCase();
	const domainRaw = address
		.slice(at + 1)
		.replace(/\.$/, '')
		.normalize('NFC')
		.toLowerCase();
	if (/\s/.test(local) || /\s/.test(domainRaw)) return null;
	const domain = domainToASCII(domainRaw);
	if (!domain) return null;
	if (options.plusAddressing === 'same') {
		const plus = local.indexOf('+');
		if (plus > 0) local = local.slice(0, plus);
	}
	return `${local}@${domain}`;
}

/** True when both hold the same address (see normalizeAddress); false when either has none. */
export function sameAddress(
	a: string | null | undefined,
	b: string | null | undefined,
	options: AddressOptions = {},
): boolean {
	const na = normalizeAddress(a, options);
	return na !== null && na === normalizeAddress(b, options);
}

const MESSAGES: Record<SenderPolicyReason, string> = {
	anyone: 'every sender may change cases by e-mail',
	nobody: 'no sender may change cases by e-mail',
	'no-sender': 'the mail has no usable sender address',
	'known-contact': 'the sender is a known contact',
	'case-contact': "the sender is the case's contact",
	requester: 'the sender opened the case',
	'responsible-member': 'the sender is responsible for the case',
	'org-member': 'the sender is a member of the organisation',
	'signed-reference': 'the subject names the case with a validly signed reference',
	'reply-to-our-mail': 'the mail replies to a mail we sent for the case',
	'earlier-sender': 'the sender wrote mail already stored on the case',
	'invalid-reference-tag':
		'the tag of the case reference in the subject is wrong (forged or from another system), and the sender takes no part in the case',
	'unsigned-reference-from-stranger':
		'the subject names the case without a signed reference, and the sender takes no part in the case',
	'reply-to-unknown-mail-from-stranger':
		'the mail replies to no mail we sent for the case, and the sender takes no part in the case',
	'from-failed-dmarc':
		'the receiving server reports dmarc=fail for the From address, so the sender counts as a stranger, and the mail carries no valid signed reference and replies to no mail we sent for the case',
	'not-allowed': 'the sender is not allowed to change this case by e-mail',
};

function result(allowed: boolean, reason: SenderPolicyReason): SenderPolicyResult {
	return { allowed, reason, message: MESSAGES[reason] };
}

/** R-PLUS-5: whether the sender may change the case by e-mail under the policy. */
export function checkSenderPolicy(input: SenderPolicyInput): SenderPolicyResult {
	const policies = Array.isArray(input.policy) ? input.policy : [input.policy];
	if (policies.includes('anyone')) return result(true, 'anyone');
	const opts: AddressOptions = { plusAddressing: input.plusAddressing };
	const sender = normalizeAddress(input.sender, opts);
	if (policies.length === 0 || policies.every((p) => p === 'nobody'))
		return result(false, 'nobody');
	if (sender === null) return result(false, 'no-sender');
	const c = input.case ?? {};
	const unverified = input.senderUnverified === true;
	const is = (other: string | null | undefined) =>
		!unverified && normalizeAddress(other, opts) === sender;
	const responsible = () => (c.responsibleMembers ?? []).some((m) => is(m));
	const evidence = input.evidence ?? null;

	for (const policy of policies) {
		switch (policy) {
			case 'knownContact':
				if (input.isKnownContact === true && !unverified) return result(true, 'known-contact');
				break;
			case 'caseContact':
				if (is(c.contactEmail)) return result(true, 'case-contact');
				break;
			case 'caseContactOrRequester':
				if (is(c.contactEmail)) return result(true, 'case-contact');
				if (is(c.requesterEmail)) return result(true, 'requester');
				break;
			case 'responsibleMember':
				if (responsible()) return result(true, 'responsible-member');
				break;
			case 'orgMember':
				if (input.isOrgMember === true && !unverified) return result(true, 'org-member');
				if (responsible()) return result(true, 'responsible-member');
				break;
			case 'caseParticipant':
				if (is(c.contactEmail)) return result(true, 'case-contact');
				if (is(c.requesterEmail)) return result(true, 'requester');
				if (responsible()) return result(true, 'responsible-member');
				break;
			case 'signedOrParticipant':
				if (evidence?.via === 'subject' && evidence.signature === 'valid')
					return result(true, 'signed-reference');
				if (evidence?.repliesToOurMail === true) return result(true, 'reply-to-our-mail');
				if (is(c.contactEmail)) return result(true, 'case-contact');
				if (is(c.requesterEmail)) return result(true, 'requester');
				if (responsible()) return result(true, 'responsible-member');
				if ((c.earlierSenders ?? []).some((m) => is(m))) return result(true, 'earlier-sender');
				break;
			case 'nobody':
				break;
			default:
				// an unknown policy name allows nobody (fail closed)
				break;
		}
	}
	if (unverified) return result(false, 'from-failed-dmarc');
	if (policies.includes('signedOrParticipant')) return result(false, strangerReason(evidence));
	return result(false, 'not-allowed');
}

/** Why `signedOrParticipant` refused a sender who takes no part in the case. */
function strangerReason(evidence: CaseReferenceEvidence | null): SenderPolicyReason {
	if (evidence?.via === 'thread') return 'reply-to-unknown-mail-from-stranger';
	if (evidence?.signature === 'invalid') return 'invalid-reference-tag';
	return 'unsigned-reference-from-stranger';
}

export interface FilterAllowedFieldsOptions {
	/** Compare names case-insensitively (default false). */
	caseInsensitive?: boolean;
}

/**
 * R-PLUS-5 field level: keeps the fields named in `allowedFields`, reports the others.
 * `allowedFields` undefined/null allows all; an empty list allows none.
 */
export function filterAllowedFields(
	fields: Record<string, string>,
	allowedFields: string[] | null | undefined,
	options: FilterAllowedFieldsOptions = {},
): { fields: Record<string, string>; rejected: Array<{ field: string; reason: string }> } {
	if (allowedFields === null || allowedFields === undefined) {
		return { fields: Object.fromEntries(Object.entries(fields)), rejected: [] };
	}
	const key = (n: string) => fieldNameKey(n, options.caseInsensitive === true);
	const allowed = new Set(allowedFields.map(key));
	const kept: Array<[string, string]> = [];
	const rejected: Array<{ field: string; reason: string }> = [];
	for (const [name, value] of Object.entries(fields)) {
		if (allowed.has(key(name))) kept.push([name, value]);
		else rejected.push({ field: name, reason: 'field may not be set by e-mail' });
	}
	return { fields: Object.fromEntries(kept), rejected };
}
