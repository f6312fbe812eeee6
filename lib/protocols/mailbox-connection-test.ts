import { testImapProfile } from './imap/imap-connection-test';
import type { MailboxProfile } from './mailbox-profile';
import { testPop3Profile } from './pop3/pop3-connection-test';

/** R-IN-3 "Test settings" for either protocol. */
export function testMailboxProfile(profile: MailboxProfile) {
	return profile.protocol === 'imap' ? testImapProfile(profile) : testPop3Profile(profile);
}
