import type { ILoadOptionsFunctions, INodePropertyOptions } from 'n8n-workflow';
import type { Contact, Store, Workflow } from '../../lib/store';
import { toNodeError } from './errors';
import { storeFor } from './store';

/**
 * The dropdowns filled from the case store, for every node that offers them.
 *
 * A dropdown's value is what n8n saves in the workflow, so each node keeps the value it always
 * saved: Mail Case saves ids (`valueBy: 'id'`); Create Case from Mail saves names (`'name'`),
 * because its workflow / inbound workplace parameters also take a name from an expression and
 * the shipped templates name them. Labels and descriptions are the same everywhere.
 */
type LoadOptions = (this: ILoadOptionsFunctions) => Promise<INodePropertyOptions[]>;
export type OptionValue = 'id' | 'name';

/** Contacts offered in a dropdown (the directory's oldest entries); more via an expression. */
const MAX_CONTACTS = 1000;

/** Runs `load` with the node's store; a failure becomes an error n8n shows at the dropdown. */
export async function loadFromStore<T>(
	ctx: ILoadOptionsFunctions,
	load: (store: Store) => Promise<T>,
): Promise<T> {
	try {
		return await load(await storeFor(ctx));
	} catch (error) {
		throw toNodeError(ctx.getNode(), error);
	}
}

function workflowOption(workflow: Workflow, valueBy: OptionValue): INodePropertyOptions {
	const fields = workflow.fields.map((f) => f.name).join(', ');
	return {
		name: workflow.active ? workflow.name : `${workflow.name} (inactive)`,
		value: valueBy === 'id' ? workflow.id : workflow.name,
		description: fields ? `Fields: ${fields}` : 'No form fields',
	};
}

/**
 * The case workflows dropdown: only active ones (those that can start a case, R-PROC-6b) or
 * every one (marked "(inactive)").
 */
export function workflowOptions(options: {
	activeOnly: boolean;
	valueBy: OptionValue;
}): LoadOptions {
	return async function (this: ILoadOptionsFunctions) {
		return await loadFromStore(this, async (store) =>
			(await store.workflows.list({ activeOnly: options.activeOnly })).map((w) =>
				workflowOption(w, options.valueBy),
			),
		);
	};
}

/** Org units and roles of the org chart, by id, their members as description. */
export async function orgUnitOptions(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
	return await loadFromStore(this, async (store) =>
		(await store.orgUnits.list()).map((unit) => ({
			name: `${unit.name} (${unit.kind === 'role' ? 'role' : 'org unit'})`,
			value: unit.id,
			description: unit.members.length ? unit.members.join(', ') : 'No members',
		})),
	);
}

function contactName(contact: Contact): string {
	const person = [contact.firstName, contact.lastName].filter(Boolean).join(' ');
	const who = [person, contact.company].filter(Boolean).join(', ');
	return who ? `${who} <${contact.email}>` : contact.email;
}

/** Contacts of the directory by id, sorted by name. */
export async function contactOptions(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
	return await loadFromStore(this, async (store) =>
		(await store.contacts.list({ limit: MAX_CONTACTS }))
			.map((contact) => ({ name: contactName(contact), value: contact.id }))
			.sort((a, b) => a.name.localeCompare(b.name)),
	);
}
