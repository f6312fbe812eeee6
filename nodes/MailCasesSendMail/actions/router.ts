import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { SmtpSender } from '../../../lib/protocols/smtp/smtp-transport';
import { toNodeError } from '../../shared/errors';
import { smtpProfileFrom } from '../../shared/profiles';
import { send } from './send.operation';
import { sendTest } from './send-test.operation';

/** Runs the chosen operation for every input item over one SMTP connection pool. */
export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	const profile = smtpProfileFrom(await this.getCredentials('mailCasesSmtp'));
	const sender = new SmtpSender(profile, { pool: true });
	const output: INodeExecutionData[] = [];
	try {
		for (let i = 0; i < items.length; i++) {
			try {
				const operation = this.getNodeParameter('operation', i) as string;
				output.push(operation === 'sendTest' ? await sendTest(this, i, profile) : await send(this, i, profile, sender));
			} catch (error) {
				const nodeError = toNodeError(this.getNode(), error, i);
				if (!this.continueOnFail()) throw nodeError;
				output.push({ json: { error: nodeError.message, code: nodeError.description }, pairedItem: { item: i } });
			}
		}
	} finally {
		sender.close();
	}
	return [output];
}
