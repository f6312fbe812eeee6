import {
	NodeConnectionTypes,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
} from 'n8n-workflow';
import { senderCredentials, sendThroughProperty } from '../shared/sender';
import { forwardProperties } from './actions/forward.operation';
import { router } from './actions/router';
import { mailCasesStoreTest } from '../shared/store-credential-test';

/**
 * R-PROC-6a: forwards a mail that matched no case to a configured address — the original as a
 * message/rfc822 attachment (default) or inline with its attachments — with a `Fwd:` subject,
 * Resent-* fields and our loop header. Forwarding to the mailbox the mail came from is refused;
 * a mail processed again is not forwarded twice (ledger, R-PLUS-2).
 */
export class ForwardMail implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Mail Cases Forward',
		name: 'forwardMail',
		icon: {
			light: 'file:../../icons/mail-cases.svg',
			dark: 'file:../../icons/mail-cases.dark.svg',
		},
		group: ['output'],
		version: 1,
		subtitle: '={{ "To " + $parameter["forwardTo"] }}',
		description: 'Forward a mail to a configured address (R-PROC-6a)',
		defaults: { name: 'Forward' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [...senderCredentials, { name: 'mailCasesStore', required: false, testedBy: 'mailCasesStoreTest' }],
		properties: [sendThroughProperty, ...forwardProperties],
	};

	methods = { credentialTest: { mailCasesStoreTest } };

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return router.call(this);
	}
}
