import type { TlsSettings } from '../tls-options';

/**
 * Outgoing mail profile (R-OUT-1..7), independent of n8n. The n8n credential
 * "Mail Cases SMTP" is read into this shape by credentials/ and nodes/.
 */
export interface SmtpProfile extends TlsSettings {
	/** R-OUT-1 host name or IP. */
	host: string;
	/** R-OUT-2 smtp (plain or STARTTLS) or smtps (implicit TLS). */
	protocol: 'smtp' | 'smtps';
	/** R-OUT-2 port; when missing: smtps 465, smtp with login 587, smtp without login 25. */
	port?: number;
	/**
	 * STARTTLS on protocol smtp: `auto` = required when a login is set (so a password never
	 * travels in clear text), used when offered otherwise; `required`; `opportunistic`; `off`.
	 */
	starttls?: 'auto' | 'required' | 'opportunistic' | 'off';
	/** R-OUT-3 login and password; empty for a relay without authentication. */
	user?: string;
	password?: string;
	/** R-OUT-4 address used as From of every outgoing mail. */
	fromAddress: string;
	/** R-OUT-5 display name; empty → recipients see the bare address. */
	fromName?: string;
	/** R-OUT-6 this profile sends system mails (notifications). */
	isDefault?: boolean;
	/** R-OUT-7 recipient of the test mail sent by the connection test. */
	testRecipient?: string;
	/** Connection, greeting and socket timeout. Default 20 s. */
	timeoutMs?: number;
}

export function smtpPort(profile: SmtpProfile): number {
	if (profile.port && profile.port > 0) return profile.port;
	if (profile.protocol === 'smtps') return 465;
	return profile.user ? 587 : 25;
}

export type StartTlsMode = 'required' | 'opportunistic' | 'off';

export function startTlsMode(profile: SmtpProfile): StartTlsMode {
	const mode = profile.starttls ?? 'auto';
	if (mode !== 'auto') return mode;
	return profile.user ? 'required' : 'opportunistic';
}

/** Describes the connection without secrets, e.g. `SMTP+STARTTLS mail.example.com:587 as alice`. */
export function describeSmtp(profile: SmtpProfile): string {
	const tls =
		profile.protocol === 'smtps'
			? 'SMTPS'
			: startTlsMode(profile) === 'off'
				? 'SMTP'
				: 'SMTP+STARTTLS';
	const who = profile.user ? ` as ${profile.user}` : ' without login';
	return `${tls} ${profile.host}:${smtpPort(profile)}${who}`;
}
