import { closeSync, mkdirSync, openSync } from 'node:fs';
import path from 'node:path';

import { ImapFlow, type ImapFlowOptions } from 'imapflow';
import { simpleParser, type ParsedMail, type AddressObject } from 'mailparser';
import Pop3Command from 'node-pop3';
import nodemailer, { type SendMailOptions, type SMTPTransportOptions } from 'nodemailer';

import { getStack } from './description';
import type { StackUser } from './types';
import { NUMBERED_USER_COUNT, numberedUser } from './users';

/** Login details of a test user, by local part (`alice`) or full address (`alice@example.test`). */
export function stackUser(user: string): StackUser & { name: string } {
	const { users } = getStack();
	const key = user.toLowerCase();
	const name = key.includes('@')
		? Object.keys(users).find((n) => users[n].address === key)
		: Object.hasOwn(users, key)
			? key
			: undefined;
	if (!name)
		throw new Error(
			`"${user}" is not a user of the test mail stack (see test/support/mail-stack/users.ts)`,
		);
	return { name, ...users[name] };
}

/** Full address of a test user, e.g. `address('bob') === 'bob@example.test'`. */
export function address(user: string): string {
	return stackUser(user).address;
}

/**
 * Claims a numbered user (user01 … user60) nobody else in this test run has claimed yet - across
 * all Jest workers (atomic file creation in the stack directory). Gives a test file mailboxes of
 * its own.
 */
export function claimUser(): string {
	const dir = path.join(getStack().dir, 'claims');
	mkdirSync(dir, { recursive: true });
	for (let n = 1; n <= NUMBERED_USER_COUNT; n++) {
		const name = numberedUser(n);
		try {
			closeSync(openSync(path.join(dir, name), 'wx'));
			return name;
		} catch (error) {
			if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
		}
	}
	throw new Error(`all ${NUMBERED_USER_COUNT} numbered test users are claimed in this run`);
}

export type TlsMode = 'starttls' | 'implicit' | 'none';

/** Default time limits of every helper connection, so no test can hang on a socket. */
const CONNECT_MS = 5_000;
const SOCKET_MS = 20_000;

/** ImapFlow options for a test user. `starttls` (default) requires STARTTLS on the IMAP port. */
export function imapOptions(user: string, tls: TlsMode = 'starttls'): ImapFlowOptions {
	const stack = getStack();
	const u = stackUser(user);
	return {
		host: stack.host,
		port: tls === 'implicit' ? stack.ports.imaps : stack.ports.imap,
		secure: tls === 'implicit',
		doSTARTTLS: tls === 'implicit' ? undefined : tls === 'starttls',
		auth: { user: u.address, pass: u.password },
		tls: { ca: stack.caPem },
		logger: false,
		disableAutoIdle: true,
		connectionTimeout: CONNECT_MS,
		greetingTimeout: CONNECT_MS,
		socketTimeout: SOCKET_MS,
	};
}

/** A connected, logged-in ImapFlow client. The caller must `logout()` it. */
export async function imapClient(user: string, tls: TlsMode = 'starttls'): Promise<ImapFlow> {
	const client = new ImapFlow(imapOptions(user, tls));
	client.on('error', () => undefined); // errors surface through the rejected command instead
	try {
		await client.connect();
	} catch (error) {
		client.close();
		throw error;
	}
	return client;
}

async function withImap<T>(user: string, fn: (client: ImapFlow) => Promise<T>): Promise<T> {
	const client = await imapClient(user);
	try {
		return await fn(client);
	} finally {
		await client.logout().catch(() => client.close());
	}
}

/** A message as the helpers return it: the raw source plus the commonly asserted parts. */
export interface ListedMessage {
	/** IMAP UID (listImap, waitForMail) or POP3 message number (popList). */
	uid: number;
	flags: string[];
	raw: Buffer;
	parsed: ParsedMail;
	subject: string;
	/** Address of the first From, lower case ('' when missing). */
	from: string;
	/** All To addresses, lower case. */
	to: string[];
	messageId?: string;
	text: string;
	/** POP3 only: the UIDL. */
	uidl?: string;
}

function addresses(field: AddressObject | AddressObject[] | undefined): string[] {
	const list = Array.isArray(field) ? field : field ? [field] : [];
	return list.flatMap((a) => a.value.map((v) => (v.address ?? '').toLowerCase())).filter(Boolean);
}

async function toListed(uid: number, flags: string[], raw: Buffer): Promise<ListedMessage> {
	const parsed = await simpleParser(raw, { skipImageLinks: true, skipTextToHtml: true });
	return {
		uid,
		flags,
		raw,
		parsed,
		subject: parsed.subject ?? '',
		from: addresses(parsed.from)[0] ?? '',
		to: addresses(parsed.to),
		messageId: parsed.messageId,
		text: parsed.text ?? '',
	};
}

async function fetchFrom(client: ImapFlow, fromUid: number): Promise<ListedMessage[]> {
	const box = client.mailbox;
	if (!box || box.exists === 0) return [];
	const fetched = await client.fetchAll(
		`${fromUid}:*`,
		{ uid: true, flags: true, source: true },
		{ uid: true },
	);
	const out: ListedMessage[] = [];
	for (const m of fetched) {
		// `N:*` also returns the last message when N is above the highest UID.
		if (m.uid < fromUid || !m.source) continue;
		out.push(await toListed(m.uid, [...(m.flags ?? [])], m.source));
	}
	return out.sort((a, b) => a.uid - b.uid);
}

/** All messages of a folder (default INBOX), parsed, oldest first. Read-only. */
export async function listImap(user: string, folder = 'INBOX'): Promise<ListedMessage[]> {
	return withImap(user, async (client) => {
		await client.mailboxOpen(folder, { readOnly: true });
		return fetchFrom(client, 1);
	});
}

/** POP3 options for node-pop3; `tls: true` uses POP3S (node-pop3 cannot do STLS). */
export function popOptions(user: string, tls = false) {
	const stack = getStack();
	const u = stackUser(user);
	return {
		host: stack.host,
		port: tls ? stack.ports.pop3s : stack.ports.pop3,
		tls,
		user: u.address,
		password: u.password,
		timeout: SOCKET_MS,
		tlsOptions: { ca: stack.caPem },
		servername: 'localhost',
	};
}

/**
 * Undoes POP3 dot-stuffing (RFC 1939: a line starting with "." was sent as "..") and restores the
 * final CRLF that node-pop3 cuts off together with the terminating ".".
 */
function unstuff(data: Buffer): Buffer {
	let text = data.toString('latin1').replace(/(^|\r\n)\.\./g, '$1.');
	if (!text.endsWith('\r\n')) text += '\r\n';
	return Buffer.from(text, 'latin1');
}

/** All messages in the POP3 maildrop, parsed; `uid` is the message number. Leaves them there. */
export async function popList(
	user: string,
	options: { tls?: boolean } = {},
): Promise<ListedMessage[]> {
	const pop = new Pop3Command(popOptions(user, options.tls ?? false));
	try {
		const uidl = (await pop.UIDL()) as string[][];
		const out: ListedMessage[] = [];
		for (const [num, id] of uidl) {
			// RETR through the raw stream: node-pop3's RETR() decodes to a string (not 8-bit safe).
			const [, stream] = await pop.command('RETR', Number(num));
			const chunks: Buffer[] = [];
			for await (const chunk of stream) chunks.push(chunk as Buffer);
			const raw = unstuff(Buffer.concat(chunks));
			out.push({ ...(await toListed(Number(num), [], raw)), uidl: id });
		}
		return out;
	} finally {
		await pop.QUIT().catch(() => undefined);
	}
}

/**
 * Polls a folder until a message matches `predicate` (default: any message) and returns it.
 * Looks at messages already there as well. Fails after `timeoutMs` listing what it saw.
 */
export async function waitForMail(
	user: string,
	predicate: (m: ListedMessage) => boolean = () => true,
	timeoutMs = 10_000,
	folder = 'INBOX',
): Promise<ListedMessage> {
	const deadline = Date.now() + timeoutMs;
	const seen: ListedMessage[] = [];
	let lastError: Error | undefined;
	let client: ImapFlow | undefined;
	const timedOut = () => Date.now() > deadline;
	// A command hanging on the socket must not outlive the deadline: closing makes it reject.
	const guard = setTimeout(() => client?.close(), timeoutMs + 250);
	try {
		while (!timedOut()) {
			try {
				if (!client || !client.usable) {
					client?.close();
					client = await imapClient(user);
					await client.mailboxOpen(folder, { readOnly: true });
				} else {
					await client.noop();
				}
				const next = seen.length ? seen[seen.length - 1].uid + 1 : 1;
				for (const m of await fetchFrom(client, next)) {
					seen.push(m);
					if (predicate(m)) return m;
				}
			} catch (error) {
				// The folder may not exist yet, or the connection dropped: try again until the deadline.
				lastError = error as Error;
				client?.close();
				client = undefined;
			}
			await new Promise((r) => setTimeout(r, 50));
		}
	} finally {
		clearTimeout(guard);
		if (client) await client.logout().catch(() => client?.close());
	}
	const summary = seen.map((m) => `#${m.uid} "${m.subject}" from ${m.from}`).join('; ') || 'none';
	throw new Error(
		`no matching mail for ${address(user)} in ${folder} within ${timeoutMs} ms (messages seen: ${summary})` +
			(lastError ? `; last error: ${lastError.message}` : ''),
	);
}

const SPECIAL = new Set(['\\Drafts', '\\Sent', '\\Trash', '\\Junk']);

/**
 * Empties the mailbox: deletes every message in INBOX and the special folders and removes all
 * other folders (those a test created).
 */
export async function clearMailbox(user: string): Promise<void> {
	await withImap(user, async (client) => {
		const boxes = await client.list();
		const removable = boxes
			.filter(
				(b) => b.path.toUpperCase() !== 'INBOX' && !(b.specialUse && SPECIAL.has(b.specialUse)),
			)
			.sort((a, b) => b.path.length - a.path.length);
		for (const b of removable) await client.mailboxDelete(b.path).catch(() => undefined);
		for (const b of boxes) {
			if (removable.includes(b) || b.flags.has('\\Noselect')) continue;
			const opened = await client.mailboxOpen(b.path);
			if (opened.exists > 0) await client.messageDelete('1:*');
		}
	});
}

/** Plants a raw message straight into the mailboxes through Dovecot LMTP (no Postfix). */
export async function deliver(
	to: string | string[],
	rawMessage: string | Buffer,
	options: { from?: string } = {},
): Promise<{ accepted: string[]; response: string }> {
	const stack = getStack();
	const recipients = (Array.isArray(to) ? to : [to]).map((r) => (r.includes('@') ? r : address(r)));
	const transport = nodemailer.createTransport({
		lmtp: true,
		host: stack.host,
		port: stack.ports.lmtp,
		tls: { ca: stack.caPem },
		connectionTimeout: CONNECT_MS,
		greetingTimeout: CONNECT_MS,
		socketTimeout: SOCKET_MS,
	} as SMTPTransportOptions);
	try {
		const info = await transport.sendMail({
			envelope: { from: options.from ?? 'sender@external.test', to: recipients },
			raw: rawMessage,
		});
		if (info.rejected.length)
			throw new Error(`LMTP rejected ${info.rejected.join(', ')}: ${info.response}`);
		return { accepted: info.accepted.map(String), response: info.response };
	} finally {
		transport.close();
	}
}

/** Builds a raw RFC 5322 message with nodemailer (no sending). */
export async function composeMail(mail: SendMailOptions): Promise<Buffer> {
	const transport = nodemailer.createTransport({ streamTransport: true, buffer: true });
	const info = await transport.sendMail(mail);
	return info.message as Buffer;
}

export type SmtpMode = 'submission' | 'smtps' | 'smtp';

/**
 * nodemailer SMTP options for Postfix: `submission` (STARTTLS required, AUTH), `smtps` (implicit
 * TLS, AUTH) or `smtp` (port-25 style relay for 127.0.0.0/8, no AUTH; STARTTLS is offered and
 * used, so the CA is passed too). `user` adds AUTH with that user's credentials.
 */
export function smtpOptions(mode: SmtpMode, user?: string): SMTPTransportOptions {
	const stack = getStack();
	const u = user ? stackUser(user) : undefined;
	return {
		host: stack.host,
		port: stack.ports[mode],
		secure: mode === 'smtps',
		requireTLS: mode === 'submission',
		auth: u ? { user: u.address, pass: u.password } : undefined,
		tls: { ca: stack.caPem },
		connectionTimeout: CONNECT_MS,
		greetingTimeout: CONNECT_MS,
		socketTimeout: SOCKET_MS,
	};
}
