import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import type { MailSender } from '../../../lib/protocols/mail-sender';
import { toNodeError } from '../../shared/errors';
import { senderFor } from '../../shared/sender';
import { storeFor } from '../../shared/store';
import { warnIfNotDefaultProfile } from './default-profile';
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
				const nodeError = toNodeError(this.getNode(), error, i);
				if (!this.continueOnFail()) throw nodeError;
				output.push({
					json: { ...items[i].json, error: nodeError.message, code: nodeError.description },
					pairedItem: { item: i },
				});
			}
		}
	} catch (error) {
		throw toNodeError(this.getNode(), error);
	} finally {
		sender?.close();
	}
	return [output];
}
