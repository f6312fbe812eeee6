import type { IExecuteFunctions, INodeExecutionData, INodeType } from 'n8n-workflow';
import { runPerItem } from '../shared/run-per-item';
import { storeResource } from '../shared/resources';
import { createCase } from './actions/create-case.operation';
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
		const systemId = this.getInstanceId();
		// output 0 = cases (and error items), output 1 = skipped mails
		return await runPerItem(this, {
			outputs: 2,
			resources: { store: storeResource(this) },
			item: async (i, r) => await createCase(this, i, await r.store(), systemId),
		});
	}
}
