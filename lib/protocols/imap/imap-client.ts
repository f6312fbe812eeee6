import { ImapFlow, type ImapFlowOptions } from 'imapflow';
import { MailCasesError } from '../../errors';
import { mailboxPort, type MailboxProfile } from '../mailbox-profile';
import { tlsConnectionOptions } from '../tls-options';
import { imapError } from './imap-errors';

/** imapflow options for a profile. Logging is off: imapflow's logs could echo credentials. */
export function imapOptions(profile: MailboxProfile): ImapFlowOptions {
	if (!profile.host)
		throw new MailCasesError('INVALID_INPUT', 'The mailbox profile has no host name.');
	const timeout = profile.timeoutMs ?? 20_000;
	return {
		host: profile.host,
		port: mailboxPort(profile),
		secure: profile.tls === 'implicit',
		doSTARTTLS: profile.tls === 'starttls' ? true : profile.tls === 'off' ? false : undefined,
		auth: { user: profile.user, pass: profile.password },
		tls: tlsConnectionOptions(profile.host, profile),
		logger: false,
		connectionTimeout: timeout,
		greetingTimeout: timeout,
		socketTimeout: Math.max(timeout * 15, 5 * 60_000),
		emitLogs: false,
		disableAutoIdle: true,
	} as ImapFlowOptions;
}

/** Connects and logs in; errors are mapped to MailCasesError. */
export async function connectImap(profile: MailboxProfile): Promise<ImapFlow> {
	const client = new ImapFlow(imapOptions(profile));
	// An 'error' event without a listener would crash the process.
	client.on('error', () => undefined);
	try {
		await client.connect();
		return client;
	} catch (error) {
		client.close();
		throw imapError(error, profile, 'connecting');
	}
}
