import type { IExecuteFunctions, INodeExecutionData, INodeType } from 'n8n-workflow';
import { runPerItem } from '../shared/run-per-item';
import { sendConcurrency } from '../shared/sender';
import { senderResource, storeResource } from '../shared/resources';
import { notify } from './actions/notify.operation';
import { mailCasesStoreTest } from '../shared/store-credential-test';
import { description } from './description';

/**
 * R-PROC-3: tells the members of a case's responsible org unit / role that a new message
 * arrived for the case. The mail carries the case reference in the subject, our loop header and
 * Auto-Submitted (R-PLUS-3), threads with the incoming mail, and its Message-ID is recorded for
 * the case so replies to it find the case (R-PLUS-4). The same mail processed again sends no
 * second notification.
 */
export class NotifyResponsible implements INodeType {
	description = description;

	methods = { credentialTest: { mailCasesStoreTest } };

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const systemId = this.getInstanceId();
		return await runPerItem(this, {
			resources: { store: storeResource(this), sender: senderResource(this, { systemMail: true }) },
			// #17.5: the items go as wide as the sender takes them (the SMTP pool's connections)
			concurrency: sendConcurrency,
			item: async (i, r) => await notify(this, i, await r.store(), await r.sender(), systemId),
		});
	}
}
