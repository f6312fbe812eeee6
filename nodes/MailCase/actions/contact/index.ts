import type { INodeProperties } from 'n8n-workflow';
import * as create from './create.operation';
import * as del from './delete.operation';
import * as get from './get.operation';
import * as getAll from './get-all.operation';
import * as update from './update.operation';

export { create, del as delete, get, getAll, update };

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['contact'] } },
		options: [
			{ name: 'Create', value: 'create', action: 'Create a contact' },
			{ name: 'Delete', value: 'delete', action: 'Delete a contact' },
			{ name: 'Get by Email', value: 'get', action: 'Get a contact by email' },
			{ name: 'Get Many', value: 'getAll', action: 'Get many contacts' },
			{ name: 'Update', value: 'update', action: 'Update a contact' },
		],
		default: 'create',
	},
	...create.description,
	...update.description,
	...get.description,
	...getAll.description,
	...del.description,
];
