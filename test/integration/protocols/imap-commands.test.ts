/**
 * Cheaper cycles (issue #17.6), counted on the wire against the real Dovecot: the trigger's
 * intake loop over the IMAP source, behind a TCP relay that counts the commands the client sends
 * (plain IMAP on loopback). A backlog is searched once, not per batch; each batch costs one
 * UID FETCH for size and flags of its mails only and one UID FETCH for their bytes (not one per
 * mail); the disposals of runs that finish together go out as one STORE + one UID EXPUNGE.
 */
import { IntakeLoop, type FetchedMail, type MailOutcome } from '../../../lib/intake/intake-loop';
import type { IntakeEvent } from '../../../lib/intake/intake-loop';
import { ImapSource } from '../../../lib/protocols/imap/imap-source';
import type { MailboxProfile } from '../../../lib/protocols/mailbox-profile';
import {
	claimUser,
	composeMail,
	deliver,
	getStack,
	listImap,
	stackUser,
} from '../../support/mail-stack';
import { startTcpRelay, type TcpRelay } from '../../support/tcp-relay';
import { mailboxCredential } from '../../support/trigger-workflows';

jest.setTimeout(60_000);

const closing: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
	for (const c of closing.splice(0).reverse()) await c.close();
});

/** The commands a client sent through the relay: `UID FETCH`, `SEARCH`, `UID EXPUNGE` … */
interface Wire {
	relay: TcpRelay;
	commands: string[];
	/** The command lines themselves, for the UID sets. */
	lines: string[];
	count(name: string): number;
}

async function countingRelay(): Promise<Wire> {
	const commands: string[] = [];
	const lines: string[] = [];
	const relay = await startTcpRelay(getStack().ports.imap, '127.0.0.1', {
		answerClient: (chunk) => {
			for (const line of chunk.split('\r\n')) {
				const match = /^[A-Za-z0-9.]+ ((?:UID )?[A-Z]+)/i.exec(line);
				if (!match) continue;
				commands.push(match[1].toUpperCase());
				lines.push(line);
			}
			return undefined;
		},
	});
	closing.push(relay);
	return { relay, commands, lines, count: (name) => commands.filter((c) => c === name).length };
}

function source(user: string, port: number): ImapSource {
	const credential = mailboxCredential(user, 'imap');
	const profile = { ...credential, tls: 'off', port, timeoutMs: 5_000 } as MailboxProfile;
	return new ImapSource(profile, { quarantineFolder: 'Quarantine' });
}

async function plant(user: string, count: number): Promise<void> {
	for (let i = 1; i <= count; i++)
		await deliver(
			user,
			await composeMail({
				from: 'kunde@kunde.test',
				to: stackUser(user).address,
				subject: `Anfrage ${i}`,
				text: `Text ${i}`,
			}),
		);
}

const done = (batch: FetchedMail[]) =>
	new Map(batch.map((m) => [m.key, { status: 'done' } as MailOutcome]));

async function until(check: () => boolean, what: string, ms = 30_000) {
	const end = Date.now() + ms;
	while (!check()) {
		if (Date.now() > end) throw new Error(`${what}: not reached within ${ms} ms`);
		await new Promise((r) => setTimeout(r, 10));
	}
}

describe('#17.6 IMAP commands per cycle (real Dovecot)', () => {
	test('a backlog of 30 in batches of 10: one SEARCH for the backlog, two UID FETCH per batch (flags of its 10, bytes of its 10), one STORE + one UID EXPUNGE to remove it', async () => {
		const user = claimUser();
		await plant(user, 30);
		const wire = await countingRelay();
		const imap = source(user, wire.relay.port);
		const events: IntakeEvent[] = [];
		const runs: string[][] = [];
		const loop = new IntakeLoop(
			imap,
			async (batch) => {
				runs.push(batch.map((m) => m.key));
				return done(batch);
			},
			(event) => events.push(event),
			{ mailsPerExecution: 10, maxConcurrentExecutions: 1, pollIntervalMs: 60_000 },
		);
		closing.push({ close: () => loop.stop() });
		loop.start();
		await until(
			() => events.filter((e) => e.type === 'processed').length === 30,
			'30 mails processed',
		);
		await loop.stop();
		expect(await listImap(user)).toEqual([]);
		expect(runs.map((run) => run.length)).toEqual([10, 10, 10]);

		// The backlog's search, and one more when it ran dry (finding nothing).
		expect(wire.count('UID SEARCH')).toBe(2);
		// Per batch: sizes and flags of its 10 mails, then the bytes of the 10 in one command.
		expect(wire.count('UID FETCH')).toBe(6);
		const fetches = wire.lines.filter((line) => / UID FETCH /i.test(line));
		for (const line of fetches) expect(line.split(' ')[3].split(',')).toHaveLength(10);
		// Per batch: the attempt count (one STORE), the removal (one STORE \Deleted, one EXPUNGE).
		expect(wire.count('UID STORE')).toBe(6);
		expect(wire.count('UID EXPUNGE')).toBe(3);
	});

	test('two runs in flight that finish together: their disposals go out as one STORE \\Deleted and one UID EXPUNGE over the 10 UIDs', async () => {
		const user = claimUser();
		await plant(user, 10);
		const wire = await countingRelay();
		const imap = source(user, wire.relay.port);
		const events: IntakeEvent[] = [];
		let release!: () => void;
		const gate = new Promise<void>((resolve) => (release = resolve));
		let waiting = 0;
		const loop = new IntakeLoop(
			imap,
			async (batch) => {
				if (++waiting === 2) release();
				await gate; // both runs end in the same turn
				return done(batch);
			},
			(event) => events.push(event),
			{ mailsPerExecution: 5, maxConcurrentExecutions: 2, pollIntervalMs: 60_000 },
		);
		closing.push({ close: () => loop.stop() });
		loop.start();
		await until(
			() => events.filter((e) => e.type === 'processed').length === 10,
			'10 mails processed',
		);
		await loop.stop();
		expect(await listImap(user)).toEqual([]);
		expect(wire.count('UID EXPUNGE')).toBe(1);
		const expunge = wire.lines.find((line) => / UID EXPUNGE /i.test(line))!;
		expect(expunge.split(' ')[3].split(',')).toHaveLength(10);
	});
});
