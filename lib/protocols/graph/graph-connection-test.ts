import { buildOutgoingMessage } from '../../mail/outgoing-message';
import {
	describeExchange,
	exchangeFolder,
	exchangeFromAddress,
	type ExchangeProfile,
} from './exchange-profile';
import { GraphClient, type GraphClientOptions } from './graph-client';
import { GraphFolders } from './graph-folders';
import { GraphSender } from './graph-sender';

export interface ExchangeTestResult {
	count: number;
	folder: string;
	message: string;
	testMailSent: boolean;
}

/**
 * "Test settings" of an Exchange profile (R-IN-3 analogue): gets a token (tenant, client id,
 * secret/certificate), reads the folder (Mail.ReadWrite, mailbox) and reports how many mails
 * are in it; with a test recipient it also sends a test mail (Mail.Send).
 */
export async function testExchangeProfile(
	profile: ExchangeProfile,
	options: { clientOptions?: GraphClientOptions; client?: GraphClient } = {},
): Promise<ExchangeTestResult> {
	const client = options.client ?? new GraphClient(profile, options.clientOptions);
	try {
		await client.tokens.getToken();
		const folderPath = exchangeFolder(profile);
		const folder = await new GraphFolders(client).get(folderPath);
		const count = folder.totalItemCount ?? 0;
		let message = `Connected to ${describeExchange(profile)}: ${count} ${count === 1 ? 'mail' : 'mails'} in ${folder.displayName || folderPath}`;
		let testMailSent = false;
		const recipient = profile.testRecipient?.trim();
		if (recipient) {
			const from = exchangeFromAddress(profile);
			const mail = buildOutgoingMessage({
				from: { address: from, name: profile.fromName },
				to: recipient,
				subject: 'Mail Cases: test mail',
				text: `This test mail was sent through Microsoft Graph from ${profile.mailbox.trim()} by the Mail Cases Exchange profile.`,
			});
			await new GraphSender(profile, { client }).send(mail);
			testMailSent = true;
			message += `; test mail sent to ${recipient}`;
		}
		return { count, folder: folder.displayName || folderPath, message, testMailSent };
	} finally {
		if (!options.client) client.close();
	}
}
