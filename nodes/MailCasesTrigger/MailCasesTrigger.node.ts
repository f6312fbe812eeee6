import {
	NodeConnectionTypes,
	type ICredentialsDecrypted,
	type ICredentialTestFunctions,
	type IDataObject,
	type INodeCredentialTestResult,
	type INodeType,
	type INodeTypeDescription,
	type ITriggerFunctions,
	type ITriggerResponse,
} from 'n8n-workflow';
import { createMailSource } from '../../lib/intake/create-source';
import { IntakeLoop } from '../../lib/intake/intake-loop';
import { testMailboxProfile } from '../../lib/protocols/mailbox-connection-test';
import { emptyPop3State, type Pop3State } from '../../lib/protocols/pop3/pop3-source';
import { errorMessage, toNodeError } from '../shared/errors';
import { mailboxProfileFrom } from '../shared/profiles';
import { createDeliver } from './deliver';
import { emitNewestMail } from './manual-fetch';
import { createEventReporter } from './report-events';
import { triggerProperties } from './trigger-properties';
import { readTriggerSettings } from './trigger-settings';

export class MailCasesTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Mail Cases Trigger',
		name: 'mailCasesTrigger',
		icon: { light: 'file:../../icons/mail-cases.svg', dark: 'file:../../icons/mail-cases.dark.svg' },
		group: ['trigger'],
		version: 1,
		subtitle: '={{ "After success: " + $parameter["disposition"] }}',
		description: 'Starts the workflow for mail in an IMAP or POP3 mailbox and removes it only after the run succeeded',
		eventTriggerDescription: 'Waiting for you to send a mail to the mailbox',
		defaults: { name: 'Mail Cases Trigger' },
		inputs: [],
		outputs: [NodeConnectionTypes.Main, NodeConnectionTypes.Main, NodeConnectionTypes.Main],
		outputNames: ['Mail', 'Auto-Replies & Bounces', 'Quarantined'],
		credentials: [{ name: 'mailCasesMailbox', required: true, testedBy: 'mailCasesMailboxTest' }],
		properties: triggerProperties,
	};

	methods = {
		credentialTest: {
			/** R-IN-3: the "Test" button of the mailbox profile dialog. */
			async mailCasesMailboxTest(
				this: ICredentialTestFunctions,
				credential: ICredentialsDecrypted,
			): Promise<INodeCredentialTestResult> {
				try {
					const result = await testMailboxProfile(mailboxProfileFrom(credential.data ?? {}));
					return { status: 'OK', message: result.message };
				} catch (error) {
					return { status: 'Error', message: errorMessage(error) };
				}
			},
		},
	};

	async trigger(this: ITriggerFunctions): Promise<ITriggerResponse> {
		const profile = mailboxProfileFrom(await this.getCredentials('mailCasesMailbox'));
		const settings = readTriggerSettings(this, profile.protocol);
		const staticData = this.getWorkflowStaticData('node') as IDataObject & { pop3?: Pop3State };
		staticData.pop3 ??= emptyPop3State();
		const systemId = this.getInstanceId();
		const source = createMailSource(profile, { quarantineFolder: settings.quarantineFolder, pop3State: staticData.pop3 });

		if (this.getMode() === 'manual') {
			const manualTriggerFunction = async () => {
				try {
					await emitNewestMail(this, source, settings, systemId);
				} catch (error) {
					throw toNodeError(this.getNode(), error);
				}
			};
			return { manualTriggerFunction, closeFunction: async () => await source.close() };
		}

		const loop = new IntakeLoop(source, createDeliver(this, source, settings, systemId), createEventReporter(this, source), settings.intake);
		loop.start();
		return { closeFunction: async () => await loop.stop() };
	}
}
