import type { IExecuteFunctions, INodeExecutionData, INodeType } from 'n8n-workflow';
import { runPerItem } from '../shared/run-per-item';
import { storeResource } from '../shared/resources';
import { addMail } from './actions/add-mail.operation';
import { mailCasesStoreTest } from '../shared/store-credential-test';
import { description } from './description';

/**
 * R-PROC-2, R-PROC-5, R-PLUS-2, R-PLUS-5: the mail becomes an incoming-mail activity of its
 * case, once per Message-ID; its `Field = Value` lines can be applied in the same transaction.
 */
export class AddToCase implements INodeType {
	description = description;

	methods = { credentialTest: { mailCasesStoreTest } };

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await runPerItem(this, {
			resources: { store: storeResource(this) },
			item: async (i, r) => await addMail(this, i, await r.store()),
		});
	}
}
