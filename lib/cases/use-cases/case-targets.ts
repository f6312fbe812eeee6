/**
 * R-PROC-6b: the workflow a new case starts in and the inbound workplace it is assigned to,
 * as a user names them in Create Case From Mail: by name, or by id when nothing has that name.
 */
import { MailCasesError } from '../../errors';
import type { Store } from '../../store/open-store';
import type { OrgUnit, Workflow } from '../../store/types';

/** The workflow named by `value` (name, or id when no workflow has that name); active only. */
export async function activeWorkflow(
	store: Pick<Store, 'workflows'>,
	value: string,
): Promise<Workflow> {
	const name = value.trim();
	if (!name)
		throw new MailCasesError(
			'INVALID_INPUT',
			'Choose the case workflow the new case starts in ("Workflow")',
		);
	const workflow =
		(await store.workflows.getByName(name)) ??
		(/^\d+$/.test(name) ? await store.workflows.get(Number(name)) : undefined);
	if (!workflow)
		throw new MailCasesError('NOT_FOUND', `Workflow "${name}" does not exist in the case store`);
	if (!workflow.active) {
		throw new MailCasesError(
			'WORKFLOW_INACTIVE',
			`Workflow "${workflow.name}" is inactive; only active workflows can start cases. Activate it or choose another workflow.`,
		);
	}
	return workflow;
}

/** The org unit / role named by `value` (name, or id when none has that name). */
export async function inboundWorkplace(
	store: Pick<Store, 'orgUnits'>,
	value: string,
): Promise<OrgUnit> {
	const name = value.trim();
	if (!name) {
		throw new MailCasesError(
			'INVALID_INPUT',
			'Choose the inbound workplace (org unit / role) the new case is assigned to',
		);
	}
	const unit =
		(await store.orgUnits.getByName(name)) ??
		(/^\d+$/.test(name) ? await store.orgUnits.get(Number(name)) : undefined);
	if (!unit)
		throw new MailCasesError(
			'NOT_FOUND',
			`Org unit / role "${name}" does not exist in the case store`,
		);
	return unit;
}
