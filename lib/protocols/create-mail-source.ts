import type { MailboxProfile } from './mailbox-profile';
import type { ExchangeProfile } from './graph/exchange-profile';
import type { GraphClientOptions } from './graph/graph-client';
import { GraphSource, type GraphDeleteMode } from './graph/graph-source';
import { ImapSource } from './imap/imap-source';
import { Pop3Source, type Pop3State } from './pop3/pop3-source';
import type { MailSource } from '../intake/mail-source';

/**
 * Where the trigger reads from: a mailbox profile (IMAP or POP3, R-IN-2) or an Exchange
 * profile read through Microsoft Graph (R-EXO-1). A bare MailboxProfile still means `mailbox`.
 */
export type SourceProfile =
	| { kind: 'mailbox'; profile: MailboxProfile }
	| { kind: 'exchange'; profile: ExchangeProfile };

export interface SourceOptions {
	/** Folder (IMAP, Exchange) that takes mails that keep failing. */
	quarantineFolder: string;
	/** POP3 memory between polls (quarantined / kept UIDLs, attempts). */
	pop3State?: Pop3State;
	/** Called after every change of the POP3 state, so its owner can have it saved. */
	pop3StateChanged?: () => void;
	/** Exchange: what disposition "delete" does (default: move to Deleted Items). */
	exchangeDeleteMode?: GraphDeleteMode;
	/** Exchange: interval of the delta check for new mail between two listings. */
	exchangeCheckIntervalMs?: number;
	/** Exchange: Graph client settings (retry policy); for tests and benchmarks. */
	graphClientOptions?: GraphClientOptions;
}

function isSourceProfile(input: MailboxProfile | SourceProfile): input is SourceProfile {
	return (
		'kind' in input && (input.kind === 'mailbox' || input.kind === 'exchange') && 'profile' in input
	);
}

export function createMailSource(
	input: MailboxProfile | SourceProfile,
	options: SourceOptions,
): MailSource {
	const source: SourceProfile = isSourceProfile(input)
		? input
		: { kind: 'mailbox', profile: input };
	if (source.kind === 'exchange') {
		return new GraphSource(source.profile, {
			quarantineFolder: options.quarantineFolder,
			deleteMode: options.exchangeDeleteMode,
			checkIntervalMs: options.exchangeCheckIntervalMs,
			clientOptions: options.graphClientOptions,
		});
	}
	const profile = source.profile;
	if (profile.protocol === 'pop3')
		return new Pop3Source(profile, options.pop3State, options.pop3StateChanged);
	return new ImapSource(profile, { quarantineFolder: options.quarantineFolder });
}
