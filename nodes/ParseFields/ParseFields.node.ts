import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeType } from 'n8n-workflow';
import { parseFieldLines } from '../../lib/cases/field-lines';
import { failedItem } from '../shared/errors';
import { fieldLineSettings, type FieldLineOptionValues } from '../shared/field-line-options';
import { description } from './description';

interface ParseOptions extends FieldLineOptionValues {
	includeQuoted?: boolean;
	outputProperty?: string;
}

/**
 * R-PROC-5 without a case store: the `Field = Value` lines of a mail (or any text) as
 * `{ field: value }`, for other systems. Same rules as Add to Case: quoted reply text and
 * signatures skipped, HTML converted when there is no text, the last line of a field wins.
 */
export class ParseFields implements INodeType {
	description = description;

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const items = this.getInputData();
		const output: INodeExecutionData[] = [];
		for (let i = 0; i < items.length; i++) {
			try {
				const text = this.getNodeParameter('text', i, '') as unknown;
				const html = this.getNodeParameter('html', i, '') as unknown;
				const options = this.getNodeParameter('options', i, {}) as ParseOptions;
				const parsed = parseFieldLines(
					{
						text: typeof text === 'string' ? text : '',
						html: typeof html === 'string' ? html : null,
					},
					{ ...fieldLineSettings(options), includeQuoted: options.includeQuoted === true },
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
