import type { IExecuteFunctions, INodeExecutionData, INodeType } from 'n8n-workflow';
import { runPerItem } from '../shared/run-per-item';
import { sendConcurrency } from '../shared/sender';
import { senderResource, storeResource } from '../shared/resources';
import { forward } from './actions/forward.operation';
import { mailCasesStoreTest } from '../shared/store-credential-test';
import { description } from './description';

/**
 * R-PROC-6a: forwards a mail that matched no case to a configured address — the original as a
 * message/rfc822 attachment (default) or inline with its attachments — with a `Fwd:` subject,
 * Resent-* fields and our loop header. Forwarding to the mailbox the mail came from is refused;
 * a mail processed again is not forwarded twice (ledger, R-PLUS-2).
 */
export class ForwardMail implements INodeType {
	description = description;

	methods = { credentialTest: { mailCasesStoreTest } };

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const systemId = this.getInstanceId();
		// one sender for all items; the store is opened only when an item needs the ledger ("Forward Once per Mail")
		return await runPerItem(this, {
			resources: { sender: senderResource(this, { systemMail: true }), store: storeResource(this) },
			// #17.5: the items go as wide as the sender takes them (the SMTP pool's connections)
			concurrency: sendConcurrency,
			item: async (i, r) => await forward(this, i, await r.sender(), r.store, systemId),
		});
	}
}
