import type { ILoadOptionsFunctions, INodePropertyOptions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';
import type { Contact, Store, Workflow } from '../../../lib/store';
import { errorMessage } from '../../shared/errors';
import { storeFor } from '../../shared/store';

/** Contacts offered in a dropdown (the directory's oldest entries); more via an expression. */
const MAX_CONTACTS = 1000;

async function withStore<T>(
	ctx: ILoadOptionsFunctions,
	load: (store: Store) => Promise<T>,
): Promise<T> {
	try {
		return await load(await storeFor(ctx));
	} catch (error) {
		throw new NodeOperationError(ctx.getNode(), errorMessage(error));
	}
}

function workflowOption(workflow: Workflow): INodePropertyOptions {
	const fields = workflow.fields.map((f) => f.name).join(', ');
	return {
		name: workflow.active ? workflow.name : `${workflow.name} (inactive)`,
		value: workflow.id,
		description: fields ? `Fields: ${fields}` : 'No form fields',
	};
}

function contactName(contact: Contact): string {
	const person = [contact.firstName, contact.lastName].filter(Boolean).join(' ');
	const who = [person, contact.company].filter(Boolean).join(', ');
	return who ? `${who} <${contact.email}>` : contact.email;
}

/** Dropdowns filled from the case store. */
export const loadOptions = {
	/** Workflows that can start a case (R-PROC-6b: active ones only). */
	async getActiveWorkflows(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
		return await withStore(this, async (store) =>
			(await store.workflows.list({ activeOnly: true })).map(workflowOption),
		);
	},

	/** Every workflow, active or not (to update, activate, filter). */
	async getWorkflows(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
		return await withStore(this, async (store) =>
			(await store.workflows.list()).map(workflowOption),
		);
	},

	async getOrgUnits(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
		return await withStore(this, async (store) =>
			(await store.orgUnits.list()).map((unit) => ({
				name: `${unit.name} (${unit.kind === 'role' ? 'role' : 'org unit'})`,
				value: unit.id,
				description: unit.members.length ? unit.members.join(', ') : 'No members',
			})),
		);
	},

	async getContacts(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
		return await withStore(this, async (store) =>
			(await store.contacts.list({ limit: MAX_CONTACTS }))
				.map((contact) => ({ name: contactName(contact), value: contact.id }))
				.sort((a, b) => a.name.localeCompare(b.name)),
		);
	},
};
