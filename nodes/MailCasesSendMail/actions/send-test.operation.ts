import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { testSmtpProfile } from '../../../lib/protocols/smtp/smtp-connection-test';
import type { SmtpProfile } from '../../../lib/protocols/smtp/smtp-profile';

export const sendTestProperties: INodeProperties[] = [
	{
		displayName: 'Test Recipient',
		name: 'testRecipient',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'you@example.com',
		displayOptions: { show: { operation: ['sendTest'] } },
		description: 'Address that receives the test mail (R-OUT-7)',
	},
];

/** Send Test Mail (R-OUT-7): connects, authenticates and sends a test mail. */
export async function sendTest(ctx: IExecuteFunctions, itemIndex: number, profile: SmtpProfile): Promise<INodeExecutionData> {
	const recipient = ctx.getNodeParameter('testRecipient', itemIndex) as string;
	const result = await testSmtpProfile(profile, recipient);
	return {
		json: { success: true, message: result.message, recipient: result.testMail?.recipient, messageId: result.testMail?.messageId },
		pairedItem: { item: itemIndex },
	};
}
