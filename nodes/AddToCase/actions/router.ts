import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import type { Store } from '../../../lib/store';
import { failedItem } from '../../shared/errors';
import { storeFor } from '../../shared/store';
import { addMail } from './add-mail.operation';

/** Adds the mail of every input item to its case; a failed item is an error item (continue on fail). */
export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	const output: INodeExecutionData[] = [];
	let store: Store | undefined;
	for (let i = 0; i < items.length; i++) {
		try {
			store ??= await storeFor(this);
			output.push(await addMail(this, i, store));
		} catch (error) {
			output.push(failedItem(this, error, i));
		}
	}
	return [output];
}
