import net from 'net';
import tls from 'tls';
import { MailCasesError } from '../../errors';
import { mailboxPort, type MailboxProfile } from '../mailbox-profile';
import { tlsConnectionOptions } from '../tls-options';
import { pop3Error, Pop3ServerError, Pop3SessionEnded } from './pop3-errors';
import { Pop3Reader } from './pop3-reader';

export interface Pop3Listing {
	/** Message number in this session (1-based). */
	num: number;
	/** Unique id that stays the same across sessions (UIDL). */
	uid: string;
	/** Size in octets (LIST). */
	size: number;
}

type Waiter = {
	/** The command awaiting this answer (`greeting` for the server's first line). */
	what: string;
	multiline: boolean;
	limit: number;
	resolve: (value: { status: string; body?: Buffer; overLimit?: boolean }) => void;
	reject: (error: Error) => void;
	status?: string;
};

/**
 * A small POP3 client (RFC 1939, STLS from RFC 2595, UIDL). Commands are sent one at a time
 * (callers that overlap are queued). Deletions (DELE) take effect only when the session ends
 * with QUIT, as the RFC says; a dropped connection deletes nothing.
 *
 * The timeout applies while an answer is awaited. An idle session is left to the server, which
 * logs it out after its own autologout time (RFC 1939: at least 10 minutes; Dovecot: 10 min);
 * `alive` tells whether the session still stands.
 */
export class Pop3Client {
	private socket?: net.Socket | tls.TLSSocket;
	private reader = new Pop3Reader();
	private waiter?: Waiter;
	private failure?: Error;
	private closed = false;
	/** Commands wait here for the one before to be answered. */
	private queue: Promise<unknown> = Promise.resolve();
	/** When the session was last busy (for the message when the server ended it while idle). */
	private lastAnswerAt = Date.now();
	private loggedIn = false;

	constructor(private readonly profile: MailboxProfile) {}

	async connect(): Promise<void> {
		const { profile } = this;
		if (!profile.host)
			throw new MailCasesError('INVALID_INPUT', 'The mailbox profile has no host name.');
		const port = mailboxPort(profile);
		const tlsOptions = tlsConnectionOptions(profile.host, profile);
		try {
			const socket =
				profile.tls === 'implicit'
					? tls.connect({ host: profile.host, port, ...tlsOptions })
					: net.connect({ host: profile.host, port });
			this.attach(socket);
			await this.expectOk(this.response(false), 'greeting');
			if (profile.tls === 'starttls') await this.startTls(tlsOptions);
			await this.expectOk(this.command(`USER ${profile.user}`), 'USER', true);
			await this.expectOk(this.command(`PASS ${profile.password}`), 'PASS', true);
			this.loggedIn = true;
		} catch (error) {
			this.destroy();
			throw pop3Error(error, profile);
		}
	}

	/** True while the session stands: logged in, and neither side closed or broke it. */
	get alive(): boolean {
		return this.loggedIn && !!this.socket && !this.failure && !this.closed;
	}

	private get timeoutMs(): number {
		return this.profile.timeoutMs ?? 20_000;
	}

	private attach(socket: net.Socket | tls.TLSSocket): void {
		this.socket = socket;
		socket.setTimeout(this.timeoutMs);
		socket.on('data', (chunk: Buffer) => {
			this.reader.push(chunk);
			this.drain();
		});
		socket.on('timeout', () => {
			// Only an awaited answer can be late; an idle session is the server's to end.
			const waiter = this.waiter;
			if (!waiter) return;
			this.fail(
				this.loggedIn || waiter.what !== 'greeting'
					? new Pop3SessionEnded('timeout', waiter.what, this.timeoutMs)
					: Object.assign(new Error('POP3 timeout'), { code: 'ETIMEDOUT' }),
			);
		});
		socket.on('error', (error) => this.fail(error));
		socket.on('close', () => {
			const waiter = this.waiter;
			this.fail(
				this.loggedIn
					? new Pop3SessionEnded(
							'closed',
							waiter?.what ?? 'idle',
							waiter ? this.timeoutMs : Date.now() - this.lastAnswerAt,
						)
					: Object.assign(new Error('Connection closed'), { code: 'ECONNRESET' }),
			);
		});
	}

	private async startTls(tlsOptions: tls.ConnectionOptions): Promise<void> {
		await this.expectOk(this.command('STLS'), 'STLS');
		if (this.reader.pending > 0) {
			throw new MailCasesError(
				'TLS_FAILED',
				'The POP3 server sent data after STLS before the TLS handshake (possible injection); connection closed.',
			);
		}
		const plain = this.socket as net.Socket;
		plain.removeAllListeners('data');
		plain.removeAllListeners('close');
		plain.removeAllListeners('timeout');
		plain.removeAllListeners('error');
		const secure = tls.connect({ socket: plain, ...tlsOptions });
		this.attach(secure);
		await new Promise<void>((resolve, reject) => {
			secure.once('secureConnect', () => resolve());
			secure.once('error', reject);
		});
	}

	private fail(error: Error): void {
		if (this.closed && !this.waiter) return;
		this.failure ??= error;
		const waiter = this.waiter;
		this.waiter = undefined;
		waiter?.reject(error);
		this.destroy();
	}

	private drain(): void {
		const waiter = this.waiter;
		if (!waiter) return;
		if (waiter.status === undefined) {
			const line = this.reader.nextLine();
			if (line === undefined) return;
			waiter.status = line.toString('latin1');
			if (!waiter.multiline || !waiter.status.startsWith('+OK')) {
				this.waiter = undefined;
				this.lastAnswerAt = Date.now();
				waiter.resolve({ status: waiter.status });
				return;
			}
		}
		const body = this.reader.nextBody(waiter.limit);
		if (!body) return;
		this.waiter = undefined;
		this.lastAnswerAt = Date.now();
		waiter.resolve({ status: waiter.status!, body: body.body, overLimit: body.overLimit });
	}

	private response(
		multiline: boolean,
		limit = Infinity,
		what = 'greeting',
	): Promise<{ status: string; body?: Buffer; overLimit?: boolean }> {
		if (this.failure) return Promise.reject(this.failure);
		return new Promise((resolve, reject) => {
			this.waiter = { what, multiline, limit, resolve, reject };
			// the inactivity timer counts from the command on, not from the last idle byte
			this.socket?.setTimeout(this.timeoutMs);
			this.drain();
		});
	}

	private command(line: string, multiline = false, limit = Infinity) {
		const send = () => {
			if (this.failure) return Promise.reject(this.failure);
			if (!this.socket) return Promise.reject(new Error('POP3 client not connected'));
			const what = line.split(' ')[0];
			const result = this.response(multiline, limit, what);
			this.socket.write(`${line}\r\n`);
			return result;
		};
		const result = this.queue.then(send, send);
		this.queue = result.catch(() => undefined);
		return result;
	}

	private async expectOk<T extends { status: string }>(
		pending: Promise<T>,
		what: string,
		hideArgs = false,
	): Promise<T> {
		const result = await pending;
		if (!result.status.startsWith('+OK')) {
			throw new Pop3ServerError(
				hideArgs ? what.split(' ')[0] : what,
				result.status.replace(/^-ERR\s*/, ''),
			);
		}
		return result;
	}

	private async run(line: string, multiline = false, limit = Infinity) {
		try {
			return await this.expectOk(this.command(line, multiline, limit), line);
		} catch (error) {
			throw pop3Error(error, this.profile);
		}
	}

	/** Number of messages and their total size. */
	async stat(): Promise<{ count: number; size: number }> {
		const { status } = await this.run('STAT');
		const [, count, size] = status.split(/\s+/);
		return { count: Number(count) || 0, size: Number(size) || 0 };
	}

	/** Every message with its number, UIDL and size. */
	async list(): Promise<Pop3Listing[]> {
		const sizes = new Map<number, number>();
		for (const line of (await this.run('LIST', true)).body!.toString('latin1').split('\r\n')) {
			const [num, size] = line.trim().split(/\s+/);
			if (num) sizes.set(Number(num), Number(size));
		}
		const result: Pop3Listing[] = [];
		for (const line of (await this.run('UIDL', true)).body!.toString('latin1').split('\r\n')) {
			const [num, uid] = line.trim().split(/\s+/);
			if (num && uid) result.push({ num: Number(num), uid, size: sizes.get(Number(num)) ?? 0 });
		}
		return result;
	}

	/** The raw message, byte for byte. Over `maxBytes` the bytes are drained and null is returned. */
	async retrieve(num: number, maxBytes = Infinity): Promise<Buffer | null> {
		const result = await this.run(`RETR ${num}`, true, maxBytes);
		return result.overLimit ? null : result.body!;
	}

	/** Marks a message for deletion; it is removed when the session ends with QUIT. */
	async delete(num: number): Promise<void> {
		await this.run(`DELE ${num}`);
	}

	async noop(): Promise<void> {
		await this.run('NOOP');
	}

	/** Ends the session; the server now removes the messages marked with DELE. */
	async quit(): Promise<void> {
		if (!this.socket || this.failure) return this.destroy();
		try {
			await this.run('QUIT');
		} finally {
			this.destroy();
		}
	}

	/** Drops the connection without QUIT: nothing marked is deleted. */
	destroy(): void {
		this.closed = true;
		this.socket?.destroy();
		this.socket = undefined;
	}
}
