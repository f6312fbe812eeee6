/**
 * #17.5: one SMTP connection pool per profile per process, shared by every execution and node.
 *
 * A pool is found by the profile's **identity**: host, port, implicit TLS / STARTTLS mode, login,
 * TLS settings, timeouts and the password — the password only as part of an HMAC under a random
 * key of this process, so neither the printable key (`SMTP+STARTTLS mail.example.com:587 as
 * alice [3f2a…]`) nor anything else the registry holds or says reveals it. The From address and
 * display name are not part of it: they travel with each mail.
 *
 * - **Reuse**: every execution (and every node of it) that sends through the same profile
 *   leases the same pool: up to `maxConnections` SMTP connections, each replaced after
 *   `maxMessages` mails. A leased pool is asked for at most `maxConnections` mails at once by one
 *   execution (the node's items run that wide, nodes/shared/run-per-item.ts).
 * - **Idle close**: when the last lease is released and no mail is in flight, the pool's
 *   connections stop holding the process (their sockets are unref'd, so n8n — or any short-lived
 *   process — can exit with an idle pool) and after `idleMs` the pool is closed and forgotten. A
 *   connection idle for `idleMs` inside a busy pool is closed by nodemailer.
 * - **Credential changed**: an owner (the n8n credential's id) that comes back with another
 *   identity (the user edited host, login, password …) gets a new pool; the old one is taken out
 *   of the registry at once and closed when its last lease is released (executions still sending
 *   through it finish with it).
 *
 * Errors are the MailCasesErrors of smtp-errors.ts, the same as a connection of its own gives.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { MailCasesError } from '../../errors';
import type { OutgoingMessage } from '../../mail/outgoing-message';
import { describeSmtp, smtpPort, startTlsMode, type SmtpProfile } from './smtp-profile';
import { createSmtpTransport, sendThrough, type SendResult } from './smtp-transport';

export interface SmtpPoolSettings {
	/** SMTP connections a pool opens at most; also how many items of an execution go at once. */
	maxConnections: number;
	/** Mails per connection before nodemailer replaces it. */
	maxMessages: number;
	/** An unused pool is closed after this long; a connection idle this long, too. */
	idleMs: number;
}

export const SMTP_POOL_DEFAULTS: Readonly<SmtpPoolSettings> = Object.freeze({
	maxConnections: 4,
	maxMessages: 100,
	idleMs: 30_000,
});

/** Why a pool was closed. */
export type SmtpPoolCloseReason = 'idle' | 'credential changed' | 'closed';

/** An execution's use of a pool: send through it, then release it (once). */
export interface SmtpLease {
	/** The pool's printable key (no secret in it). */
	readonly key: string;
	/** How many mails this lease may have in flight at once (the pool's connections). */
	readonly concurrency: number;
	send(message: OutgoingMessage): Promise<SendResult>;
	release(): void;
}

interface PoolEntry {
	readonly key: string;
	readonly fingerprint: string;
	readonly profile: SmtpProfile;
	readonly transporter: ReturnType<typeof createSmtpTransport>;
	readonly settings: SmtpPoolSettings;
	readonly owners: Set<string>;
	leases: number;
	sending: number;
	retired: boolean;
	closed: boolean;
	idleTimer?: NodeJS.Timeout;
}

/** Random per process: a fingerprint cannot be checked against a guessed password elsewhere. */
const FINGERPRINT_KEY = randomBytes(32);

/** The profile's identity as an HMAC (hex) and its printable key. */
export function smtpPoolIdentity(profile: SmtpProfile): { fingerprint: string; key: string } {
	const identity = JSON.stringify([
		profile.host.trim().toLowerCase(),
		smtpPort(profile),
		profile.protocol,
		startTlsMode(profile),
		profile.user ?? '',
		profile.password ?? '',
		profile.allowSelfSigned === true,
		profile.caPem?.trim() ?? '',
		profile.timeoutMs ?? null,
	]);
	const fingerprint = createHmac('sha256', FINGERPRINT_KEY).update(identity).digest('hex');
	return { fingerprint, key: `${describeSmtp(profile)} [${fingerprint.slice(0, 12)}]` };
}

type Socketish = { ref?: () => unknown; unref?: () => unknown };

/**
 * The sockets of a pooled transport's open connections (nodemailer 10: transport → pool →
 * resources → connection → socket; a TLS socket passes ref/unref on to its TCP handle). Empty
 * when nodemailer's inside looks different: then an idle pool holds the process until it is
 * closed after idleMs, nothing worse.
 */
function poolSockets(transporter: unknown): Socketish[] {
	const pool = (transporter as { transporter?: { _connections?: unknown } })?.transporter;
	const resources = pool?._connections;
	if (!Array.isArray(resources)) return [];
	return resources
		.map((r) => (r as { connection?: { _socket?: Socketish } })?.connection?._socket)
		.filter((s): s is Socketish => !!s && typeof s.unref === 'function');
}

/**
 * The process-wide registry. Events: `open` (key) when a pool is created, `close` (key, reason)
 * when one is closed.
 */
export class SmtpPoolRegistry extends EventEmitter {
	private readonly pools = new Map<string, PoolEntry>();
	/** owner (n8n credential id) → fingerprint of the identity it came with last. */
	private readonly owners = new Map<string, string>();
	private settings: SmtpPoolSettings;

	constructor(settings: Partial<SmtpPoolSettings> = {}) {
		super();
		this.settings = { ...SMTP_POOL_DEFAULTS, ...settings };
	}

	/** Settings for pools opened from now on (tests, benchmarks). */
	configure(settings: Partial<SmtpPoolSettings>): void {
		this.settings = { ...this.settings, ...settings };
	}

	/** Printable keys of the open pools. */
	keys(): string[] {
		return [...this.pools.values()].map((e) => e.key);
	}

	/**
	 * A lease on the profile's pool (opened when there is none; no connection is made before
	 * the first mail). `owner`: what names the profile across changes (the credential's id).
	 */
	acquire(profile: SmtpProfile, owner?: string): SmtpLease {
		const { fingerprint, key } = smtpPoolIdentity(profile);
		if (owner !== undefined) {
			const before = this.owners.get(owner);
			if (before !== undefined && before !== fingerprint) this.disown(owner, before);
			this.owners.set(owner, fingerprint);
		}
		let entry = this.pools.get(fingerprint);
		if (!entry) {
			entry = this.open(profile, fingerprint, key);
			this.pools.set(fingerprint, entry);
			this.emit('open', key);
		}
		if (owner !== undefined) entry.owners.add(owner);
		entry.leases++;
		this.busy(entry);
		return this.lease(entry);
	}

	/** Closes every pool (connections in the middle of a mail finish it first). */
	closeAll(): void {
		for (const entry of [...this.pools.values()]) this.close(entry, 'closed');
	}

	private open(profile: SmtpProfile, fingerprint: string, key: string): PoolEntry {
		const settings = { ...this.settings };
		const transporter = createSmtpTransport(profile, {
			pool: true,
			maxConnections: settings.maxConnections,
			maxMessages: settings.maxMessages,
			idleTimeoutMs: settings.idleMs,
		});
		return {
			key,
			fingerprint,
			profile,
			transporter,
			settings,
			owners: new Set(),
			leases: 0,
			sending: 0,
			retired: false,
			closed: false,
		};
	}

	private lease(entry: PoolEntry): SmtpLease {
		let released = false;
		return {
			key: entry.key,
			concurrency: entry.settings.maxConnections,
			send: async (message) => {
				if (released || entry.closed)
					throw new MailCasesError(
						'INTERNAL',
						`The SMTP pool ${entry.key} was used after its execution released it.`,
					);
				entry.sending++;
				try {
					return await sendThrough(entry.transporter, entry.profile, message);
				} finally {
					entry.sending--;
					this.settle(entry);
				}
			},
			release: () => {
				if (released) return;
				released = true;
				entry.leases--;
				this.settle(entry);
			},
		};
	}

	/** The owner came with another identity: its old pool goes when nobody else owns it. */
	private disown(owner: string, fingerprint: string): void {
		const entry = this.pools.get(fingerprint);
		if (!entry) return;
		entry.owners.delete(owner);
		if (entry.owners.size > 0) return;
		entry.retired = true;
		this.pools.delete(fingerprint);
		this.settle(entry);
	}

	/** In use: no idle timer, the sockets hold the process again. */
	private busy(entry: PoolEntry): void {
		if (entry.idleTimer) clearTimeout(entry.idleTimer);
		entry.idleTimer = undefined;
		for (const socket of poolSockets(entry.transporter)) socket.ref?.();
	}

	/** Not in use any more: closed when retired, else idle (sockets let go, closed after idleMs). */
	private settle(entry: PoolEntry): void {
		if (entry.closed || entry.leases > 0 || entry.sending > 0) return;
		if (entry.retired) {
			this.close(entry, 'credential changed');
			return;
		}
		for (const socket of poolSockets(entry.transporter)) socket.unref?.();
		if (entry.idleTimer) clearTimeout(entry.idleTimer);
		entry.idleTimer = setTimeout(() => this.close(entry, 'idle'), entry.settings.idleMs);
		entry.idleTimer.unref();
	}

	private close(entry: PoolEntry, reason: SmtpPoolCloseReason): void {
		if (entry.closed) return;
		entry.closed = true;
		if (entry.idleTimer) clearTimeout(entry.idleTimer);
		entry.idleTimer = undefined;
		if (this.pools.get(entry.fingerprint) === entry) this.pools.delete(entry.fingerprint);
		for (const [owner, fingerprint] of this.owners)
			if (fingerprint === entry.fingerprint && !this.pools.has(fingerprint))
				this.owners.delete(owner);
		entry.transporter.close();
		this.emit('close', entry.key, reason);
	}
}

/** The pools of this process (nodes/shared/sender.ts). */
export const smtpPools = new SmtpPoolRegistry();
