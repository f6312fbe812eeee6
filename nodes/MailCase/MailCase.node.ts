import type { IExecuteFunctions, INodeExecutionData, INodeType } from 'n8n-workflow';
import { runPerItem } from '../shared/run-per-item';
import { storeResource } from '../shared/resources';
import { hintEmbeddedStore, runOperation } from './actions/router';
import { mailCasesStoreTest } from '../shared/store-credential-test';
import { loadOptions } from './methods/load-options';
import { description } from './description';

/**
 * The case store inside n8n: cases, case workflows, the org chart and the contact directory.
 * Without a "Mail Cases Store" credential it uses the embedded SQLite file in the n8n user
 * folder (the path is shown as a notice in the output).
 */
export class MailCase implements INodeType {
	description = description;

	methods = {
		loadOptions,
		credentialTest: { mailCasesStoreTest },
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		hintEmbeddedStore(this);
		return await runPerItem(this, {
			resources: { store: storeResource(this) },
			item: async (i, r) => await runOperation(this, i, r.store),
		});
	}
}
