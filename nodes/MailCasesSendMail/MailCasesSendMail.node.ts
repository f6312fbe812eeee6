import type { IExecuteFunctions, INodeExecutionData, INodeType } from 'n8n-workflow';
import { mailCasesExchangeTest, mailCasesSmtpTest } from '../shared/profile-credential-tests';
import { mailCasesStoreTest } from '../shared/store-credential-test';
import { runPerItem } from '../shared/run-per-item';
import { sendConcurrency } from '../shared/sender';
import { senderResource, storeResource } from '../shared/resources';
import { send } from './actions/send.operation';
import { sendTest } from './actions/send-test.operation';
import { description } from './description';

export class MailCasesSendMail implements INodeType {
	description = description;

	methods = {
		// The "Test" buttons of the SMTP and Exchange profile dialogs, and of the Mail Cases Store
		// credential (Record on Case / Send Once Per).
		credentialTest: { mailCasesSmtpTest, mailCasesExchangeTest, mailCasesStoreTest },
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const systemId = this.getInstanceId();
		// One sender for the execution (one SMTP pool or one Graph client), opened at the first item
		// that sends; the store only when an item uses "Record on Case".
		return await runPerItem(this, {
			resources: { sender: senderResource(this), store: storeResource(this) },
			// #17.5: the items go as wide as the sender takes them (the SMTP pool's connections)
			concurrency: sendConcurrency,
			item: async (i, r) => {
				if (this.getNodeParameter('operation', i) === 'sendTest') return await sendTest(this, i);
				return await send(this, i, await r.sender(), { store: r.store, systemId });
			},
		});
	}
}
