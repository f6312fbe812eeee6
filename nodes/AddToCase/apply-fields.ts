/**
 * R-PROC-5 "Apply Field Lines" — an option of Add to Case, not a node of its own. Why:
 *
 * The store has exactly one write that is idempotent per Message-ID and can carry field
 * changes: `ledger.addMailToCase({ messageKey, mail, fieldUpdates })` claims the mail's ledger
 * key, stores the activity and the field changes (each a field_change activity with old value,
 * new value and sender) and records the result in ONE transaction. A separate node after Add to
 * Case would need a second ledger entry (key + suffix) and a second transaction: either a
 * second mail activity for the same message (which R-PLUS-2 forbids), or a case update followed
 * by a ledger marker — a crash between the two would re-apply the fields on the retry and
 * overwrite what a person changed in the meantime, and gating on Add to Case's `replayed`
 * instead would lose the fields forever when the crash came right after the mail's commit.
 * In the same transaction the mail and its fields commit together or not at all, and a replay
 * writes neither. The source system has it the same way: a checkbox of mail processing
 * ("E-Mail Inhalt bei vorhandenen Vorgängen zuordnen"). Without a store, the Parse Fields
 * node gives the parsed `{ field: value }`.
 */
import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { checkCaseSender } from '../../lib/cases/case-sender';
import type { FieldSeparator } from '../../lib/cases/field-lines';
import { planFieldUpdates, type FieldUpdatePlan } from '../../lib/cases/field-updates';
import type { SenderPolicyResult } from '../../lib/cases/sender-policy';
import { MailCasesError } from '../../lib/errors';
import type { Case, Store } from '../../lib/store';
import { senderPolicies } from '../shared/sender-policy.properties';

interface FieldOptions {
	colonSeparator?: boolean;
	allowedFields?: string;
	caseInsensitive?: boolean;
	decimalSeparator?: '' | ',' | '.';
	plusAddressing?: 'distinct' | 'same';
}

export interface FieldPlan extends FieldUpdatePlan {
	sender?: SenderPolicyResult;
}

const hasLines = (plan: FieldUpdatePlan) =>
	Object.keys(plan.updates).length + plan.invalid.length + plan.rejected.length > 0;

/**
 * R-PROC-5 / R-PLUS-5: the field updates of the mail at `itemIndex` for case `c` — parsed
 * against the case workflow's form, checked against the allowed fields and, when the mail has
 * field lines at all, the sender policy. Nothing is written here: the updates go into the
 * same ledger transaction as the mail (see add-mail.ts).
 */
export async function planCaseFieldUpdates(
	ctx: IExecuteFunctions,
	itemIndex: number,
	store: Store,
	c: Case,
	body: { text: string; html: string | null },
	sender: string | null,
): Promise<FieldPlan> {
	const options = ctx.getNodeParameter('fieldOptions', itemIndex, {}) as FieldOptions;
	const policy = senderPolicies(
		ctx.getNodeParameter('fieldSenderPolicy', itemIndex, ['caseParticipant']),
	);
	const workflow = await store.workflows.get(c.workflowId);
	if (!workflow)
		throw new MailCasesError(
			'NOT_FOUND',
			`Case ${c.number}: its workflow ${c.workflowId} does not exist`,
		);
	const allowed = (options.allowedFields ?? '')
		.split(',')
		.map((f) => f.trim())
		.filter(Boolean);
	const planOptions = {
		separators: (options.colonSeparator ? ['=', ':'] : ['=']) as FieldSeparator[],
		caseInsensitive: options.caseInsensitive === true,
		allowedFields: allowed.length > 0 ? allowed : null,
		decimalSeparator: options.decimalSeparator || undefined,
	};
	const unchecked = planFieldUpdates(body, workflow.fields, planOptions);
	// the policy's lookups are only made for mails that try to set something
	if (!hasLines(unchecked)) return unchecked;
	const verdict = await checkCaseSender(store, c, sender, {
		policy,
		plusAddressing: options.plusAddressing,
	});
	return {
		...planFieldUpdates(body, workflow.fields, { ...planOptions, sender: verdict }),
		sender: verdict,
	};
}

export function fieldPlanJson(plan: FieldPlan): IDataObject {
	return {
		requested: plan.updates,
		unknown: plan.unknown,
		invalid: plan.invalid,
		rejected: plan.rejected,
		...(plan.notes ? { notes: plan.notes } : {}),
		...(plan.sender
			? {
					sender: {
						allowed: plan.sender.allowed,
						reason: plan.sender.reason,
						message: plan.sender.message,
					},
				}
			: {}),
	} as IDataObject;
}
