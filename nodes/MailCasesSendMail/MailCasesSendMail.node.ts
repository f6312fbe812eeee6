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
import { router } from './actions/router';
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
		return router.call(this);
	}
}
