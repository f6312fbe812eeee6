import { MailCasesError } from '../../errors';
import type { StoreContext } from '../context';
import type { Executor } from '../db-types';
import { validateFieldDefinitions } from '../field-values';
import { toJson, workflowFromRow } from '../rows';
import { isUniqueViolation } from '../sql-errors';
import type { Workflow, WorkflowInput } from '../types';

function requireName(name: unknown, what: string): string {
	const text = typeof name === 'string' ? name.trim() : '';
	if (!text) throw new MailCasesError('INVALID_INPUT', `${what} needs a name`);
	return text;
}

export async function loadWorkflow(db: Executor, id: number): Promise<Workflow | undefined> {
	const row = await db.selectFrom('workflows').selectAll().where('id', '=', id).executeTakeFirst();
	return row ? workflowFromRow(row) : undefined;
}

/** Case workflows (case types) with their main-form fields. */
export class WorkflowRepository {
	constructor(private readonly ctx: StoreContext) {}

	async create(input: WorkflowInput): Promise<Workflow> {
		const name = requireName(input?.name, 'A workflow');
		const fields = validateFieldDefinitions(name, input.fields);
		const now = this.ctx.now();
		try {
			return await this.ctx.transaction(`create workflow "${name}"`, async (trx) => {
				const row = await trx
					.insertInto('workflows')
					.values({
						name,
						active: input.active ?? true,
						fields: toJson(fields),
						created_at: now,
						updated_at: now,
					})
					.returningAll()
					.executeTakeFirstOrThrow();
				return workflowFromRow(row);
			});
		} catch (error) {
			if (isUniqueViolation(error.cause)) {
				throw new MailCasesError('CONFLICT', `A workflow named "${name}" exists already`, {
					cause: error,
				});
			}
			throw error;
		}
	}

	async get(id: number): Promise<Workflow | undefined> {
		return await this.ctx.run(`read workflow ${id}`, (db) => loadWorkflow(db, id));
	}

	async getByName(name: string): Promise<Workflow | undefined> {
		return await this.ctx.run(`read workflow "${name}"`, async (db) => {
			const row = await db
				.selectFrom('workflows')
				.selectAll()
				.where('name', '=', name.trim())
				.executeTakeFirst();
			return row ? workflowFromRow(row) : undefined;
		});
	}

	/** All workflows by name; `activeOnly` for the list a case can be started from (R-PROC-6b). */
	async list(options: { activeOnly?: boolean } = {}): Promise<Workflow[]> {
		return await this.ctx.run('list workflows', async (db) => {
			let query = db.selectFrom('workflows').selectAll().orderBy('name').orderBy('id');
			if (options.activeOnly) query = query.where('active', '=', true);
			return (await query.execute()).map(workflowFromRow);
		});
	}

	async update(id: number, patch: Partial<WorkflowInput>): Promise<Workflow> {
		const newName = patch.name !== undefined ? requireName(patch.name, 'A workflow') : undefined;
		try {
			return await this.ctx.transaction(`update workflow ${id}`, async (trx) => {
				const current = await loadWorkflow(trx, id);
				if (!current) throw new MailCasesError('NOT_FOUND', `Workflow ${id} does not exist`);
				const name = newName ?? current.name;
				const fields =
					patch.fields !== undefined
						? validateFieldDefinitions(name, patch.fields)
						: current.fields;
				const row = await trx
					.updateTable('workflows')
					.set({
						name,
						active: patch.active ?? current.active,
						fields: toJson(fields),
						updated_at: this.ctx.now(),
					})
					.where('id', '=', id)
					.returningAll()
					.executeTakeFirstOrThrow();
				return workflowFromRow(row);
			});
		} catch (error) {
			if (isUniqueViolation(error.cause)) {
				throw new MailCasesError('CONFLICT', `A workflow named "${newName}" exists already`, {
					cause: error,
				});
			}
			throw error;
		}
	}

	/** Deletes a workflow that no case uses; otherwise CONFLICT (deactivate it instead). */
	async delete(id: number): Promise<void> {
		await this.ctx.transaction(`delete workflow ${id}`, async (trx) => {
			const current = await loadWorkflow(trx, id);
			if (!current) throw new MailCasesError('NOT_FOUND', `Workflow ${id} does not exist`);
			const used = await trx
				.selectFrom('cases')
				.select('id')
				.where('workflow_id', '=', id)
				.limit(1)
				.executeTakeFirst();
			if (used) {
				throw new MailCasesError(
					'CONFLICT',
					`Workflow ${id} ("${current.name}") still has cases and cannot be deleted; deactivate it instead`,
				);
			}
			await trx.deleteFrom('workflows').where('id', '=', id).execute();
		});
	}
}
