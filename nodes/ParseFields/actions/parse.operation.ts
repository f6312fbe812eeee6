import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { parseFieldLines } from '../../../lib/cases/field-lines';
import { fieldLineSettings, type FieldLineOptionValues } from '../../shared/field-line-options';

interface ParseOptions extends FieldLineOptionValues {
	includeQuoted?: boolean;
	outputProperty?: string;
}

/** The `Field = Value` lines of the item's text (or HTML) as `{ field: value }`. */
export function parse(ctx: IExecuteFunctions, itemIndex: number): INodeExecutionData {
	const input = ctx.getInputData()[itemIndex];
	const text = ctx.getNodeParameter('text', itemIndex, '') as unknown;
	const html = ctx.getNodeParameter('html', itemIndex, '') as unknown;
	const options = ctx.getNodeParameter('options', itemIndex, {}) as ParseOptions;
	const parsed = parseFieldLines(
		{
			text: typeof text === 'string' ? text : '',
			html: typeof html === 'string' ? html : null,
		},
		{ ...fieldLineSettings(options), includeQuoted: options.includeQuoted === true },
	);
	const property = options.outputProperty?.trim() || 'fields';
	return {
		json: {
			...input.json,
			[property]: parsed.fields as IDataObject,
			// only when a limit (lib/mail/limits.ts) cut the reading of a hostile mail
			...(parsed.notes ? { [`${property}Notes`]: parsed.notes } : {}),
		},
		...(input.binary ? { binary: input.binary } : {}),
	};
}
