import { NodeConnectionTypes, type INodeTypeDescription } from 'n8n-workflow';
import * as mailCase from './actions/case';
import * as contact from './actions/contact';
import * as orgUnit from './actions/org-unit';
import * as workflow from './actions/workflow';

export const description: INodeTypeDescription = {
	displayName: 'Mail Case',
	name: 'mailCase',
	icon: {
		light: 'file:../../icons/mail-cases.svg',
		dark: 'file:../../icons/mail-cases.dark.svg',
	},
	group: ['transform'],
	version: 1,
	subtitle: '={{ $parameter["operation"] + ": " + $parameter["resource"] }}',
	description: 'Create, read and change cases, case workflows, org units and contacts',
	defaults: { name: 'Mail Case' },
	usableAsTool: true,
	inputs: [NodeConnectionTypes.Main],
	outputs: [NodeConnectionTypes.Main],
	credentials: [{ name: 'mailCasesStore', required: false, testedBy: 'mailCasesStoreTest' }],
	properties: [
		{
			displayName: 'Resource',
			name: 'resource',
			type: 'options',
			noDataExpression: true,
			options: [
				{ name: 'Case', value: 'case' },
				{ name: 'Contact', value: 'contact' },
				{ name: 'Org Unit or Role', value: 'orgUnit' },
				{ name: 'Workflow', value: 'workflow' },
			],
			default: 'case',
		},
		...mailCase.description,
		...workflow.description,
		...orgUnit.description,
		...contact.description,
	],
};
