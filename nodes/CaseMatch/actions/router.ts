import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import type { Store } from '../../../lib/store';
import { failedItem } from '../../shared/errors';
import { storeFor } from '../../shared/store';
import { match } from './match.operation';

/**
 * Every input item goes to output 0 (matched, with `case`) or output 1 (unmatched, with
 * `reason`). Errors go to output 0 with continueOnFail, as n8n routes them from there to an
 * error output when the node has one.
 */
export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	const outputs: INodeExecutionData[][] = [[], []];
	let store: Store | undefined;
	for (let i = 0; i < items.length; i++) {
		try {
			store ??= await storeFor(this);
			const { output, item } = await match(this, i, store);
			outputs[output].push(item);
		} catch (error) {
			outputs[0].push(failedItem(this, error, i));
		}
	}
	return outputs;
}
