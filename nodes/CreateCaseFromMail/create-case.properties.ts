import type { INodeProperties } from 'n8n-workflow';
import { decimalSeparatorOption, fieldLineOptions } from '../shared/field-line-options';

export const createCaseProperties: INodeProperties[] = [
	{
		displayName: 'Workflow Name or ID',
		name: 'workflow',
		type: 'options',
		typeOptions: { loadOptionsMethod: 'getActiveWorkflows' },
		required: true,
		default: '',
		description:
			'Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>',
		hint: "The case workflow the new case starts in; only ACTIVE workflows are listed. An expression may give the workflow's name or ID.",
	},
	{
		displayName: 'Inbound Workplace Name or ID',
		name: 'inboundWorkplace',
		type: 'options',
		typeOptions: { loadOptionsMethod: 'getOrgUnits' },
		required: true,
		default: '',
		description:
			'Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>',
		hint: "The org unit / role the new case is assigned to first; without it the case would show up in nobody's list. An expression may give its name or ID.",
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: [
			...fieldLineOptions,
			decimalSeparatorOption,
			{
				displayName: 'Skip Automatic Mail',
				name: 'skipAutomaticMail',
				type: 'boolean',
				default: true,
				description:
					'Whether auto-replies, bounces and mail this system sent itself go to the "Skipped" output instead of opening a case',
			},
			{
				displayName: 'Title',
				name: 'title',
				type: 'string',
				default: '',
				description: "Title of the new case; empty = the mail's subject without Re:/Fwd: prefixes",
			},
		],
	},
];
