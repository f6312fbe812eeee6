import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import type { MailSender } from '../../../lib/protocols/mail-sender';
import type { Store } from '../../../lib/store';
import { warnIfNotDefaultProfile } from '../../shared/default-profile';
import { failedItem, toNodeError } from '../../shared/errors';
import { senderFor } from '../../shared/sender';
import { storeFor } from '../../shared/store';
import { forward } from './forward.operation';

/** Forwards every input item over one sender (SMTP pool or Graph client). */
export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	const output: INodeExecutionData[] = [];
	let sender: MailSender | undefined;
	let store: Promise<Store> | undefined;
	// The store is opened only when an item needs the ledger ("Forward Once per Mail").
	const openStore = () => (store ??= storeFor(this));
	try {
		sender = await senderFor(this);
		warnIfNotDefaultProfile(this, sender);
		const systemId = this.getInstanceId();
		for (let i = 0; i < items.length; i++) {
			try {
				output.push(await forward(this, i, sender, openStore, systemId));
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
