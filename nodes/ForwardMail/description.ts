import { NodeConnectionTypes, type INodeTypeDescription } from 'n8n-workflow';
import { senderCredentials, sendThroughProperty } from '../shared/sender';
import { forwardProperties } from './forward.properties';

export const description: INodeTypeDescription = {
	displayName: 'Mail Cases Forward',
	name: 'forwardMail',
	icon: {
		light: 'file:../../icons/mail-cases.svg',
		dark: 'file:../../icons/mail-cases.dark.svg',
	},
	group: ['output'],
	version: 1,
	subtitle: '={{ "To " + $parameter["forwardTo"] }}',
	description: 'Forward a mail to a configured address',
	defaults: { name: 'Forward' },
	usableAsTool: true,
	inputs: [NodeConnectionTypes.Main],
	outputs: [NodeConnectionTypes.Main],
	credentials: [
		...senderCredentials,
		{ name: 'mailCasesStore', required: false, testedBy: 'mailCasesStoreTest' },
	],
	properties: [sendThroughProperty, ...forwardProperties],
};
