import { NodeConnectionTypes, type INodeTypeDescription } from 'n8n-workflow';
import { triggerProperties } from './trigger.properties';

export const description: INodeTypeDescription = {
	displayName: 'Mail Cases Trigger',
	name: 'mailCasesTrigger',
	icon: { light: 'file:../../icons/mail-cases.svg', dark: 'file:../../icons/mail-cases.dark.svg' },
	group: ['trigger'],
	version: 1,
	subtitle: '={{ "After success: " + $parameter["disposition"] }}',
	description:
		'Starts the workflow for mail in an IMAP, POP3 or Exchange (Microsoft Graph) mailbox and removes it only after the run succeeded',
	eventTriggerDescription: 'Waiting for you to send a mail to the mailbox',
	defaults: { name: 'Mail Cases Trigger' },
	inputs: [],
	outputs: [NodeConnectionTypes.Main, NodeConnectionTypes.Main, NodeConnectionTypes.Main],
	outputNames: ['Mail', 'Auto-Replies & Bounces', 'Quarantined'],
	credentials: [
		{
			name: 'mailCasesMailbox',
			required: true,
			testedBy: 'mailCasesMailboxTest',
			displayOptions: { show: { mailboxType: ['mailbox'] } },
		},
		{
			name: 'mailCasesExchange',
			required: true,
			testedBy: 'mailCasesExchangeTest',
			displayOptions: { show: { mailboxType: ['exchange'] } },
		},
	],
	properties: triggerProperties,
};
