import {
	NodeConnectionTypes,
	type ICredentialsDecrypted,
	type ICredentialTestFunctions,
	type IExecuteFunctions,
	type INodeCredentialTestResult,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
} from 'n8n-workflow';
import { testSmtpProfile } from '../../lib/protocols/smtp/smtp-connection-test';
import { errorMessage } from '../shared/errors';
import { smtpProfileFrom } from '../shared/profiles';
import { sendThroughProperty } from '../shared/sender';
import { mailCasesStoreTest } from '../shared/store-credential-test';
import { exchangeCredentialTest } from '../MailCasesTrigger/exchange-credential-test';
import { router } from './actions/router';
import { sendProperties } from './actions/send.operation';
import { sendTestProperties } from './actions/send-test.operation';

export class MailCasesSendMail implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Mail Cases Send Mail',
		name: 'mailCasesSendMail',
		icon: { light: 'file:../../icons/mail-cases.svg', dark: 'file:../../icons/mail-cases.dark.svg' },
		group: ['output'],
		version: 1,
		subtitle: '={{ $parameter["operation"] === "sendTest" ? "Send test mail" : "Send" }}',
		description: 'Send mail through an SMTP profile or an Exchange profile (Microsoft Graph) (R-OUT, R-EXO)',
		defaults: { name: 'Send Mail' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		// The entries of `senderCredentials` (SMTP profile or Exchange profile, chosen by "Send
		// Through"), written out with their credential tests so n8n's tooling sees them. The store
		// is used only by the options "Record on Case" / "Send Once Per" (embedded store without it).
		credentials: [
			{ name: 'mailCasesSmtp', required: true, testedBy: 'mailCasesSmtpTest', displayOptions: { show: { sendThrough: ['smtp'] } } },
			{ name: 'mailCasesExchange', required: true, testedBy: 'mailCasesExchangeTest', displayOptions: { show: { sendThrough: ['exchange'] } } },
			{ name: 'mailCasesStore', required: false, testedBy: 'mailCasesStoreTest' },
		],
		properties: [
			sendThroughProperty,
			{
				displayName: 'Operation',
				name: 'operation',
				type: 'options',
				noDataExpression: true,
				options: [
					{ name: 'Send', value: 'send', action: 'Send a mail' },
					{ name: 'Send Test Mail', value: 'sendTest', action: 'Send a test mail' },
				],
				default: 'send',
			},
			...sendProperties,
			...sendTestProperties,
		],
	};

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
