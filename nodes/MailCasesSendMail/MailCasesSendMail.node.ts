import type {
	ICredentialsDecrypted,
	ICredentialTestFunctions,
	IExecuteFunctions,
	INodeCredentialTestResult,
	INodeExecutionData,
	INodeType,
} from 'n8n-workflow';
import { testSmtpProfile } from '../../lib/protocols/smtp/smtp-connection-test';
import { errorMessage } from '../shared/errors';
import { smtpProfileFrom } from '../shared/profiles';
import { mailCasesStoreTest } from '../shared/store-credential-test';
import { exchangeCredentialTest } from '../shared/exchange-credential-test';
import { runPerItem } from '../shared/run-per-item';
import { senderResource, storeResource } from '../shared/resources';
import { send } from './actions/send.operation';
import { sendTest } from './actions/send-test.operation';
import { description } from './description';

export class MailCasesSendMail implements INodeType {
	description = description;

	methods = {
		credentialTest: {
			/** R-OUT-7: the "Test" button of the SMTP profile dialog. */
			async mailCasesSmtpTest(
				this: ICredentialTestFunctions,
				credential: ICredentialsDecrypted,
			): Promise<INodeCredentialTestResult> {
				try {
					const result = await testSmtpProfile(smtpProfileFrom(credential.data ?? {}));
					return { status: 'OK', message: result.message };
				} catch (error) {
					return { status: 'Error', message: errorMessage(error) };
				}
			},
			/** R-EXO-2: the "Test" button of the Exchange profile dialog (the same test as the trigger's). */
			mailCasesExchangeTest: exchangeCredentialTest,
			/** The "Test" button of the Mail Cases Store credential (Record on Case / Send Once Per). */
			mailCasesStoreTest,
		},
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const systemId = this.getInstanceId();
		// One sender for the execution (one SMTP pool or one Graph client), opened at the first item
		// that sends; the store only when an item uses "Record on Case".
		return await runPerItem(this, {
			resources: { sender: senderResource(this), store: storeResource(this) },
			item: async (i, r) => {
				if (this.getNodeParameter('operation', i) === 'sendTest') return await sendTest(this, i);
				return await send(this, i, await r.sender(), { store: r.store, systemId });
			},
		});
	}
}
