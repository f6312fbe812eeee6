/**
 * #14.1: the feedback on a mail's `Field = Value` lines as a note on its case — the lines that
 * changed nothing (a name that is no field of the form, a value that does not fit the field, a
 * field the sender may not set) and why, so that a person looking at the case's history sees it
 * and not only the run's output. Written with the mail in the same ledger write (once per mail:
 * a replay writes no second note). Plain text; nothing here writes.
 */
import type { FieldUpdatePlan } from '../field-updates';
import type { SenderPolicyResult } from '../sender-policy';

/** The author of the note, as the case history shows it. */
export const FIELD_FEEDBACK_AUTHOR = 'Mail Cases';

/** The note written with the mail (kind note, outcome field_feedback). */
export interface FieldFeedbackNote {
	author: string;
	text: string;
}

/** A value as the mail wrote it, short enough for one line. */
function quoted(value: string): string {
	const oneLine = value.replace(/\s+/g, ' ').trim();
	return JSON.stringify(oneLine.length > 80 ? `${oneLine.slice(0, 79)}…` : oneLine);
}

/**
 * The note for a plan of field updates, or undefined when every field line was applied (or the
 * mail had none). `sender`: the sender policy's verdict and the sender's address, when checked.
 */
export function fieldFeedbackNote(
	plan: (FieldUpdatePlan & { sender?: SenderPolicyResult }) | undefined,
	senderAddress?: string | null,
): FieldFeedbackNote | undefined {
	if (!plan) return undefined;
	const lines: string[] = [];
	for (const name of plan.unknown)
		lines.push(`- ${name}: no field of this case's form (nothing created)`);
	for (const { field, value, reason } of plan.invalid)
		lines.push(`- ${field} = ${quoted(value)}: value not accepted: ${reason}`);
	const denied = plan.sender && !plan.sender.allowed ? plan.sender : undefined;
	for (const { field, reason } of plan.rejected)
		lines.push(
			`- ${field}: not changed: ${reason === denied?.message ? 'sender not allowed' : reason}`,
		);
	for (const note of plan.notes ?? []) lines.push(`- ${note}`);
	if (lines.length === 0) return undefined;
	const head = 'Field lines of this mail that changed nothing:';
	const who = senderAddress ? `The sender ${senderAddress}` : 'The sender';
	const because = denied
		? [
				'',
				`${who} may not change fields of this case by e-mail: ${denied.message}. Who may is set in Add to Case → Senders Who May Set Fields; an agent can set the fields with Mail Case → Update.`,
			]
		: [];
	return { author: FIELD_FEEDBACK_AUTHOR, text: [head, ...lines, ...because].join('\n') };
}
