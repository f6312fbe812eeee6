import {
	NodeConnectionTypes,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
} from 'n8n-workflow';
import { parseFieldLines, type FieldSeparator } from '../../lib/cases/field-lines';
import { failedItem } from '../shared/errors';

interface ParseOptions {
	colonSeparator?: boolean;
	caseInsensitive?: boolean;
	includeQuoted?: boolean;
	allowedFields?: string;
	outputProperty?: string;
}

/**
 * R-PROC-5 without a case store: the `Field = Value` lines of a mail (or any text) as
 * `{ field: value }`, for other systems. Same rules as Add to Case: quoted reply text and
 * signatures skipped, HTML converted when there is no text, the last line of a field wins.
 */
export class ParseFields implements INodeType {
	description: INodeTypeDescription = {
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
					{
						displayName: 'Accept "Field: Value"',
						name: 'colonSeparator',
						type: 'boolean',
						default: false,
						description: 'Whether "Field: Value" lines count too',
					},
					{
						displayName: 'Allowed Fields',
						name: 'allowedFields',
						type: 'string',
						default: '',
						placeholder: 'Name, Telefon',
						description: 'Only these fields are output, separated by commas; empty = every field',
					},
					{
						displayName: 'Case-Insensitive Names',
						name: 'caseInsensitive',
						type: 'boolean',
						default: false,
						description:
							'Whether "name" and "Name" are the same field (the first spelling is output)',
					},
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

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const items = this.getInputData();
		const output: INodeExecutionData[] = [];
		for (let i = 0; i < items.length; i++) {
			try {
				const text = this.getNodeParameter('text', i, '') as unknown;
				const html = this.getNodeParameter('html', i, '') as unknown;
				const options = this.getNodeParameter('options', i, {}) as ParseOptions;
				const allowed = (options.allowedFields ?? '')
					.split(',')
					.map((f) => f.trim())
					.filter(Boolean);
				const parsed = parseFieldLines(
					{
						text: typeof text === 'string' ? text : '',
						html: typeof html === 'string' ? html : null,
					},
					{
						separators: (options.colonSeparator ? ['=', ':'] : ['=']) as FieldSeparator[],
						caseInsensitive: options.caseInsensitive === true,
						includeQuoted: options.includeQuoted === true,
						allowedFields: allowed.length > 0 ? allowed : null,
					},
				);
				const property = options.outputProperty?.trim() || 'fields';
				output.push({
					json: {
						...items[i].json,
						[property]: parsed.fields as IDataObject,
						// only when a limit (lib/mail/limits.ts) cut the reading of a hostile mail
						...(parsed.notes ? { [`${property}Notes`]: parsed.notes } : {}),
					},
					...(items[i].binary ? { binary: items[i].binary } : {}),
					pairedItem: { item: i },
				});
			} catch (error) {
				output.push(failedItem(this, error, i));
			}
		}
		return [output];
	}
}
