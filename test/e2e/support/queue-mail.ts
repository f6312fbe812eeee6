/**
 * Mail helpers for the queue-mode tests and benchmark, made for hundreds of mails: planting over
 * one pooled LMTP connection, and reading only envelopes (no bodies, no parsing) when counting.
 */
import nodemailer from 'nodemailer';
import type SMTPTransport from 'nodemailer/lib/smtp-transport';

import { address, getStack, imapClient } from '../../support/mail-stack';

/** Plants raw messages into `user`'s INBOX through Dovecot LMTP, in order, over one connection. */
export async function plantMails(user: string, raws: Buffer[]): Promise<void> {
	const stack = getStack();
	const transport = nodemailer.createTransport({
		lmtp: true,
		host: stack.host,
		port: stack.ports.lmtp,
		tls: { ca: stack.caPem },
		pool: true,
		maxConnections: 1,
		maxMessages: Infinity,
	} as SMTPTransport.Options);
	try {
		for (const raw of raws) {
			const info = await transport.sendMail({
				envelope: { from: 'sender@external.test', to: [address(user)] },
				raw,
			});
			if (info.rejected.length) throw new Error(`LMTP rejected ${address(user)}: ${info.response}`);
		}
	} finally {
		transport.close();
	}
}

/** Number of messages in a folder (IMAP STATUS); 0 for a folder that does not exist. */
export async function countMails(user: string, folder = 'INBOX'): Promise<number> {
	const client = await imapClient(user);
	try {
		const status = await client.status(folder, { messages: true });
		return status ? (status.messages ?? 0) : 0;
	} catch {
		return 0;
	} finally {
		await client.logout().catch(() => client.close());
	}
}

export interface Envelope {
	subject: string;
	messageId: string;
	inReplyTo: string;
}

/** Subject and ids of every message of a folder (envelopes only). */
export async function envelopes(user: string, folder = 'INBOX'): Promise<Envelope[]> {
	const client = await imapClient(user);
	try {
		const box = await client.mailboxOpen(folder, { readOnly: true });
		if (box.exists === 0) return [];
		const fetched = await client.fetchAll('1:*', { envelope: true });
		return fetched.map((m) => ({
			subject: m.envelope?.subject ?? '',
			messageId: m.envelope?.messageId ?? '',
			inReplyTo: m.envelope?.inReplyTo ?? '',
		}));
	} finally {
		await client.logout().catch(() => client.close());
	}
}
