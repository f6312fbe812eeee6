import { describeMailbox, type MailboxProfile } from '../mailbox-profile';
import { Pop3Client } from './pop3-client';

/** R-IN-3: logs in and counts the mails in the inbox. Marks nothing for deletion. */
export async function testPop3Profile(
	profile: MailboxProfile,
): Promise<{ count: number; folder: string; message: string }> {
	const client = new Pop3Client(profile);
	await client.connect();
	try {
		const { count } = await client.stat();
		return {
			count,
			folder: 'INBOX',
			message: `Connected to ${describeMailbox(profile)}: ${count} ${count === 1 ? 'mail' : 'mails'} in INBOX`,
		};
	} finally {
		await client.quit().catch(() => client.destroy());
	}
}
