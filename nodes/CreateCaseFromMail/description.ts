import { NodeConnectionTypes, type INodeTypeDescription } from 'n8n-workflow';
import { createCaseProperties } from './create-case.properties';

export const description: INodeTypeDescription = {
	displayName: 'Mail Cases Create Case From Mail',
	name: 'createCaseFromMail',
	icon: {
		light: 'file:../../icons/mail-cases.svg',
		dark: 'file:../../icons/mail-cases.dark.svg',
	},
	group: ['transform'],
	version: 1,
	subtitle: '={{ "Workflow " + $parameter["workflow"] }}',
	description: 'Open a new case from a mail that matched no case',
	defaults: { name: 'Create Case From Mail' },
	usableAsTool: true,
	inputs: [NodeConnectionTypes.Main],
	outputs: [NodeConnectionTypes.Main, NodeConnectionTypes.Main],
	outputNames: ['Case', 'Skipped'],
	credentials: [{ name: 'mailCasesStore', required: false, testedBy: 'mailCasesStoreTest' }],
	properties: createCaseProperties,
};
