import type { IExecuteFunctions, INodeExecutionData, INodeType } from 'n8n-workflow';
import { router } from './actions/router';
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
		return router.call(this);
	}
}
