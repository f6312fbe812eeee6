/**
 * The IMAP and POP3 sources against the real Dovecot (issue #13.6 and the source side of #13.4):
 * disposal after the server ended the session opens a new one (POP3: the mail found by its UIDL,
 * DELE, QUIT); IMAP disposal checks the UIDVALIDITY the mail was read under; a move sets the
 * mail's keywords before it (target folder created when missing); quarantine records its kind
 * as a keyword.
 */
import { isPerMailError } from '../../../lib/intake/mail-error';
import { ImapSource } from '../../../lib/protocols/imap/imap-source';
import type { MailboxProfile } from '../../../lib/protocols/mailbox-profile';
import { Pop3Source } from '../../../lib/protocols/pop3/pop3-source';
import { kickSessions } from '../../support/dovecot-kick';
import {
	claimUser,
	composeMail,
	deliver,
	getStack,
	imapClient,
	listImap,
	stackUser,
} from '../../support/mail-stack';
import { startTcpRelay, type TcpRelay } from '../../support/tcp-relay';
import { mailboxCredential } from '../../support/trigger-workflows';

jest.setTimeout(30_000);

const closing: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
	for (const c of closing.splice(0).reverse()) await c.close();
});

/** The stack user's mailbox profile (the trigger credential's data, read as a profile). */
function profile(user: string, protocol: 'imap' | 'pop3', extra: Partial<MailboxProfile> = {}) {
	const credential = mailboxCredential(user, protocol);
	return {
		...credential,
		caPem: credential.caCertificate,
		timeoutMs: 5_000,
		...extra,
	} as MailboxProfile;
}

async function imapSource(user: string, folder = 'INBOX', port?: number) {
	const source = new ImapSource(profile(user, 'imap', { folder, ...(port ? { port } : {}) }), {
		quarantineFolder: 'Quarantine',
	});
	closing.push(source);
	await source.open();
	return source;
}

function pop3Source(user: string, port?: number) {
	const source = new Pop3Source(profile(user, 'pop3', port ? { port } : {}));
	closing.push(source);
	return source;
}

const mail = (user: string, subject: string) =>
	composeMail({
		from: 'kunde@kunde.test',
		to: stackUser(user).address,
		subject,
		text: `Text of ${subject}`,
	});

async function withImap<T>(
	user: string,
	work: (client: Awaited<ReturnType<typeof imapClient>>) => Promise<T>,
) {
	const client = await imapClient(user);
	try {
		return await work(client);
	} finally {
		await client.logout();
	}
}

const subjects = async (user: string, folder = 'INBOX') =>
	(await listImap(user, folder)).map((m) => m.subject);

describe('POP3: a run longer than the session', () => {
	test('disposal after the server ended the session: new session, the mail found by UIDL, DELE, QUIT', async () => {
		const user = claimUser();
		await deliver(user, await mail(user, 'Erste'));
		await deliver(user, await mail(user, 'Zweite'));
		const source = pop3Source(user);
		await source.open();
		const [, second] = await source.listPending(10, new Set());
		expect((await source.fetch(second.key)).toString()).toContain('Subject: Zweite');

		await kickSessions(stackUser(user).address, 'pop3');
		// Meanwhile another client removes the first mail: "Zweite" has message number 1 now.
		await withImap(user, async (client) => {
			await client.mailboxOpen('INBOX');
			await client.messageDelete('1', { uid: true });
		});

		await source.dispose(second.key, { kind: 'delete' });
		expect(await subjects(user)).toEqual(['Zweite']); // marked, not yet deleted: QUIT pending
		await source.commit();
		expect(await subjects(user)).toEqual([]);
	});

	test('a mail no longer on the server when the new session lists it: nothing left to do', async () => {
		const user = claimUser();
		await deliver(user, await mail(user, 'Schon weg'));
		const source = pop3Source(user);
		const [only] = await source.listPending(10, new Set());
		await source.fetch(only.key);
		await kickSessions(stackUser(user).address, 'pop3');
		await withImap(user, async (client) => {
			await client.mailboxOpen('INBOX');
			await client.messageDelete('1:*', { uid: true });
		});
		await expect(source.dispose(only.key, { kind: 'delete' })).resolves.toBeUndefined();
		await source.commit();
	});

	test('no new session possible: a connection error (not a per-mail one) that says what happened', async () => {
		const user = claimUser();
		await deliver(user, await mail(user, 'Ohne Server'));
		const relay: TcpRelay = await startTcpRelay(getStack().ports.pop3s);
		closing.push(relay);
		const source = pop3Source(user, relay.port);
		const [only] = await source.listPending(10, new Set());
		await source.fetch(only.key);
		relay.refuse(true); // the session is reset, and new ones are refused

		const error = await source.dispose(only.key, { kind: 'delete' }).catch((e: Error) => e);
		expect(error).toBeInstanceOf(Error);
		expect(isPerMailError(error)).toBe(false);
		expect((error as Error).message).toMatch(
			new RegExp(
				`^Mail ${only.key} was processed, but could not be removed from POP3S 127\\.0\\.0\\.1:${relay.port} as .*: the POP3 session of its run had ended and a new one could not be opened: `,
			),
		);
		expect((error as Error).message).not.toMatch(/greeting/);
		expect(await subjects(user)).toEqual(['Ohne Server']);
	});
});

describe('IMAP: a run longer than the session', () => {
	test('disposal after the server ended the session: reconnect, same UIDVALIDITY, removed', async () => {
		const user = claimUser();
		await deliver(user, await mail(user, 'Lang'));
		const source = await imapSource(user);
		await source.open();
		const [only] = await source.listPending(10, new Set());
		await source.fetch(only.key);
		await kickSessions(stackUser(user).address, 'imap');

		await source.dispose(only.key, { kind: 'delete' });
		expect(await subjects(user)).toEqual([]);
	});

	test('the session went half-open during the run (no FIN, no RST): the disposal times out and is done in a new session', async () => {
		const user = claimUser();
		await deliver(user, await mail(user, 'Halb offen'));
		const relay = await startTcpRelay(getStack().ports.imaps);
		closing.push(relay);
		const source = new ImapSource(profile(user, 'imap', { port: relay.port, timeoutMs: 1_000 }), {
			quarantineFolder: 'Quarantine',
		});
		closing.push(source);
		await source.open();
		const [only] = await source.listPending(10, new Set());
		await source.fetch(only.key);
		relay.freeze();
		await source.dispose(only.key, { kind: 'delete' });
		expect(await subjects(user)).toEqual([]);
		expect(relay.connections).toBe(2);
	});

	test('the folder was recreated meanwhile (new UIDVALIDITY): a per-mail error saying so, the new UID 1 untouched', async () => {
		const user = claimUser();
		await withImap(user, async (client) => {
			await client.mailboxCreate('Tickets');
			await client.append('Tickets', await mail(user, 'Alt'));
		});
		const source = await imapSource(user, 'Tickets');
		await source.open();
		const [only] = await source.listPending(10, new Set());
		await source.fetch(only.key);
		const validity = await withImap(user, async (client) => {
			const before = (await client.mailboxOpen('Tickets')).uidValidity;
			await client.mailboxClose();
			await client.mailboxDelete('Tickets');
			await client.mailboxCreate('Tickets');
			await client.append('Tickets', await mail(user, 'Neu'));
			return { before, after: (await client.mailboxOpen('Tickets')).uidValidity };
		});
		await kickSessions(stackUser(user).address, 'imap');

		for (const attempt of [
			() => source.dispose(only.key, { kind: 'delete' }),
			() => source.disposeMany([only.key], { kind: 'move', folder: 'Erledigt' }),
			() => source.quarantine(only.key, 'test', 'failed'),
		]) {
			const error = await attempt().catch((e: Error) => e);
			expect(isPerMailError(error)).toBe(true);
			expect((error as Error).message).toBe(
				`Mail UID ${only.key} was not touched (${(error as Error).message.match(/\(([^)]*)\)/)![1]}): the UIDVALIDITY of folder "Tickets" in IMAPS 127.0.0.1:${getStack().ports.imaps} as ${stackUser(user).address}, folder Tickets changed from ${validity.before} to ${validity.after} since the mail was read (the folder was deleted and created again, or rebuilt by the server), so the UID may now name another mail. The mail is still in the folder under a new UID and will be read again.`,
			);
		}
		expect(await subjects(user, 'Tickets')).toEqual(['Neu']);
		// The loop learns that all keys are void; the new UID 1 is an ordinary mail.
		expect(source.takeReset()).toBe(true);
		const [fresh] = await source.listPending(10, new Set());
		expect((await source.fetch(fresh.key)).toString()).toContain('Subject: Neu');
		await source.dispose(fresh.key, { kind: 'delete' });
		expect(await subjects(user, 'Tickets')).toEqual([]);
	});
});

describe('IMAP: keywords on moved and quarantined mail (#13.4)', () => {
	test('move sets the keywords before the move (they travel along), creates the folder, leaves out invalid keywords', async () => {
		const user = claimUser();
		await deliver(user, await mail(user, 'Abwesend'));
		await deliver(user, await mail(user, 'Auch abwesend'));
		const source = await imapSource(user);
		const keys = (await source.listPending(10, new Set())).map((m) => m.key);
		await source.recordAttempts(keys);
		await source.disposeMany(keys, {
			kind: 'move',
			folder: 'Skipped/autoReply',
			keywords: ['$MailCasesSkipped', '$MailCasesAutoReply', 'not valid', 'bad(paren', ''],
		});
		expect(await subjects(user)).toEqual([]);
		const moved = await listImap(user, 'Skipped/autoReply');
		expect(moved.map((m) => m.subject)).toEqual(['Abwesend', 'Auch abwesend']);
		for (const m of moved) {
			expect(m.flags).toEqual(expect.arrayContaining(['$MailCasesSkipped', '$MailCasesAutoReply']));
			// the attempt count does not travel along
			expect(m.flags.filter((f) => f.startsWith('$MailCasesFail'))).toEqual([]);
			expect(m.flags).not.toContain('not valid');
		}
	});

	test.each([
		['oversize', '$MailCasesQuarantineOversize'],
		['notRemoved', '$MailCasesQuarantineNotRemoved'],
		['abnormalEnd', '$MailCasesQuarantineAbnormalEnd'],
	] as const)(
		'quarantine of kind %s: keyword %s beside $MailCasesQuarantined',
		async (kind, keyword) => {
			const user = claimUser();
			await deliver(user, await mail(user, `Quarantäne ${kind}`));
			const source = await imapSource(user);
			const [only] = await source.listPending(10, new Set());
			await source.quarantine(only.key, 'why', kind);
			const [quarantined] = await listImap(user, 'Quarantine');
			expect(quarantined.flags).toEqual(expect.arrayContaining(['$MailCasesQuarantined', keyword]));
			expect(quarantined.flags.filter((f) => f.startsWith('$MailCasesQuarantine'))).toHaveLength(2);
		},
	);
});
