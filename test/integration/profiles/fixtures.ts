import net from 'net';
import { getStack, stackUser } from '../../support/mail-stack';
import type { MailboxProfile } from '../../../lib/protocols/mailbox-profile';
import type { SmtpProfile } from '../../../lib/protocols/smtp/smtp-profile';

/** SMTP profiles pointing at the test Postfix, trusting the test CA. */
export function smtpProfile(
	mode: 'relay' | 'submission' | 'smtps',
	user = 'alice',
	overrides: Partial<SmtpProfile> = {},
): SmtpProfile {
	const stack = getStack();
	const u = stackUser(user);
	const base = {
		host: stack.host,
		caPem: stack.caPem,
		fromAddress: u.address,
		fromName: 'Service Desk',
		timeoutMs: 5000,
	};
	if (mode === 'relay') return { ...base, protocol: 'smtp', port: stack.ports.smtp, ...overrides };
	if (mode === 'submission') {
		return {
			...base,
			protocol: 'smtp',
			port: stack.ports.submission,
			user: u.address,
			password: u.password,
			...overrides,
		};
	}
	return {
		...base,
		protocol: 'smtps',
		port: stack.ports.smtps,
		user: u.address,
		password: u.password,
		...overrides,
	};
}

/** Mailbox profiles pointing at the test Dovecot. */
export function mailboxProfile(
	protocol: 'imap' | 'pop3',
	tls: MailboxProfile['tls'],
	user: string,
	overrides: Partial<MailboxProfile> = {},
): MailboxProfile {
	const stack = getStack();
	const u = stackUser(user);
	const port =
		protocol === 'imap'
			? tls === 'implicit'
				? stack.ports.imaps
				: stack.ports.imap
			: tls === 'implicit'
				? stack.ports.pop3s
				: stack.ports.pop3;
	return {
		protocol,
		tls,
		host: stack.host,
		port,
		user: u.address,
		password: u.password,
		caPem: stack.caPem,
		timeoutMs: 5000,
		...overrides,
	};
}

/** A port on which nothing listens (bound, then closed). */
export async function closedPort(): Promise<number> {
	const server = net.createServer();
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const port = (server.address() as net.AddressInfo).port;
	await new Promise<void>((resolve) => server.close(() => resolve()));
	return port;
}

/** A server that accepts connections and never says a word (a hung or filtered service). */
export async function silentServer(): Promise<{ port: number; close: () => Promise<void> }> {
	const sockets = new Set<net.Socket>();
	const server = net.createServer((socket) => {
		sockets.add(socket);
		socket.on('error', () => undefined);
		socket.on('close', () => sockets.delete(socket));
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	return {
		port: (server.address() as net.AddressInfo).port,
		close: async () => {
			for (const s of sockets) s.destroy();
			await new Promise<void>((resolve) => server.close(() => resolve()));
		},
	};
}
