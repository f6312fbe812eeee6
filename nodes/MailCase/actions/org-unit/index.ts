import type { INodeProperties } from 'n8n-workflow';
import * as create from './create.operation';
import * as getAll from './get-all.operation';
import * as update from './update.operation';

export { create, getAll, update };

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['orgUnit'] } },
		options: [
			{ name: 'Create', value: 'create', action: 'Create an org unit or role' },
			{ name: 'Get Many', value: 'getAll', action: 'Get many org units and roles' },
			{ name: 'Update', value: 'update', action: 'Update an org unit or role' },
		],
		default: 'create',
	},
	...create.description,
	...update.description,
	...getAll.description,
];
