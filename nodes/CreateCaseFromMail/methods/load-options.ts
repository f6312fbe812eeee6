import type { ILoadOptionsFunctions, INodePropertyOptions } from 'n8n-workflow';
import { loadFromStore, workflowOptions } from '../../shared/store-options';

/**
 * Create Case from Mail's dropdowns; each saves the NAME of what was chosen (the parameters
 * also take a name or an ID from an expression, and saved workflows and templates hold names).
 */
export const loadOptions = {
	/** R-PROC-6b: only ACTIVE workflows can start a case. */
	getActiveWorkflows: workflowOptions({ activeOnly: true, valueBy: 'name' }),
	/** Org units and roles of the org chart (the inbound workplace). */
	async getOrgUnits(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
		return await loadFromStore(this, async (store) =>
			(await store.orgUnits.list()).map((u) => ({
				name: `${u.name} (${u.kind === 'role' ? 'Role' : 'Org Unit'})`,
				value: u.name,
				description: `${u.members.length} member${u.members.length === 1 ? '' : 's'}`,
			})),
		);
	},
};
