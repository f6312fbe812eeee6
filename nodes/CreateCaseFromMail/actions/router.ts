import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { failedItem, toNodeError } from '../../shared/errors';
import { storeFor } from '../../shared/store';
import { createCase } from './create-case.operation';

/** Opens a case for every input item; output 0 = cases, output 1 = skipped mails. */
export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	const cases: INodeExecutionData[] = [];
	const skipped: INodeExecutionData[] = [];
	try {
		const store = await storeFor(this);
		const systemId = this.getInstanceId();
		for (let i = 0; i < items.length; i++) {
			try {
				const { output, item } = await createCase(this, i, store, systemId);
				(output === 0 ? cases : skipped).push(item);
			} catch (error) {
				cases.push(failedItem(this, error, i, { keepInput: true }));
			}
		}
	} catch (error) {
		throw toNodeError(this.getNode(), error);
	}
	return [cases, skipped];
}
