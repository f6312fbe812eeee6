import { describeMailbox, mailboxFolder, type MailboxProfile } from '../mailbox-profile';
import { connectImap } from './imap-client';
import { imapError } from './imap-errors';

/** R-IN-3: logs in and counts the mails in the folder ("Connected: 12 mails in INBOX"). */
export async function testImapProfile(
	profile: MailboxProfile,
): Promise<{ count: number; folder: string; message: string }> {
	const client = await connectImap(profile);
	const folder = mailboxFolder(profile);
	try {
		const status = await client.status(folder, { messages: true }).catch((error) => {
			throw imapError(error, profile, `opening folder "${folder}"`);
		});
		const count = (status && status.messages) || 0;
		return {
			count,
			folder,
			message: `Connected to ${describeMailbox(profile)}: ${count} ${count === 1 ? 'mail' : 'mails'} in ${folder}`,
		};
	} finally {
		await client.logout().catch(() => client.close());
	}
}
