import { MailCasesError } from '../../errors';
import type { Executor } from '../db-types';
import { loadWorkflow } from '../repositories/workflows';

/** Checks of write input, and of the rows a write refers to (workflow, org unit, contact). */

export function checkText(value: unknown, what: string): string | null {
	if (value === undefined || value === null) return null;
	if (typeof value !== 'string') throw new MailCasesError('INVALID_INPUT', `${what} must be text`);
	return value;
}

export function checkStatus(value: unknown, what: string): string {
	if (typeof value !== 'string' || value.trim() === '') {
		throw new MailCasesError('INVALID_INPUT', `${what}: status must be a non-empty text`);
	}
	return value.trim();
}

export async function requireActiveWorkflow(trx: Executor, workflowId: number) {
	const workflow = await loadWorkflow(trx, workflowId);
	if (!workflow) throw new MailCasesError('NOT_FOUND', `Workflow ${workflowId} does not exist`);
	if (!workflow.active) {
		throw new MailCasesError(
			'WORKFLOW_INACTIVE',
			`Workflow ${workflow.id} ("${workflow.name}") is inactive; only active workflows can start cases. Activate it or choose another workflow.`,
		);
	}
	return workflow;
}

export async function requireOrgUnit(trx: Executor, id: number, what: string): Promise<void> {
	if (!Number.isInteger(id))
		throw new MailCasesError('INVALID_INPUT', `${what}: a responsible org unit / role is required`);
	const row = await trx
		.selectFrom('org_units')
		.select('id')
		.where('id', '=', id)
		.executeTakeFirst();
	if (!row) throw new MailCasesError('NOT_FOUND', `${what}: org unit ${id} does not exist`);
}

export async function requireContact(trx: Executor, id: number, what: string): Promise<void> {
	const row = await trx.selectFrom('contacts').select('id').where('id', '=', id).executeTakeFirst();
	if (!row) throw new MailCasesError('NOT_FOUND', `${what}: contact ${id} does not exist`);
}
