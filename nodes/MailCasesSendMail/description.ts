import { NodeConnectionTypes, type INodeTypeDescription } from 'n8n-workflow';
import { sendThroughProperty } from '../shared/sender';
import { sendProperties } from './send.properties';
import { sendTestProperties } from './send-test.properties';

export const description: INodeTypeDescription = {
	displayName: 'Mail Cases Send Mail',
	name: 'mailCasesSendMail',
	icon: { light: 'file:../../icons/mail-cases.svg', dark: 'file:../../icons/mail-cases.dark.svg' },
	group: ['output'],
	version: 1,
	subtitle: '={{ $parameter["operation"] === "sendTest" ? "Send test mail" : "Send" }}',
	description: 'Send mail through an SMTP profile or an Exchange profile (Microsoft Graph)',
	defaults: { name: 'Send Mail' },
	usableAsTool: true,
	inputs: [NodeConnectionTypes.Main],
	outputs: [NodeConnectionTypes.Main],
	// The entries of `senderCredentials` (SMTP profile or Exchange profile, chosen by "Send
	// Through"), written out with their credential tests so n8n's tooling sees them. The store
	// is used only by the options "Record on Case" / "Send Once Per" (embedded store without it).
	credentials: [
		{
			name: 'mailCasesSmtp',
			required: true,
			testedBy: 'mailCasesSmtpTest',
			displayOptions: { show: { sendThrough: ['smtp'] } },
		},
		{
			name: 'mailCasesExchange',
			required: true,
			testedBy: 'mailCasesExchangeTest',
			displayOptions: { show: { sendThrough: ['exchange'] } },
		},
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
