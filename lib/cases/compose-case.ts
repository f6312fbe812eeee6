/**
 * R-PROC-6b: decisions about a new case opened from a mail, without I/O: its title, and
 * whether the mail is automatic mail that must not open a case (R-PLUS-3).
 */
import { classifyMessage } from '../mail/classify';
import type { ClassifiableMessage, MailClass } from '../mail/types';
import { normalizeSubject } from '../mail/subject';

/** The case title from a subject: reply / forward prefixes and case references removed; null when empty. */
export function caseTitleFromSubject(subject: string | null | undefined): string | null {
	const title = normalizeSubject(subject, { removeCaseReferences: true });
	if (!title) return null;
	return [...title].slice(0, 500).join('');
}

/** Classes of mail that never open a case: auto-replies, bounces and our own mail coming back. */
export const AUTOMATIC_CLASSES: readonly MailClass[] = ['autoReply', 'bounce', 'report', 'loop'];

export interface AutomaticMailVerdict {
	class: MailClass;
	reasons: string[];
}

/**
 * R-PLUS-3: why a mail must not open a case, or undefined when it may. Uses the trigger's
 * classification when the item carries one (it was made with the trigger's keyword list and
 * this installation's id), else classifies the header fields at hand with `systemId`.
 */
export function automaticMailVerdict(
	message: ClassifiableMessage,
	classification: { class?: unknown; reasons?: unknown } | null | undefined,
	systemId: string,
): AutomaticMailVerdict | undefined {
	let cls: MailClass;
	let reasons: string[];
	if (classification && typeof classification.class === 'string') {
		cls = classification.class as MailClass;
		reasons = Array.isArray(classification.reasons) ? classification.reasons.map(String) : [];
	} else {
		const result = classifyMessage(message, { systemId });
		cls = result.class;
		reasons = result.reasons;
	}
	return AUTOMATIC_CLASSES.includes(cls) ? { class: cls, reasons } : undefined;
}
