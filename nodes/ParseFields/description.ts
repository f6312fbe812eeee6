import { NodeConnectionTypes, type INodeTypeDescription } from 'n8n-workflow';
import { fieldLineOptions } from '../shared/field-line-options';

export const description: INodeTypeDescription = {
	displayName: 'Mail Cases Parse Fields',
	name: 'parseFields',
	icon: {
		light: 'file:../../icons/mail-cases.svg',
		dark: 'file:../../icons/mail-cases.dark.svg',
	},
	group: ['transform'],
	version: 1,
	subtitle: '={{ "Into " + ($parameter["options"].outputProperty || "fields") }}',
	description: 'Read "Field = Value" lines from a mail into an object, without a case store',
	defaults: { name: 'Parse Fields' },
	usableAsTool: true,
	inputs: [NodeConnectionTypes.Main],
	outputs: [NodeConnectionTypes.Main],
	properties: [
		{
			displayName: 'Text',
			name: 'text',
			type: 'string',
			typeOptions: { rows: 4 },
			default: '={{ $json.text }}',
			description: "The text to read; behind the Mail Cases Trigger the mail's text part",
		},
		{
			displayName: 'HTML',
			name: 'html',
			type: 'string',
			default: '={{ $json.html }}',
			description: 'Read (converted to text) when Text is empty, e.g. for HTML-only mails',
		},
		{
			displayName: 'Options',
			name: 'options',
			type: 'collection',
			placeholder: 'Add Option',
			default: {},
			options: [
				...fieldLineOptions,
				{
					displayName: 'Include Quoted Text',
					name: 'includeQuoted',
					type: 'boolean',
					default: false,
					description:
						'Whether lines of quoted replies ("> ...", "Am ... schrieb ...:") and the signature are read too.',
				},
				{
					displayName: 'Output Property',
					name: 'outputProperty',
					type: 'string',
					default: 'fields',
					description: 'Name of the property that receives the parsed fields',
				},
			],
		},
	],
};
