import type { IExecuteFunctions, INodeExecutionData, INodeType } from 'n8n-workflow';
import { runPerItem } from '../shared/run-per-item';
import { storeResource } from '../shared/resources';
import { match } from './actions/match.operation';
import { mailCasesStoreTest } from '../shared/store-credential-test';
import { description } from './description';

/** R-PROC-1, R-PLUS-4, R-PLUS-5: routes each mail to its existing case or to "Unmatched". */
export class CaseMatch implements INodeType {
	description = description;

	methods = { credentialTest: { mailCasesStoreTest } };

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		// output 0 = matched (with `case`), output 1 = unmatched (with `reason`); error items on output 0
		return await runPerItem(this, {
			outputs: 2,
			resources: { store: storeResource(this) },
			item: async (i, r) => await match(this, i, await r.store()),
		});
	}
}
