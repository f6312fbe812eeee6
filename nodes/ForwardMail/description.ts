import { NodeConnectionTypes, type INodeTypeDescription } from 'n8n-workflow';
import { sendThroughProperty } from '../shared/sender';
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
	// Written out, not spread from a shared array: n8n's package scanner (its lint rules read
	// the description's literal) stops with an error on a spread element here.
	credentials: [
		{ name: 'mailCasesSmtp', required: true, displayOptions: { show: { sendThrough: ['smtp'] } } },
		{
			name: 'mailCasesExchange',
			required: true,
			displayOptions: { show: { sendThrough: ['exchange'] } },
		},
		{ name: 'mailCasesStore', required: false, testedBy: 'mailCasesStoreTest' },
	],
	properties: [sendThroughProperty, ...forwardProperties],
};
