import type { INodeProperties } from 'n8n-workflow';
import * as activate from './activate.operation';
import * as create from './create.operation';
import * as deactivate from './deactivate.operation';
import * as getAll from './get-all.operation';
import * as update from './update.operation';

export { activate, create, deactivate, getAll, update };

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['workflow'] } },
		options: [
			{ name: 'Activate', value: 'activate', action: 'Activate a workflow' },
			{ name: 'Create', value: 'create', action: 'Create a workflow' },
			{ name: 'Deactivate', value: 'deactivate', action: 'Deactivate a workflow' },
			{ name: 'Get Many', value: 'getAll', action: 'Get many workflows' },
			{ name: 'Update', value: 'update', action: 'Update a workflow' },
		],
		default: 'create',
	},
	...create.description,
	...update.description,
	...getAll.description,
	...activate.description,
	...deactivate.description,
];
