import type { IExecuteFunctions, INodeExecutionData, INodeType } from 'n8n-workflow';
import { router } from './actions/router';
import { mailCasesStoreTest } from '../shared/store-credential-test';
import { description } from './description';

/** R-PROC-1, R-PLUS-4, R-PLUS-5: routes each mail to its existing case or to "Unmatched". */
export class CaseMatch implements INodeType {
	description = description;

	methods = { credentialTest: { mailCasesStoreTest } };

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await router.call(this);
	}
}
