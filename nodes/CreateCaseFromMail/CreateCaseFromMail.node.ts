import type { IExecuteFunctions, INodeExecutionData, INodeType } from 'n8n-workflow';
import { router } from './actions/router';
import { mailCasesStoreTest } from '../shared/store-credential-test';
import { description } from './description';
import { loadOptions } from './methods/load-options';

/**
 * R-PROC-6b: opens a case from a mail that matched no case — in an active case workflow,
 * assigned to the inbound workplace, `Field = Value` lines filling the new case's form, the
 * sender kept as requester and the first contact with the sender's address linked; the mail is
 * the case's first activity. A mail processed again returns the same case (`replayed: true`,
 * R-PLUS-2). Auto-replies, bounces and our own mail go to the "Skipped" output (R-PLUS-3).
 */
export class CreateCaseFromMail implements INodeType {
	description = description;

	methods = {
		credentialTest: { mailCasesStoreTest },
		loadOptions,
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return router.call(this);
	}
}
