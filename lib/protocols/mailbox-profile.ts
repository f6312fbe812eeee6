import type { TlsSettings } from './tls-options';

/**
 * Incoming mail profile (R-IN-2), independent of n8n. The n8n credential
 * "Mail Cases Mailbox" is read into this shape.
 */
export interface MailboxProfile extends TlsSettings {
	protocol: 'imap' | 'pop3';
	host: string;
	/** When missing: IMAP 993 (implicit TLS) or 143; POP3 995 (implicit TLS) or 110. */
	port?: number;
	/** implicit = TLS from the first byte (993/995); starttls = upgrade (IMAP only); off = plain text. */
	tls: 'implicit' | 'starttls' | 'off';
	user: string;
	password: string;
	/** IMAP folder that is read. POP3 has only the inbox. */
	folder?: string;
	/** Connection, greeting and socket timeout. Default 20 s. */
	timeoutMs?: number;
}

export function mailboxPort(profile: MailboxProfile): number {
	if (profile.port && profile.port > 0) return profile.port;
	const implicit = profile.tls === 'implicit';
	if (profile.protocol === 'imap') return implicit ? 993 : 143;
	return implicit ? 995 : 110;
}

export function mailboxProtocolName(profile: MailboxProfile): string {
	const base = profile.protocol === 'imap' ? 'IMAP' : 'POP3';
	if (profile.tls === 'implicit') return `${base}S`;
	if (profile.tls === 'starttls') return `${base}+STARTTLS`;
	return base;
}

/** `IMAPS mail.example.com:993 as alice` — never the password. */
export function describeMailbox(profile: MailboxProfile): string {
	return `${mailboxProtocolName(profile)} ${profile.host}:${mailboxPort(profile)} as ${profile.user}`;
}

export function mailboxFolder(profile: MailboxProfile): string {
	return profile.protocol === 'imap' ? profile.folder?.trim() || 'INBOX' : 'INBOX';
}
