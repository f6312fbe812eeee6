import nodemailer from 'nodemailer';
import { MailCasesError } from '../../errors';
import { toNodemailerOptions, type OutgoingMessage } from '../../mail/outgoing-message';
import { tlsConnectionOptions } from '../tls-options';
import { smtpError } from './smtp-errors';
import { smtpPort, startTlsMode, type SmtpProfile } from './smtp-profile';

export interface SendResult {
	messageId: string;
	accepted: string[];
	rejected: string[];
	response: string;
	envelope: { from: string; to: string[] };
}

/** nodemailer transport options for a profile. */
export function smtpTransportOptions(profile: SmtpProfile, options: { pool?: boolean } = {}) {
	if (!profile.host)
		throw new MailCasesError('INVALID_INPUT', 'The SMTP profile has no host name.');
	const timeout = profile.timeoutMs ?? 20_000;
	const mode = startTlsMode(profile);
	const implicit = profile.protocol === 'smtps';
	return {
		host: profile.host,
		port: smtpPort(profile),
		secure: implicit,
		requireTLS: !implicit && mode === 'required',
		ignoreTLS: !implicit && mode === 'off',
		auth: profile.user ? { user: profile.user, pass: profile.password ?? '' } : undefined,
		tls: tlsConnectionOptions(profile.host, profile),
		connectionTimeout: timeout,
		greetingTimeout: timeout,
		socketTimeout: timeout * 3,
		dnsTimeout: timeout,
		pool: options.pool ?? false,
		maxConnections: 2,
		logger: false,
		debug: false,
		disableFileAccess: true,
		disableUrlAccess: true,
	};
}

/**
 * An SMTP connection (pool) for one n8n execution: every item of the execution is sent
 * through it, then it is closed.
 */
export class SmtpSender {
	private readonly transporter: ReturnType<typeof nodemailer.createTransport>;

	constructor(
		private readonly profile: SmtpProfile,
		options: { pool?: boolean } = {},
	) {
		this.transporter = nodemailer.createTransport(smtpTransportOptions(profile, options) as never);
	}

	/** Connects and authenticates (when a login is set). */
	async verify(): Promise<void> {
		try {
			await this.transporter.verify();
		} catch (error) {
			throw smtpError(error, this.profile);
		}
	}

	async send(message: OutgoingMessage): Promise<SendResult> {
		try {
			const info = (await this.transporter.sendMail(toNodemailerOptions(message) as never)) as {
				messageId: string;
				accepted: unknown[];
				rejected: unknown[];
				response: string;
				envelope: { from: string; to: string[] };
			};
			const plain = (list: unknown[]) =>
				list.map((a) => (typeof a === 'string' ? a : (a as { address: string }).address));
			return {
				messageId: info.messageId,
				accepted: plain(info.accepted ?? []),
				rejected: plain(info.rejected ?? []),
				response: info.response,
				envelope: info.envelope,
			};
		} catch (error) {
			throw smtpError(error, this.profile);
		}
	}

	close(): void {
		this.transporter.close();
	}
}
