import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { buildOutgoingMessage } from '../../../lib/mail/outgoing-message';
import {
	describeExchange,
	exchangeFromAddress,
} from '../../../lib/protocols/graph/exchange-profile';
import { GraphSender } from '../../../lib/protocols/graph/graph-sender';
import { testSmtpProfile } from '../../../lib/protocols/smtp/smtp-connection-test';
import { exchangeProfileFrom, smtpProfileFrom } from '../../shared/profiles';

/**
 * Send Test Mail (R-OUT-7). SMTP profile: connects, authenticates and sends a test mail.
 * Exchange profile (R-EXO-2): gets a token from Microsoft Entra ID and sends a test mail through
 * Graph (needs Mail.Send only, so it also checks a profile that is used for sending alone).
 */
export async function sendTest(
	ctx: IExecuteFunctions,
	itemIndex: number,
): Promise<INodeExecutionData> {
	const recipient = ctx.getNodeParameter('testRecipient', itemIndex) as string;
	const through = ctx.getNodeParameter('sendThrough', itemIndex, 'smtp') as string;
	if (through === 'exchange') {
		const profile = exchangeProfileFrom(await ctx.getCredentials('mailCasesExchange', itemIndex));
		const mail = buildOutgoingMessage({
			from: { address: exchangeFromAddress(profile), name: profile.fromName },
			to: recipient,
			subject: 'Mail Cases: test mail',
			text: `This test mail was sent through Microsoft Graph from ${profile.mailbox.trim()} by the Mail Cases Exchange profile.`,
		});
		const sender = new GraphSender(profile);
		try {
			await sender.verify();
			const result = await sender.send(mail);
			const sentTo = mail.to.map((a) => a.address).join(', ');
			return {
				json: {
					success: true,
					message: `Connected to ${describeExchange(profile)}; test mail sent to ${sentTo}`,
					recipient: sentTo,
					messageId: result.messageId,
				},
			};
		} finally {
			sender.close();
		}
	}
	const profile = smtpProfileFrom(await ctx.getCredentials('mailCasesSmtp', itemIndex));
	const result = await testSmtpProfile(profile, recipient);
	return {
		json: {
			success: true,
			message: result.message,
			recipient: result.testMail?.recipient,
			messageId: result.testMail?.messageId,
		},
	};
}
