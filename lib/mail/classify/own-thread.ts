import { MAX_SUBJECT_SCAN } from '../limits';
import type { ClassifiableMessage } from '../types';
import type { ResolvedOptions } from './context';

/**
 * Outer shape of the case reference our outgoing subjects carry, `[#2026-000123-k7q2mz]` or the
 * older `[#2026-000123]` (lib/cases/case-number.ts reads the number; lib/mail may not import
 * it). A reference holds at least one digit, so `[#general]` is none.
 */
const REFERENCE = /\[\s*#([^\]\s]{1,64})\s*\]/g;

/** The first case reference of a subject, as written, or undefined. */
export function caseReferenceIn(subject: string): string | undefined {
	for (const match of subject.slice(0, MAX_SUBJECT_SCAN).matchAll(REFERENCE)) {
		if (/\d/.test(match[1])) return match[0];
	}
	return undefined;
}

/**
 * Local part of the Message-IDs this package makes for mail that must go out once
 * (lib/mail/once-message-id.ts, `<mail-cases.<scope>.<hex>@domain>`) and for notifications
 * (`<mail-cases.notify.<hex>@domain>`).
 */
const OWN_ID_PREFIX = 'mail-cases.';

/**
 * Whether a Message-ID (bracketed) is one of ours: made by this package (`mail-cases.` prefix),
 * or ending in the domain of one of our own addresses (newMessageId takes the sender's domain).
 */
export function isOwnMessageId(id: string, ownDomains: ReadonlySet<string>): boolean {
	const bare = id.startsWith('<') && id.endsWith('>') ? id.slice(1, -1) : id;
	const at = bare.lastIndexOf('@');
	if (at <= 0) return false;
	if (bare.startsWith(OWN_ID_PREFIX)) return true;
	return ownDomains.has(bare.slice(at + 1).toLowerCase());
}

/**
 * Why a mail belongs to a conversation of ours: a case reference in its subject, or thread
 * headers (In-Reply-To, References) naming a mail we sent. undefined when neither. Work is
 * linear: one pass over the subject's first MAX_SUBJECT_SCAN characters and over the ids.
 */
export function ownThreadEvidence(
	message: ClassifiableMessage,
	options: ResolvedOptions,
): string | undefined {
	const reference = caseReferenceIn(message.subject);
	if (reference) return `the subject carries the case reference ${reference}`;
	const ownDomains = new Set(
		options.ownAddresses
			.filter((a) => a.includes('@'))
			.map((a) => a.slice(a.lastIndexOf('@') + 1).toLowerCase())
			.filter((domain) => domain.includes('.')),
	);
	if (message.inReplyTo && isOwnMessageId(message.inReplyTo, ownDomains)) {
		return `it answers our mail ${message.inReplyTo} (In-Reply-To)`;
	}
	const referenced = message.references.find((id) => isOwnMessageId(id, ownDomains));
	if (referenced) return `its References name our mail ${referenced}`;
	return undefined;
}
