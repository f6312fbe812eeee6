import net from 'net';
import tls from 'tls';
import { MailCasesError } from '../../errors';
import { mailboxPort, type MailboxProfile } from '../mailbox-profile';
import { tlsConnectionOptions } from '../tls-options';
import { pop3Error, Pop3ServerError } from './pop3-errors';
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
	multiline: boolean;
	limit: number;
	resolve: (value: { status: string; body?: Buffer; overLimit?: boolean }) => void;
	reject: (error: Error) => void;
	status?: string;
};

/**
 * A small POP3 client (RFC 1939, STLS from RFC 2595, UIDL). One command at a time.
 * Deletions (DELE) take effect only when the session ends with QUIT, as the RFC says;
 * a dropped connection deletes nothing.
 */
export class Pop3Client {
	private socket?: net.Socket | tls.TLSSocket;
	private reader = new Pop3Reader();
	private waiter?: Waiter;
	private failure?: Error;
	private closed = false;

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
		} catch (error) {
			this.destroy();
			throw pop3Error(error, profile);
		}
	}

	private attach(socket: net.Socket | tls.TLSSocket): void {
		this.socket = socket;
		socket.setTimeout(this.profile.timeoutMs ?? 20_000);
		socket.on('data', (chunk: Buffer) => {
			this.reader.push(chunk);
			this.drain();
		});
		socket.on('timeout', () =>
			this.fail(Object.assign(new Error('POP3 timeout'), { code: 'ETIMEDOUT' })),
		);
		socket.on('error', (error) => this.fail(error));
		socket.on('close', () =>
			this.fail(Object.assign(new Error('Connection closed'), { code: 'ECONNRESET' })),
		);
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
				waiter.resolve({ status: waiter.status });
				return;
			}
		}
		const body = this.reader.nextBody(waiter.limit);
		if (!body) return;
		this.waiter = undefined;
		waiter.resolve({ status: waiter.status!, body: body.body, overLimit: body.overLimit });
	}

	private response(
		multiline: boolean,
		limit = Infinity,
	): Promise<{ status: string; body?: Buffer; overLimit?: boolean }> {
		if (this.failure) return Promise.reject(this.failure);
		return new Promise((resolve, reject) => {
			this.waiter = { multiline, limit, resolve, reject };
			this.drain();
		});
	}

	private command(line: string, multiline = false, limit = Infinity) {
		if (this.failure) return Promise.reject(this.failure);
		if (!this.socket || this.waiter)
			return Promise.reject(new Error('POP3 client busy or not connected'));
		const result = this.response(multiline, limit);
		this.socket.write(`${line}\r\n`);
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
