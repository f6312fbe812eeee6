import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import type { MailSender } from '../../../lib/protocols/mail-sender';
import type { Store } from '../../../lib/store';
import { failedItem } from '../../shared/errors';
import { senderFor } from '../../shared/sender';
import { storeFor } from '../../shared/store';
import { send, type SendContext } from './send.operation';
import { sendTest } from './send-test.operation';

/**
 * Runs the chosen operation for every input item. One sender serves the whole execution: one
 * SMTP connection pool, or one Graph client with its token (Send Through = Exchange profile).
 * It is created at the first item that sends, so a profile that cannot work fails that item
 * (continueOnFail honoured) like any other sending error. The case store is opened only when an
 * item uses "Record on Case" (Send Mail without it touches no store).
 */
export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	let sender: MailSender | undefined;
	const output: INodeExecutionData[] = [];
	let store: Store | undefined;
	const context: SendContext = {
		store: async () => (store ??= await storeFor(this)),
		systemId: this.getInstanceId(),
	};
	try {
		for (let i = 0; i < items.length; i++) {
			try {
				const operation = this.getNodeParameter('operation', i) as string;
				if (operation === 'sendTest') {
					output.push(await sendTest(this, i));
				} else {
					sender ??= await senderFor(this);
					output.push(await send(this, i, sender, context));
				}
			} catch (error) {
				output.push(failedItem(this, error, i));
			}
		}
	} finally {
		sender?.close();
	}
	return [output];
}
