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

/** How a pooled transport keeps its connections (lib/protocols/smtp/smtp-pool.ts). */
export interface SmtpPoolOptions {
	pool?: boolean;
	/** Connections open at once (default 2). */
	maxConnections?: number;
	/** Mails per connection before it is replaced (nodemailer's default 100). */
	maxMessages?: number;
	/** A connection idle this long is closed (nodemailer's default 4 minutes). */
	idleTimeoutMs?: number;
}

/** nodemailer transport options for a profile. */
export function smtpTransportOptions(profile: SmtpProfile, options: SmtpPoolOptions = {}) {
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
		maxConnections: options.maxConnections ?? 2,
		...(options.maxMessages ? { maxMessages: options.maxMessages } : {}),
		...(options.idleTimeoutMs ? { idleTimeout: options.idleTimeoutMs } : {}),
		logger: false,
		debug: false,
		disableFileAccess: true,
		disableUrlAccess: true,
	};
}

type Transporter = ReturnType<typeof nodemailer.createTransport>;

/** A nodemailer transport for a profile (pooled when asked). */
export function createSmtpTransport(
	profile: SmtpProfile,
	options: SmtpPoolOptions = {},
): Transporter {
	return nodemailer.createTransport(smtpTransportOptions(profile, options) as never);
}

/**
 * Sends one mail through a transport; a failure becomes the MailCasesError of smtp-errors.ts
 * (its message never holds the password).
 */
export async function sendThrough(
	transporter: Transporter,
	profile: SmtpProfile,
	message: OutgoingMessage,
): Promise<SendResult> {
	try {
		const info = (await transporter.sendMail(toNodemailerOptions(message) as never)) as {
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
		throw smtpError(error, profile);
	}
}

/**
 * An SMTP connection (or a pool of its own) for one use: the connection test and tools. Nodes
 * send through the process-wide pools of smtp-pool.ts instead.
 */
export class SmtpSender {
	private readonly transporter: Transporter;

	constructor(
		private readonly profile: SmtpProfile,
		options: SmtpPoolOptions = {},
	) {
		this.transporter = createSmtpTransport(profile, options);
	}

	/** Connects and authenticates (when a login is set). */
	async verify(): Promise<void> {
		try {
			await this.transporter.verify();
		} catch (error) {
			throw smtpError(error, this.profile);
		}
	}

	send(message: OutgoingMessage): Promise<SendResult> {
		return sendThrough(this.transporter, this.profile, message);
	}

	close(): void {
		this.transporter.close();
	}
}
