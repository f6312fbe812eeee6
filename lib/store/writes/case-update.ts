import { MailCasesError } from '../../errors';
import type { StoreContext } from '../context';
import { sameValue, validateFieldValues } from '../field-values';
import { loadWorkflow } from '../repositories/workflows';
import { caseFromRow, toJson } from '../rows';
import {
	CONTACT_FIELD,
	RESPONSIBLE_FIELD,
	STATUS_FIELD,
	TITLE_FIELD,
	type Activity,
	type Case,
	type CaseUpdate,
	type FieldValue,
} from '../types';
import { caseLabel } from './cases';
import { checkStatus, checkText, requireContact, requireOrgUnit } from './checks';
import { insertFieldChange } from './field-changes';
import type { Trx } from './transaction';

/**
 * Applies an update to a locked case and records one field_change activity per value that
 * really changed (old value, new value, who). Form fields keep their names; the case's own
 * properties are recorded as @status, @responsibleOrgUnitId, @contactId, @title.
 */
export async function applyCaseUpdate(
	ctx: StoreContext,
	trx: Trx,
	current: Case,
	update: CaseUpdate,
	changedBy: string | null,
): Promise<{ case: Case; changes: Activity[] }> {
	const label = caseLabel(current);
	if (!update || typeof update !== 'object')
		throw new MailCasesError('INVALID_INPUT', `${label}: nothing to update`);
	const changes: Array<[string, FieldValue | undefined, FieldValue | undefined]> = [];
	const set: Record<string, unknown> = {};

	if (update.fields !== undefined) {
		const workflow = await loadWorkflow(trx, current.workflowId);
		if (!workflow)
			throw new MailCasesError(
				'NOT_FOUND',
				`${label}: workflow ${current.workflowId} does not exist`,
			);
		const values = validateFieldValues(workflow, update.fields, label);
		const fields = { ...current.fields };
		for (const [name, value] of Object.entries(values)) {
			if (sameValue(fields[name], value)) continue;
			changes.push([name, fields[name], value]);
			fields[name] = value;
		}
		set.fields = toJson(fields);
	}
	if (update.status !== undefined) {
		const status = checkStatus(update.status, label);
		if (status !== current.status) {
			changes.push([STATUS_FIELD, current.status, status]);
			set.status = status;
		}
	}
	if (
		update.responsibleOrgUnitId !== undefined &&
		update.responsibleOrgUnitId !== current.responsibleOrgUnitId
	) {
		await requireOrgUnit(trx, update.responsibleOrgUnitId, label);
		changes.push([RESPONSIBLE_FIELD, current.responsibleOrgUnitId, update.responsibleOrgUnitId]);
		set.responsible_org_unit_id = update.responsibleOrgUnitId;
	}
	if (update.contactId !== undefined && update.contactId !== current.contactId) {
		if (update.contactId !== null) await requireContact(trx, update.contactId, label);
		changes.push([CONTACT_FIELD, current.contactId, update.contactId]);
		set.contact_id = update.contactId;
	}
	if (update.title !== undefined) {
		const title = checkText(update.title, `${label}: title`);
		if (title !== current.title) {
			changes.push([TITLE_FIELD, current.title, title]);
			set.title = title;
		}
	}
	if (update.requesterAddress !== undefined) {
		set.requester_address =
			checkText(update.requesterAddress, `${label}: requester address`)?.trim() || null;
	}
	if (changes.length === 0 && set.requester_address === undefined)
		return { case: current, changes: [] };

	const row = await trx
		.updateTable('cases')
		.set({ ...set, updated_at: ctx.now() })
		.where('id', '=', current.id)
		.returningAll()
		.executeTakeFirstOrThrow();
	const activities: Activity[] = [];
	for (const [name, oldValue, newValue] of changes) {
		activities.push(
			await insertFieldChange(ctx, trx, current.id, name, oldValue, newValue, changedBy),
		);
	}
	return { case: caseFromRow(row), changes: activities };
}
