import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeType } from 'n8n-workflow';
import { contactJson } from '../../lib/cases/case-json';
import type { Store } from '../../lib/store';
import { failedItem } from '../shared/errors';
import { storeFor } from '../shared/store';
import { mailCasesStoreTest } from '../shared/store-credential-test';
import { description } from './description';

/**
 * R-PROC-6b contact lookup, usable alone: the contact of an e-mail address (the mail's sender
 * by default). None found → every contact field empty (null); several → the oldest, the
 * store's rule ("the first one").
 */
export class ContactLookup implements INodeType {
	description = description;

	methods = { credentialTest: { mailCasesStoreTest } };

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const items = this.getInputData();
		const output: INodeExecutionData[] = [];
		let store: Store | undefined;
		for (let i = 0; i < items.length; i++) {
			try {
				store ??= await storeFor(this);
				const raw = String(this.getNodeParameter('email', i, '') ?? '').trim();
				const options = this.getNodeParameter('options', i, {}) as { outputProperty?: string };
				const property = options.outputProperty?.trim() || 'contact';
				// a display form ("Name" <a@b>) is reduced to its address; the store ignores case
				const address = /<([^<>\s@]+@[^<>\s]+)>/.exec(raw)?.[1] ?? raw;
				const all = address.includes('@') ? await store.contacts.findAllByEmail(address) : [];
				output.push({
					json: {
						...items[i].json,
						[property]: contactJson(all[0]) as unknown as IDataObject,
						[`${property}Matches`]: all.length,
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
