import {
	NodeConnectionTypes,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
} from 'n8n-workflow';
import { senderCredentials, sendThroughProperty } from '../shared/sender';
import { notifyProperties } from './actions/notify.operation';
import { router } from './actions/router';
import { mailCasesStoreTest } from '../shared/store-credential-test';

/**
 * R-PROC-3: tells the members of a case's responsible org unit / role that a new message
 * arrived for the case. The mail carries the case reference in the subject, our loop header and
 * Auto-Submitted (R-PLUS-3), threads with the incoming mail, and its Message-ID is recorded for
 * the case so replies to it find the case (R-PLUS-4). The same mail processed again sends no
 * second notification.
 */
export class NotifyResponsible implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Mail Cases Notify Responsible',
		name: 'notifyResponsible',
		icon: {
			light: 'file:../../icons/mail-cases.svg',
			dark: 'file:../../icons/mail-cases.dark.svg',
		},
		group: ['output'],
		version: 1,
		subtitle: '={{ "Through " + ($parameter["sendThrough"] === "exchange" ? "Exchange" : "SMTP") }}',
		description: 'Notify the responsible org unit / role of a case about a new mail (R-PROC-3)',
		defaults: { name: 'Notify Responsible' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [...senderCredentials, { name: 'mailCasesStore', required: false, testedBy: 'mailCasesStoreTest' }],
		properties: [sendThroughProperty, ...notifyProperties],
	};

	methods = { credentialTest: { mailCasesStoreTest } };

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return router.call(this);
	}
}
