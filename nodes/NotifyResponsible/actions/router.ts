import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import type { MailSender } from '../../../lib/protocols/mail-sender';
import { failedItem, toNodeError } from '../../shared/errors';
import { senderFor } from '../../shared/sender';
import { storeFor } from '../../shared/store';
import { warnIfNotDefaultProfile } from '../../shared/default-profile';
import { notify } from './notify.operation';

/** Notifies for every input item over one sender (SMTP pool or Graph client) and one store. */
export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	const output: INodeExecutionData[] = [];
	let sender: MailSender | undefined;
	try {
		const store = await storeFor(this);
		sender = await senderFor(this);
		warnIfNotDefaultProfile(this, sender);
		const systemId = this.getInstanceId();
		for (let i = 0; i < items.length; i++) {
			try {
				output.push(await notify(this, i, store, sender, systemId));
			} catch (error) {
				output.push(failedItem(this, error, i, { keepInput: true }));
			}
		}
	} catch (error) {
		throw toNodeError(this.getNode(), error);
	} finally {
		sender?.close();
	}
	return [output];
}
