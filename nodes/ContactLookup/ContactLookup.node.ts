import type { IExecuteFunctions, INodeExecutionData, INodeType } from 'n8n-workflow';
import { runPerItem } from '../shared/run-per-item';
import { storeResource } from '../shared/resources';
import { mailCasesStoreTest } from '../shared/store-credential-test';
import { lookup } from './actions/lookup.operation';
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
		return await runPerItem(this, {
			resources: { store: storeResource(this) },
			item: async (i, r) => await lookup(this, i, await r.store()),
		});
	}
}
