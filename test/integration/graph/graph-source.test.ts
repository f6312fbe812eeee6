import { IntakeLoop, type IntakeEvent, type MailOutcome } from '../../../lib/intake/intake-loop';
import {
	DONE_CATEGORY,
	GraphSource,
	QUARANTINE_CATEGORY,
	QUARANTINE_REASON_PROPERTY,
	type GraphSourceOptions,
} from '../../../lib/protocols/graph/graph-source';
import { waitUntil } from '../../support/n8n/wait';
import { rawMail, startWorld, type GraphWorld } from './support';

/**
 * R-EXO-1, R-PROC-4, R-PLUS-1 over Microsoft Graph: the Exchange mailbox as a MailSource for the
 * trigger's intake loop, against the Graph stand-in with real MSAL tokens.
 */
jest.setTimeout(30_000);

let world: GraphWorld;
const sources: GraphSource[] = [];

beforeEach(async () => {
	world = await startWorld();
});

afterEach(async () => {
	for (const source of sources.splice(0)) await source.close();
	await world.fake.stop();
});

/** Retry-After waits the client asked for (and really waited). */
let waits: number[] = [];

function source(options: GraphSourceOptions = {}, profile = world.profile): GraphSource {
	waits = [];
	const s = new GraphSource(profile, {
		checkIntervalMs: 50,
		...options,
		clientOptions: {
			sleep: (ms) => (waits.push(ms), new Promise((resolve) => setTimeout(resolve, ms))),
			...(options.clientOptions ?? {}),
		},
	});
	sources.push(s);
	return s;
}

function seed(count: number, prefix = 'Mail'): Map<string, Buffer> {
	const raws = new Map<string, Buffer>();
	for (let i = 1; i <= count; i++) {
		const raw = rawMail(`${prefix} ${i}`, `Body ${i}\r\nFeld = Wert ${i}`);
		raws.set(world.mailbox.seed(raw), raw);
	}
	return raws;
}

/** Runs the real intake loop until `expected` mails were processed. */
async function runLoop(
	s: GraphSource,
	expected: number,
	deliver?: (keys: string[]) => MailOutcome,
) {
	const events: IntakeEvent[] = [];
	const fetched = new Map<string, Buffer>();
	const loop = new IntakeLoop(
		s,
		async (batch) => {
			for (const mail of batch) fetched.set(mail.key, mail.raw);
			return new Map(
				batch.map((m) => [m.key, deliver ? deliver([m.key]) : ({ status: 'done' } as MailOutcome)]),
			);
		},
		(event) => events.push(event),
		{
			mailsPerExecution: 10,
			listBatch: 12,
			pollIntervalMs: 200,
			retryDelayMs: 10,
			reconnectInitialMs: 50,
		},
	);
	loop.start();
	try {
		await waitUntil(
			`${expected} processed mails`,
			() => events.filter((e) => e.type === 'processed').length >= expected,
			30_000,
		);
	} finally {
		await loop.stop(5_000);
	}
	return { events, fetched };
}

describe('R-EXO-1 / R-PROC-4: Exchange mailbox read through Graph by the intake loop', () => {
	it('30 mails are listed, fetched as MIME and moved to Deleted Items; the inbox ends empty', async () => {
		const raws = seed(30);
		const { events, fetched } = await runLoop(source(), 30);
		expect(world.mailbox.list('inbox')).toHaveLength(0);
		expect(world.mailbox.list('deleteditems')).toHaveLength(30);
		expect(fetched.size).toBe(30);
		for (const [key, raw] of raws) expect(fetched.get(key)?.equals(raw)).toBe(true);
		expect(events.filter((e) => e.type === 'connectionLost')).toEqual([]);
		// Listing asked for the oldest first, with the size property.
		const list = world.fake
			.graphRequests()
			.find((r) => r.path.endsWith('/messages') && r.method === 'GET')!;
		const query = new URLSearchParams(list.query);
		expect(query.get('$orderby')).toBe('receivedDateTime asc');
		expect(query.get('$expand')).toBe(
			"singleValueExtendedProperties($filter=id eq 'Integer 0x0E08')",
		);
	});

	it('lists oldest first in bounded pages, following @odata.nextLink, with sizes; limit and exclude honoured', async () => {
		const raws = [...seed(23).entries()];
		const s = source({ pageSize: 5 });
		await s.open();
		const all = await s.listPending(100, new Set());
		expect(all.map((m) => m.key)).toEqual(raws.map(([key]) => key));
		expect(all.map((m) => m.size)).toEqual(raws.map(([, raw]) => raw.length));
		const pages = world.fake.graphRequests().filter((r) => r.path.endsWith('/messages'));
		expect(pages.map((r) => new URLSearchParams(r.query).get('$skip'))).toEqual([
			null,
			'5',
			'10',
			'15',
			'20',
		]);
		expect(pages.every((r) => new URLSearchParams(r.query).get('$top') === '5')).toBe(true);

		const some = await s.listPending(4, new Set([raws[0][0], raws[2][0]]));
		expect(some.map((m) => m.key)).toEqual([raws[1][0], raws[3][0], raws[4][0], raws[5][0]]);
	});

	it('survives throttling mid-listing: 429 with Retry-After on the second page is waited out', async () => {
		const raws = seed(12);
		world.fake.injectFault({
			method: 'GET',
			path: /\/mailFolders\/[^/]+\/messages$/,
			status: 429,
			retryAfter: 1,
			after: 1,
		});
		const s = source({ pageSize: 5 });
		await s.open();
		const listed = await s.listPending(50, new Set());
		expect(listed.map((m) => m.key)).toEqual([...raws.keys()]);
		expect(waits).toEqual([1000]);
		const faults = world.fake.requests.filter((r) => r.fault);
		expect(faults).toHaveLength(1);
		expect(faults[0].status).toBe(429);
	});

	it('survives 503 with Retry-After while fetching $value', async () => {
		const raws = seed(1);
		world.fake.injectFault({ method: 'GET', path: '/$value', status: 503, retryAfter: 1 });
		const s = source();
		await s.open();
		const [key] = raws.keys();
		expect((await s.fetch(key)).equals(raws.get(key)!)).toBe(true);
		expect(waits).toEqual([1000]);
	});

	it('reports THROTTLED (and the loop keeps the mail) when Graph keeps throttling', async () => {
		seed(1);
		world.fake.injectFault({
			method: 'GET',
			path: /\/messages$/,
			status: 429,
			retryAfter: 0,
			times: 10,
		});
		const s = source({ clientOptions: { retry: { maxRetries: 2 } } });
		await s.open();
		await expect(s.listPending(10, new Set())).rejects.toMatchObject({ code: 'THROTTLED' });
		expect(world.mailbox.list('inbox')).toHaveLength(1);
	});

	it('survives the token expiring mid-run: Graph answers 401, a new token is fetched, the run goes on', async () => {
		seed(30);
		let graphCalls = 0;
		world.fake.onRequest = (r) => {
			if (r.path.startsWith('/v1.0/') && ++graphCalls === 25) world.fake.expireTokens();
		};
		await runLoop(source(), 30);
		expect(world.mailbox.list('inbox')).toHaveLength(0);
		const refused = world.fake.graphRequests().filter((r) => r.status === 401);
		expect(refused).toHaveLength(1);
		expect(world.fake.tokenStats.issued).toBe(2);
	});

	it('renews short-lived tokens before they expire (2 s lifetime): new tokens, no 401', async () => {
		world.fake.tokenLifetimeSeconds = 2;
		seed(10);
		await runLoop(source(), 10);
		expect(world.mailbox.list('inbox')).toHaveLength(0);
		expect(world.fake.graphRequests().filter((r) => r.status === 401)).toEqual([]);
		expect(world.fake.tokenStats.issued).toBeGreaterThan(1);
	});

	it('disposition "move": into a folder created on demand, also nested (Inbox/Done)', async () => {
		const raws = [...seed(3).keys()];
		const s = source();
		await s.open();
		await s.dispose(raws[0], { kind: 'move', folder: 'Processed' });
		await s.dispose(raws[1], { kind: 'move', folder: 'Inbox/Done' });
		await s.dispose(raws[2], { kind: 'move', folder: 'Processed' });
		expect(world.mailbox.list('Processed')).toHaveLength(2);
		expect(world.mailbox.list('Inbox/Done')).toHaveLength(1);
		expect(world.mailbox.list('inbox')).toHaveLength(0);
		// "Processed" was created once and then found by name.
		expect(
			world.fake
				.graphRequests()
				.filter((r) => r.method === 'POST' && r.path.endsWith('/mailFolders')),
		).toHaveLength(1);
	});

	it('a target folder deleted meanwhile: the mail stays (error), the next try creates the folder again', async () => {
		const keys = [...seed(2).keys()];
		const s = source();
		await s.open();
		await s.dispose(keys[0], { kind: 'move', folder: 'Processed' });
		const processed = world.mailbox.folder('Processed')!;
		for (const m of world.mailbox.inFolder(processed.id)) world.mailbox.purge(m);
		world.mailbox.folders.delete(processed.id);
		await expect(s.dispose(keys[1], { kind: 'move', folder: 'Processed' })).rejects.toMatchObject({
			code: 'NOT_FOUND',
		});
		expect(world.mailbox.list('inbox').map((m) => m.id)).toEqual([keys[1]]);
		await s.dispose(keys[1], { kind: 'move', folder: 'Processed' });
		expect(world.mailbox.list('Processed')).toHaveLength(1);
		expect(world.mailbox.list('inbox')).toHaveLength(0);
	});

	it('disposition "mark read": read + MailCases-Done category, skipped by later listings (also after a restart)', async () => {
		const keys = [...seed(3).keys()];
		const s = source();
		await s.open();
		await s.dispose(keys[1], { kind: 'markSeen' });
		const message = world.mailbox.messages.get(keys[1])!;
		expect(message.isRead).toBe(true);
		expect(message.categories).toEqual([DONE_CATEGORY]);
		expect((await s.listPending(10, new Set())).map((m) => m.key)).toEqual([keys[0], keys[2]]);
		const restarted = source();
		await restarted.open();
		expect((await restarted.listPending(10, new Set())).map((m) => m.key)).toEqual([
			keys[0],
			keys[2],
		]);
	});

	it('delete modes: soft delete (Recoverable Items) and permanentDelete', async () => {
		const keys = [...seed(2).keys()];
		const soft = source({ deleteMode: 'softDelete' });
		await soft.open();
		await soft.dispose(keys[0], { kind: 'delete' });
		expect(world.mailbox.list('recoverableitemsdeletions')).toHaveLength(1);
		const hard = source({ deleteMode: 'permanent' });
		await hard.open();
		await hard.dispose(keys[1], { kind: 'delete' });
		expect(world.mailbox.messages.size).toBe(1);
		expect(
			world.fake
				.graphRequests()
				.some((r) => r.method === 'POST' && r.path.endsWith('/permanentDelete')),
		).toBe(true);
	});

	it('a mail removed by someone else meanwhile counts as disposed', async () => {
		const [key] = [...seed(1).keys()];
		const s = source();
		await s.open();
		world.mailbox.purge(world.mailbox.messages.get(key)!);
		await expect(s.dispose(key, { kind: 'delete' })).resolves.toBeUndefined();
	});

	it('R-PLUS-1: failed attempts are counted in categories on the server and survive a restart; user categories are kept', async () => {
		const [key] = [...seed(1).keys()];
		world.mailbox.messages.get(key)!.categories = ['Red category'];
		const s = source();
		await s.open();
		await s.listPending(10, new Set());
		expect(s.attemptsOf(key)).toBe(0);
		expect(await s.recordAttempts([key])).toEqual(new Map([[key, 1]]));
		expect(await s.recordAttempt(key)).toBe(2);
		expect(world.mailbox.messages.get(key)!.categories).toEqual([
			'Red category',
			'MailCases-Fail-2',
		]);
		const restarted = source();
		await restarted.open();
		await restarted.listPending(10, new Set());
		expect(restarted.attemptsOf(key)).toBe(2);
	});

	it('R-PLUS-1: a mail that keeps failing goes to the Quarantine folder (created on demand) with its reason', async () => {
		seed(3);
		const events: IntakeEvent[] = [];
		const loop = new IntakeLoop(
			source(),
			async (batch) =>
				new Map(
					batch.map((m) => [
						m.key,
						(world.mailbox.messages.get(m.key)?.subject === 'Mail 2'
							? { status: 'failed', reason: 'boom' }
							: { status: 'done' }) as MailOutcome,
					]),
				),
			(e) => events.push(e),
			{ maxAttempts: 3, retryDelayMs: 10, pollIntervalMs: 100 },
		);
		loop.start();
		try {
			await waitUntil(
				'quarantined mail',
				() =>
					world.mailbox.list('Quarantine').length === 1 && world.mailbox.list('inbox').length === 0,
				20_000,
			);
		} finally {
			await loop.stop(5_000);
		}
		const [quarantined] = world.mailbox.list('Quarantine');
		expect(quarantined.subject).toBe('Mail 2');
		// The attempt count is cleared on quarantine: moved back after a fix, the mail starts afresh (#11.3).
		expect(quarantined.categories).toEqual([QUARANTINE_CATEGORY, 'MailCases-Quarantine-Failed']);
		expect(quarantined.properties.get(QUARANTINE_REASON_PROPERTY)).toBe(
			'Failed 3 times; last error: boom',
		);
		expect(world.mailbox.list('deleteditems').map((m) => m.subject)).toEqual(['Mail 1', 'Mail 3']);
		expect(events.filter((e) => e.type === 'retryScheduled')).toHaveLength(2);
	});

	it('#11.4 a 4xx for one message id counts against that mail: the others are processed, no reconnect, quarantined after Max Attempts', async () => {
		const [bad] = [...seed(3).keys()];
		world.fake.injectFault({
			method: 'GET',
			path: `/messages/${encodeURIComponent(bad)}/$value`,
			status: 400,
			code: 'ErrorInvalidRequest',
			times: 100,
		});
		const events: IntakeEvent[] = [];
		const loop = new IntakeLoop(
			source(),
			async (batch) => new Map(batch.map((m) => [m.key, { status: 'done' } as MailOutcome])),
			(e) => events.push(e),
			{
				maxAttempts: 2,
				retryDelayMs: 10,
				pollIntervalMs: 100,
			},
		);
		loop.start();
		try {
			await waitUntil(
				'the bad mail quarantined, the others processed',
				() =>
					world.mailbox.list('Quarantine').length === 1 && world.mailbox.list('inbox').length === 0,
				20_000,
			);
		} finally {
			await loop.stop(5_000);
		}
		expect(world.mailbox.list('deleteditems').map((m) => m.subject)).toEqual(['Mail 2', 'Mail 3']);
		const quarantined = events.find((e) => e.type === 'quarantined') as {
			key: string;
			reason: string;
		};
		expect(quarantined.key).toBe(bad);
		expect(quarantined.reason).toMatch(
			/^Failed 2 times; last error: .*HTTP 400, ErrorInvalidRequest/,
		);
		expect(events.filter((e) => e.type === 'connectionLost')).toEqual([]);
	});

	it('#11.3 the attempt category is on the message before the run starts; moving it on success takes the count off first', async () => {
		const [key] = [...seed(1).keys()];
		let during: string[] | undefined;
		const loop = new IntakeLoop(
			source(),
			async (batch) => {
				during = [...(world.mailbox.messages.get(key)!.categories ?? [])];
				return new Map(batch.map((m) => [m.key, { status: 'done' } as MailOutcome]));
			},
			() => undefined,
			{ disposition: { kind: 'move', folder: 'Done' }, pollIntervalMs: 100 },
		);
		loop.start();
		try {
			await waitUntil('moved', () => world.mailbox.list('Done').length === 1, 20_000);
		} finally {
			await loop.stop(5_000);
		}
		expect(during).toEqual(['MailCases-Fail-1']);
		expect(world.mailbox.list('Done')[0].categories ?? []).toEqual([]);
	});

	it('waitForMail: a delta query notices new mail before the poll interval ends', async () => {
		const s = source({ checkIntervalMs: 50 });
		await s.open();
		expect(await s.listPending(10, new Set())).toEqual([]);
		const controller = new AbortController();
		setTimeout(() => world.mailbox.seed(rawMail('arrives later')), 150);
		// An hour-long poll interval: only the delta query can end this wait within the test timeout.
		await s.waitForMail(3_600_000, controller.signal);
		const listed = await s.listPending(10, new Set());
		expect(listed).toHaveLength(1);
		const deltas = world.fake.graphRequests().filter((r) => r.path.endsWith('/messages/delta'));
		expect(deltas.length).toBeGreaterThanOrEqual(2);
		expect(new URLSearchParams(deltas[0].query).get('changeType')).toBe('created');
	});

	it('waitForMail: an expired delta token wakes the loop once and starts a new delta round', async () => {
		const s = source({ checkIntervalMs: 30 });
		await s.open();
		world.fake.expireDeltaTokens();
		await s.waitForMail(3_600_000, new AbortController().signal);
		expect(world.fake.graphRequests().some((r) => r.status === 410)).toBe(true);
		const controller = new AbortController();
		setTimeout(() => world.mailbox.seed(rawMail('after resync')), 100);
		await s.waitForMail(3_600_000, controller.signal);
		expect(await s.listPending(10, new Set())).toHaveLength(1);
	});

	it('waitForMail returns when aborted', async () => {
		const s = source({ checkIntervalMs: 60_000 });
		await s.open();
		const controller = new AbortController();
		setTimeout(() => controller.abort(), 50);
		await expect(s.waitForMail(3_600_000, controller.signal)).resolves.toBeUndefined();
	});
});
