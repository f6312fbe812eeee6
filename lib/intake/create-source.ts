import type { MailboxProfile } from '../protocols/mailbox-profile';
import { ImapSource } from '../protocols/imap/imap-source';
import { Pop3Source, type Pop3State } from '../protocols/pop3/pop3-source';
import type { MailSource } from './mail-source';

export interface SourceOptions {
	/** IMAP folder that takes mails that keep failing. */
	quarantineFolder: string;
	/** POP3 memory between polls (quarantined / kept UIDLs, attempts). */
	pop3State?: Pop3State;
}

export function createMailSource(profile: MailboxProfile, options: SourceOptions): MailSource {
	if (profile.protocol === 'pop3') return new Pop3Source(profile, options.pop3State);
	return new ImapSource(profile, { quarantineFolder: options.quarantineFolder });
}
