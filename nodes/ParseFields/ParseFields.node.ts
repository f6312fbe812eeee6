import type { IExecuteFunctions, INodeExecutionData, INodeType } from 'n8n-workflow';
import { runPerItem } from '../shared/run-per-item';
import { parse } from './actions/parse.operation';
import { description } from './description';

/**
 * R-PROC-5 without a case store: the `Field = Value` lines of a mail (or any text) as
 * `{ field: value }`, for other systems. Same rules as Add to Case: quoted reply text and
 * signatures skipped, HTML converted when there is no text, the last line of a field wins.
 */
export class ParseFields implements INodeType {
	description = description;

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await runPerItem(this, { item: async (i) => parse(this, i) });
	}
}
