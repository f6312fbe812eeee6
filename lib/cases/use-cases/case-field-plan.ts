/**
 * R-PROC-5 / R-PLUS-5: the field updates a mail makes to a stored case — parsed against the
 * case workflow's form, checked against the allowed fields and, when the mail has field lines
 * at all, the sender policy. Nothing is written here: the updates go into the same ledger
 * transaction as the mail (see add-mail-to-case.ts for why).
 */
import { MailCasesError } from '../../errors';
import type { Store } from '../../store/open-store';
import type { Case } from '../../store/types';
import { checkCaseSender } from '../case-sender';
import type { MailBody } from '../field-lines';
import { planFieldUpdates, type FieldUpdatePlan } from '../field-updates';
import type { SenderPolicy, SenderPolicyResult } from '../sender-policy';
import type { FieldLineSettings } from './field-line-settings';

/** Who may set fields by mail, and how the lines are read. */
export interface CaseFieldRules {
	/** Any chosen policy that allows the sender suffices; an empty list allows nobody. */
	senderPolicy: SenderPolicy[];
	plusAddressing?: 'distinct' | 'same';
	lines?: FieldLineSettings;
}

export interface CaseFieldPlan extends FieldUpdatePlan {
	/** The sender policy's verdict; only when the mail has field lines at all. */
	sender?: SenderPolicyResult;
}

const hasLines = (plan: FieldUpdatePlan) =>
	Object.keys(plan.updates).length + plan.invalid.length + plan.rejected.length > 0;

export async function planCaseFields(
	store: Pick<Store, 'workflows' | 'contacts' | 'orgUnits' | 'activities'>,
	c: Case,
	body: MailBody,
	sender: string | null,
	rules: CaseFieldRules,
): Promise<CaseFieldPlan> {
	const workflow = await store.workflows.get(c.workflowId);
	if (!workflow)
		throw new MailCasesError(
			'NOT_FOUND',
			`Case ${c.number}: its workflow ${c.workflowId} does not exist`,
		);
	const unchecked = planFieldUpdates(body, workflow.fields, rules.lines);
	// the policy's lookups are only made for mails that try to set something
	if (!hasLines(unchecked)) return unchecked;
	const verdict = await checkCaseSender(store, c, sender, {
		policy: rules.senderPolicy,
		plusAddressing: rules.plusAddressing,
	});
	return {
		...planFieldUpdates(body, workflow.fields, { ...rules.lines, sender: verdict }),
		sender: verdict,
	};
}
