import { NodeConnectionTypes, type INodeTypeDescription } from 'n8n-workflow';

export const description: INodeTypeDescription = {
	displayName: 'Mail Cases Contact Lookup',
	name: 'contactLookup',
	icon: {
		light: 'file:../../icons/mail-cases.svg',
		dark: 'file:../../icons/mail-cases.dark.svg',
	},
	group: ['transform'],
	version: 1,
	subtitle: '={{ $parameter["email"] }}',
	description: "Look up the contact of an e-mail address in the case store's contact directory",
	defaults: { name: 'Contact Lookup' },
	usableAsTool: true,
	inputs: [NodeConnectionTypes.Main],
	outputs: [NodeConnectionTypes.Main],
	credentials: [{ name: 'mailCasesStore', required: false, testedBy: 'mailCasesStoreTest' }],
	properties: [
		{
			displayName: 'Email',
			name: 'email',
			type: 'string',
			placeholder: 'name@email.com',
			default: '={{ $json.from.address }}',
			description: 'The address to look up; behind the Mail Cases Trigger the sender',
		},
		{
			displayName: 'Options',
			name: 'options',
			type: 'collection',
			placeholder: 'Add Option',
			default: {},
			options: [
				{
					displayName: 'Output Property',
					name: 'outputProperty',
					type: 'string',
					default: 'contact',
					description: 'Name of the property that receives the contact',
				},
			],
		},
	],
};
