import { NodeConnectionTypes, type INodeTypeDescription } from 'n8n-workflow';
import { addToCaseProperties } from './add-to-case.properties';

export const description: INodeTypeDescription = {
	displayName: 'Mail Cases Add to Case',
	name: 'addToCase',
	icon: {
		light: 'file:../../icons/mail-cases.svg',
		dark: 'file:../../icons/mail-cases.dark.svg',
	},
	group: ['transform'],
	version: 1,
	subtitle: '={{ $parameter["applyFields"] ? "Add mail and apply fields" : "Add mail" }}',
	description:
		'Store a mail with its attachments in its case, once per Message-ID, and apply its Field = Value lines',
	defaults: { name: 'Add to Case' },
	usableAsTool: true,
	inputs: [NodeConnectionTypes.Main],
	outputs: [NodeConnectionTypes.Main],
	credentials: [{ name: 'mailCasesStore', required: false, testedBy: 'mailCasesStoreTest' }],
	properties: addToCaseProperties,
};
