import type { INodeProperties } from 'n8n-workflow';
import * as addNote from './add-note.operation';
import * as create from './create.operation';
import * as del from './delete.operation';
import * as get from './get.operation';
import * as getAll from './get-all.operation';
import * as recordDeliveryFailure from './record-delivery-failure.operation';
import * as renderBoard from './render-board.operation';
import * as renderCase from './render-case.operation';
import * as setResponsible from './set-responsible.operation';
import * as update from './update.operation';

export {
	addNote,
	create,
	del as delete,
	get,
	getAll,
	recordDeliveryFailure,
	renderBoard,
	renderCase,
	setResponsible,
	update,
};

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['case'] } },
		options: [
			{ name: 'Add Note', value: 'addNote', action: 'Add a note to a case' },
			{ name: 'Create', value: 'create', action: 'Create a case' },
			{ name: 'Delete', value: 'delete', action: 'Delete a case' },
			{ name: 'Get', value: 'get', action: 'Get a case by number' },
			{ name: 'Get Many', value: 'getAll', action: 'Get many cases' },
			{
				name: 'Record Delivery Failure',
				value: 'recordDeliveryFailure',
				action: 'Record a bounce on the case of the mail that bounced',
			},
			{
				name: 'Render Board',
				value: 'renderBoard',
				action: 'Render the case board as an HTML page',
			},
			{
				name: 'Render Case',
				value: 'renderCase',
				action: 'Render a case page with its history as HTML',
			},
			{
				name: 'Set Responsible',
				value: 'setResponsible',
				action: 'Set the responsible org unit of a case',
			},
			{ name: 'Update', value: 'update', action: 'Update a case' },
		],
		default: 'create',
	},
	...create.description,
	...get.description,
	...getAll.description,
	...update.description,
	...setResponsible.description,
	...addNote.description,
	...recordDeliveryFailure.description,
	...del.description,
	...renderBoard.description,
	...renderCase.description,
];
