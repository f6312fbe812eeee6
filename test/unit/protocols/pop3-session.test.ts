import net from 'net';
import { isPerMailError } from '../../../lib/intake/mail-error';
import type { MailboxProfile } from '../../../lib/protocols/mailbox-profile';
import { Pop3Client } from '../../../lib/protocols/pop3/pop3-client';
import { Pop3Source } from '../../../lib/protocols/pop3/pop3-source';

/**
 * The POP3 session's end and the maildrop lock (issue #13.6), against a scripted POP3 server:
 * errors say what happened (the server ended an idle session, no answer to a command — never
 * "no greeting"), and a new session refused because the old one still holds the maildrop lock
 * (RFC 2449 [IN-USE]) is tried again, then reported as a lock, not as a wrong password.
 */

interface Script {
	/** Connections (0-based) whose PASS is answered with [IN-USE]. */
	locked: (connection: number) => boolean;
	/** Commands that get no answer at all. */
	silent?: Set<string>;
}

interface ScriptedServer {
	port: number;
	/** Commands received, per connection. */
	sessions: string[][];
	sockets: net.Socket[];
	close(): Promise<void>;
}

const servers: ScriptedServer[] = [];
afterEach(async () => {
	for (const server of servers.splice(0)) await server.close();
});

async function scriptedServer(script: Script): Promise<ScriptedServer> {
	const sessions: string[][] = [];
	const sockets: net.Socket[] = [];
	const server = net.createServer((socket) => {
		const connection = sessions.length;
		const seen: string[] = [];
		sessions.push(seen);
		sockets.push(socket);
		socket.on('error', () => undefined);
		socket.write('+OK ready\r\n');
		let buffer = '';
		socket.on('data', (chunk) => {
			buffer += chunk.toString('latin1');
			for (let end = buffer.indexOf('\r\n'); end >= 0; end = buffer.indexOf('\r\n')) {
				const line = buffer.slice(0, end);
				buffer = buffer.slice(end + 2);
				const [command] = line.split(' ');
				seen.push(command === 'PASS' ? 'PASS' : line);
				if (script.silent?.has(command)) continue;
				if (command === 'PASS' && script.locked(connection))
					socket.write('-ERR [IN-USE] Mailbox is locked by another session\r\n');
				else if (command === 'LIST') socket.write('+OK\r\n1 120\r\n2 80\r\n.\r\n');
				else if (command === 'UIDL') socket.write('+OK\r\n1 uid-a\r\n2 uid-b\r\n.\r\n');
				else if (command === 'QUIT') socket.end('+OK bye\r\n');
				else socket.write('+OK\r\n');
			}
		});
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const handle = {
		port: (server.address() as net.AddressInfo).port,
		sessions,
		sockets,
		async close() {
			for (const socket of sockets) socket.destroy();
			await new Promise<void>((resolve) => server.close(() => resolve()));
		},
	};
	servers.push(handle);
	return handle;
}

function profile(port: number, timeoutMs = 5_000): MailboxProfile {
	return {
		protocol: 'pop3',
		host: '127.0.0.1',
		port,
		tls: 'off',
		user: 'u',
		password: 'pw',
		timeoutMs,
	};
}

/** Resolves when the client side saw the server close the connection. */
async function serverEnds(server: ScriptedServer, connection: number): Promise<void> {
	const socket = server.sockets[connection];
	const closed = new Promise((resolve) => socket.once('close', resolve));
	socket.end('-ERR Disconnected for inactivity.\r\n');
	await closed;
}

test('the server ended the idle session: the error says so (not "no greeting")', async () => {
	const server = await scriptedServer({ locked: () => false });
	const client = new Pop3Client(profile(server.port));
	await client.connect();
	expect(client.alive).toBe(true);
	await serverEnds(server, 0);
	await new Promise((resolve) => setImmediate(resolve));
	expect(client.alive).toBe(false);
	const error = await client.delete(1).catch((e: Error) => e);
	expect((error as Error).message).toMatch(
		new RegExp(
			`^POP3 server 127\\.0\\.0\\.1:${server.port} ended the POP3 session after it was idle for \\d+ s `,
		),
	);
	expect((error as { code?: string }).code).toBe('CONNECTION_LOST');
});

test('no answer to a command within the timeout: the error names the command', async () => {
	const server = await scriptedServer({ locked: () => false, silent: new Set(['DELE']) });
	const client = new Pop3Client(profile(server.port, 300));
	await client.connect();
	const error = await client.delete(1).catch((e: Error) => e);
	expect((error as Error).message).toBe(
		`POP3 server 127.0.0.1:${server.port} did not answer DELE within 1 s (connection timeout); the session was dropped.`,
	);
	expect((error as { code?: string }).code).toBe('CONNECTION_TIMEOUT');
});

test('overlapping commands are sent one after the other', async () => {
	const server = await scriptedServer({ locked: () => false });
	const client = new Pop3Client(profile(server.port));
	await client.connect();
	await Promise.all([client.noop(), client.delete(2), client.stat()]);
	expect(server.sessions[0].slice(2)).toEqual(['NOOP', 'DELE 2', 'STAT']);
	await client.quit();
});

test('disposal after the session ended: a new session, DELE of the mail by its UIDL, QUIT', async () => {
	const server = await scriptedServer({ locked: () => false });
	const source = new Pop3Source(profile(server.port));
	const pending = await source.listPending(10, new Set());
	expect(pending.map((m) => m.key)).toEqual(['uid-a', 'uid-b']);
	await serverEnds(server, 0);
	await source.dispose('uid-b', { kind: 'delete' });
	await source.commit();
	expect(server.sessions[1]).toEqual(['USER u', 'PASS', 'LIST', 'UIDL', 'DELE 2', 'QUIT']);
	expect(server.sessions[0]).not.toContain('DELE 2');
});

test('a session that died after a DELE undid it: the new session marks that mail again before QUIT', async () => {
	const server = await scriptedServer({ locked: () => false });
	const source = new Pop3Source(profile(server.port));
	await source.listPending(10, new Set());
	await source.dispose('uid-a', { kind: 'delete' });
	await serverEnds(server, 0);
	await source.dispose('uid-b', { kind: 'delete' });
	await source.commit();
	expect(server.sessions[0]).toEqual(['USER u', 'PASS', 'LIST', 'UIDL', 'DELE 1']);
	expect(server.sessions[1]).toEqual([
		'USER u',
		'PASS',
		'LIST',
		'UIDL',
		'DELE 1',
		'DELE 2',
		'QUIT',
	]);
});

test('commit after the session died: its DELEs are made again in a new session, then QUIT', async () => {
	const server = await scriptedServer({ locked: () => false });
	const source = new Pop3Source(profile(server.port));
	await source.listPending(10, new Set());
	await source.dispose('uid-b', { kind: 'delete' });
	await serverEnds(server, 0);
	await source.commit();
	expect(server.sessions[1]).toEqual(['USER u', 'PASS', 'LIST', 'UIDL', 'DELE 2', 'QUIT']);
});

test('QUIT lost with the connection: once more in a new session', async () => {
	const server = await scriptedServer({ locked: () => false, silent: new Set(['QUIT']) });
	const source = new Pop3Source(profile(server.port, 300));
	await source.listPending(10, new Set());
	await source.dispose('uid-a', { kind: 'delete' });
	await expect(source.commit()).rejects.toThrow(/did not answer QUIT within 1 s/);
	expect(server.sessions.map((s) => s.slice(4))).toEqual([
		['DELE 1', 'QUIT'],
		['DELE 1', 'QUIT'],
	]);
});

test('the maildrop is still locked by the old session: tried again, then the new session works', async () => {
	const server = await scriptedServer({
		locked: (connection) => connection === 1 || connection === 2,
	});
	const source = new Pop3Source(profile(server.port), undefined, undefined, 5);
	await source.listPending(10, new Set());
	await serverEnds(server, 0);
	await source.dispose('uid-a', { kind: 'delete' });
	await source.commit();
	expect(server.sessions).toHaveLength(4);
	expect(server.sessions[3]).toContain('DELE 1');
});

test('the maildrop stays locked: a connection error saying so (no per-mail error, no "authentication failed")', async () => {
	const server = await scriptedServer({ locked: (connection) => connection > 0 });
	const source = new Pop3Source(profile(server.port), undefined, undefined, 5);
	await source.listPending(10, new Set());
	await serverEnds(server, 0);
	const error = await source.dispose('uid-a', { kind: 'delete' }).catch((e: Error) => e);
	expect(isPerMailError(error)).toBe(false);
	expect((error as { code?: string }).code).toBe('CONFLICT');
	expect((error as Error).message).toBe(
		`Mail uid-a was processed, but could not be removed from POP3 127.0.0.1:${server.port} as u: the POP3 session of its run had ended and a new one could not be opened: ` +
			`POP3 server 127.0.0.1:${server.port} refused a session for user "u": the mailbox is locked by another POP3 session ([IN-USE] Mailbox is locked by another session). ` +
			'An earlier session that the server has not ended yet, or another program reading this mailbox by POP3, holds the lock; it is tried again.',
	);
	expect(server.sessions).toHaveLength(4); // the first session and three tries
});

test('a -ERR to DELE in a standing session is a per-mail error; the session is not replaced', async () => {
	const server = await scriptedServer({ locked: () => false });
	const source = new Pop3Source(profile(server.port));
	await source.listPending(10, new Set());
	const original = server.sockets[0];
	original.removeAllListeners('data');
	original.on('data', () => original.write('-ERR Message is locked\r\n'));
	const error = await source.dispose('uid-a', { kind: 'delete' }).catch((e: Error) => e);
	expect(isPerMailError(error)).toBe(true);
	expect((error as Error).message).toMatch(/DELE failed: Message is locked/);
	expect(server.sessions).toHaveLength(1);
});
