import {
	IntakeLoop,
	type Deliver,
	type FetchedMail,
	type IntakeEvent,
	type MailOutcome,
} from '../../../lib/intake/intake-loop';
import type { Disposition, MailSource, PendingMail } from '../../../lib/intake/mail-source';
import { MailCasesError } from '../../../lib/errors';
import { perMailError } from '../../../lib/intake/mail-error';
import type { IntakeOptions } from '../../../lib/intake/intake-options';
import {
	PHASES,
	formatPhases,
	tracePhasesEnabled,
	type PhaseRecord,
} from '../../../lib/intake/phase-trace';

/**
 * An in-memory mailbox for the loop's own logic (ordering, batching, retries, quarantine).
 * The same loop runs against real Dovecot in test/integration/trigger.
 */
class MemorySource implements MailSource {
	readonly protocol = 'imap' as const;
	readonly folder = 'INBOX';
	readonly description = 'memory';
	mails = new Map<string, Buffer>();
	quarantined = new Map<string, string>();
	disposed: string[] = [];
	attempts = new Map<string, number>();
	failOpen = 0;
	/** Listing fails this many times right after a successful open (a server that drops us). */
	failAfterLogin = 0;
	opens = 0;
	/** Keys whose FETCH / removal / quarantine the server refuses while the connection lives. */
	refuseFetch = new Set<string>();
	refuseDispose = new Set<string>();
	refuseQuarantine = new Set<string>();
	/** Keys whose FETCH makes the server end the session (Dovecot does for an unreadable file). */
	dropOnFetch = new Set<string>();
	/** The connection breaks at the next disposal (after a successful run), this many times. */
	breakOnDispose: boolean | number = false;
	/** The disposal goes through but the connection breaks before its answer arrives. */
	breakAfterDispose = false;
	/** POP3-like: disposals wait for commit (QUIT); a session that ends without it undoes them. */
	stageDisposals = false;
	staged = new Set<string>();
	/** The connection breaks at the next commit, this many times. */
	breakOnCommit = 0;
	/** At the next open the mailbox has a new identity (IMAP UIDVALIDITY): keys get a suffix. */
	renumberOnOpen = false;
	private reset = false;
	/** What each listing returned. */
	listings: string[][] = [];
	fetched: string[] = [];
	private wake?: () => void;

	add(key: string, body = `mail ${key}`) {
		this.mails.set(key, Buffer.from(body));
		this.wake?.();
	}
	async open() {
		this.opens++;
		if (this.failOpen > 0) {
			this.failOpen--;
			throw new MailCasesError('CONNECTION_REFUSED', 'refused');
		}
		if (this.renumberOnOpen) this.renumber();
	}
	private renumber() {
		this.renumberOnOpen = false;
		this.reset = true;
		this.mails = new Map([...this.mails].map(([key, raw]) => [`${key}'`, raw]));
		this.attempts.clear();
	}
	takeReset() {
		const reset = this.reset;
		this.reset = false;
		return reset;
	}
	async listPending(limit: number, exclude: ReadonlySet<string>): Promise<PendingMail[]> {
		if (this.failAfterLogin > 0) {
			this.failAfterLogin--;
			throw new MailCasesError('CONNECTION_LOST', 'dropped after login');
		}
		const listed = [...this.mails.keys()].filter((k) => !exclude.has(k)).slice(0, limit);
		this.listings.push(listed);
		return listed.map((key) => ({ key, size: this.mails.get(key)!.length }));
	}
	attemptsOf(key: string) {
		return this.attempts.get(key) ?? 0;
	}
	async recordAttempts(keys: string[]) {
		const counted = new Map<string, number>();
		for (const key of keys) {
			const n = (this.attempts.get(key) ?? 0) + 1;
			this.attempts.set(key, n);
			counted.set(key, n);
		}
		return counted;
	}
	async fetch(key: string) {
		this.fetched.push(key);
		if (this.refuseFetch.has(key)) throw perMailError(key, `NO FETCH of ${key} refused`);
		if (this.dropOnFetch.has(key))
			throw new MailCasesError(
				'CONNECTION_LOST',
				`server closed the connection on FETCH of ${key}`,
			);
		return this.mails.get(key)!;
	}
	async dispose(key: string, _d: Disposition) {
		if (this.refuseDispose.has(key)) throw perMailError(key, `NO MOVE of ${key} refused`);
		if (this.breakOnDispose) {
			this.breakOnDispose =
				typeof this.breakOnDispose === 'number' && this.breakOnDispose > 1
					? this.breakOnDispose - 1
					: false;
			throw new MailCasesError('CONNECTION_LOST', 'connection broke while removing');
		}
		if (this.renumberOnOpen) {
			// the source reconnects while disposing and finds the new identity (issue #13.6)
			this.renumber();
			throw perMailError(key, `UIDVALIDITY changed, ${key} not touched`, { code: 'CONFLICT' });
		}
		if (!this.mails.has(key))
			throw perMailError(key, `Mail ${key} is not there`, { code: 'NOT_FOUND' });
		if (this.stageDisposals) {
			this.staged.add(key);
			return;
		}
		this.remove(key);
		if (this.breakAfterDispose) {
			this.breakAfterDispose = false;
			throw new MailCasesError('CONNECTION_LOST', 'connection broke before the answer');
		}
	}
	private remove(key: string) {
		this.mails.delete(key);
		this.attempts.delete(key);
		this.disposed.push(key);
	}
	async disposeMany(keys: string[], d: Disposition) {
		if (keys.some((key) => this.refuseDispose.has(key)))
			throw perMailError(keys.join(','), 'NO MOVE of the set refused');
		for (const key of keys) await this.dispose(key, d);
	}
	async quarantine(key: string, reason: string) {
		if (this.refuseQuarantine.has(key))
			throw perMailError(key, `NO MOVE of ${key} to quarantine refused`);
		this.mails.delete(key);
		this.quarantined.set(key, reason);
	}
	async commit() {
		if (this.breakOnCommit > 0) {
			this.breakOnCommit--;
			this.staged.clear(); // the session ended without QUIT: the server undoes the deletions
			throw new MailCasesError('CONNECTION_LOST', 'connection broke at QUIT');
		}
		for (const key of this.staged) this.remove(key);
		this.staged.clear();
	}
	async waitForMail(ms: number, signal: AbortSignal) {
		await new Promise<void>((resolve) => {
			const t = setTimeout(resolve, ms);
			this.wake = () => {
				clearTimeout(t);
				resolve();
			};
			signal.addEventListener('abort', () => this.wake?.(), { once: true });
		});
	}
	async close() {
		this.staged.clear();
	}
}

async function until(check: () => boolean, ms = 30_000) {
	const end = Date.now() + ms;
	while (!check()) {
		if (Date.now() > end) throw new Error('condition not reached in time');
		await new Promise((r) => setTimeout(r, 5));
	}
}

const fast = { retryDelayMs: 1, pollIntervalMs: 20, reconnectInitialMs: 1, reconnectMaxMs: 5 };

describe('intake loop (R-PROC-4, R-PLUS-1)', () => {
	test('processes a backlog in batches and disposes only after success', async () => {
		const source = new MemorySource();
		for (let i = 1; i <= 25; i++) source.add(String(i));
		const batches: string[][] = [];
		const loop = new IntakeLoop(
			source,
			async (batch) => {
				batches.push(batch.map((m) => m.key));
				// Nothing is disposed while the run is in progress.
				for (const m of batch) expect(source.mails.has(m.key)).toBe(true);
				return new Map(batch.map((m) => [m.key, { status: 'done' } as MailOutcome]));
			},
			() => undefined,
			{ ...fast, mailsPerExecution: 10 },
		);
		loop.start();
		await until(() => source.mails.size === 0);
		await loop.stop();
		expect(batches.map((b) => b.length)).toEqual([10, 10, 5]);
		expect(source.disposed).toHaveLength(25);
	});

	test('#13.3 a failed batch leaves its mails; each runs again alone at once, the bad one is quarantined after maxAttempts solo failures', async () => {
		const source = new MemorySource();
		for (const key of ['a', 'bad', 'c']) source.add(key);
		const events: IntakeEvent[] = [];
		const seen: string[][] = [];
		const loop = new IntakeLoop(
			source,
			async (batch: FetchedMail[]) => {
				seen.push(batch.map((m) => m.key));
				const failed = batch.some((m) => m.key === 'bad');
				return new Map(
					batch.map((m) => [
						m.key,
						(failed ? { status: 'failed', reason: 'boom' } : { status: 'done' }) as MailOutcome,
					]),
				);
			},
			(e) => events.push(e),
			{ ...fast, mailsPerExecution: 10, maxAttempts: 3 },
		);
		loop.start();
		await until(() => source.mails.size === 0);
		await loop.stop();
		// The batch, then each of its mails alone at once, then the bad one's retries.
		expect(seen).toEqual([['a', 'bad', 'c'], ['a'], ['bad'], ['c'], ['bad'], ['bad']]);
		expect(source.disposed.sort()).toEqual(['a', 'c']);
		// Three failed solo runs; the batch failure was not counted.
		expect(source.quarantined.get('bad')).toMatch(/^Failed 3 times; last error: boom$/);
		expect(events.some((e) => e.type === 'quarantined' && e.key === 'bad')).toBe(true);
	});

	test('unparseable mail is quarantined at once and does not stop the others', async () => {
		const source = new MemorySource();
		source.add('1');
		source.add('broken');
		source.add('3');
		const loop = new IntakeLoop(
			source,
			async (batch) =>
				new Map(
					batch.map((m) => [
						m.key,
						(m.key === 'broken'
							? { status: 'quarantine', reason: 'MIME broken' }
							: { status: 'done' }) as MailOutcome,
					]),
				),
			() => undefined,
			fast,
		);
		loop.start();
		await until(() => source.mails.size === 0);
		await loop.stop();
		expect(source.quarantined.get('broken')).toBe('MIME broken');
		expect(source.disposed.sort()).toEqual(['1', '3']);
	});

	test('oversized mail is quarantined without being fetched', async () => {
		const source = new MemorySource();
		source.add('big', 'x'.repeat(2000));
		source.add('small');
		const delivered: string[] = [];
		const loop = new IntakeLoop(
			source,
			async (batch) => {
				delivered.push(...batch.map((m) => m.key));
				return new Map(batch.map((m) => [m.key, { status: 'done' } as MailOutcome]));
			},
			() => undefined,
			{ ...fast, maxMessageBytes: 1000 },
		);
		loop.start();
		await until(() => source.mails.size === 0);
		await loop.stop();
		expect(delivered).toEqual(['small']);
		expect(source.quarantined.get('big')).toMatch(/over the limit of 1000 bytes/);
	});

	test('a deliver that throws counts as failure for the whole batch', async () => {
		const source = new MemorySource();
		source.add('x');
		let calls = 0;
		const loop = new IntakeLoop(
			source,
			async (batch) => {
				calls++;
				if (calls === 1) throw new Error('emit failed');
				return new Map(batch.map((m) => [m.key, { status: 'done' } as MailOutcome]));
			},
			() => undefined,
			fast,
		);
		loop.start();
		await until(() => source.mails.size === 0);
		await loop.stop();
		expect(calls).toBe(2);
		expect(source.disposed).toEqual(['x']);
	});

	test('connection failures are retried with backoff and reported, then mail arriving later is processed', async () => {
		const source = new MemorySource();
		source.failOpen = 3;
		const events: IntakeEvent[] = [];
		const loop = new IntakeLoop(
			source,
			async (batch) => new Map(batch.map((m) => [m.key, { status: 'done' } as MailOutcome])),
			(e) => events.push(e),
			fast,
		);
		loop.start();
		await until(() => events.some((e) => e.type === 'connectionRestored'));
		source.add('late');
		await until(() => source.disposed.includes('late'));
		await loop.stop();
		const lost = events.filter((e) => e.type === 'connectionLost');
		expect(lost.map((e) => (e as { attempt: number }).attempt)).toEqual([1, 2, 3]);
		expect(lost.map((e) => (e as { retryInMs: number }).retryInMs)).toEqual([1, 2, 4]);
	});

	test('concurrent executions never get the same mail twice', async () => {
		const source = new MemorySource();
		for (let i = 0; i < 40; i++) source.add(`m${i}`);
		const delivered: string[] = [];
		const loop = new IntakeLoop(
			source,
			async (batch) => {
				delivered.push(...batch.map((m) => m.key));
				await new Promise((r) => setTimeout(r, 10));
				return new Map(batch.map((m) => [m.key, { status: 'done' } as MailOutcome]));
			},
			() => undefined,
			{ ...fast, mailsPerExecution: 3, maxConcurrentExecutions: 4 },
		);
		loop.start();
		await until(() => source.mails.size === 0);
		await loop.stop();
		expect(delivered).toHaveLength(40);
		expect(new Set(delivered).size).toBe(40);
	});
});

const allDone = (batch: FetchedMail[]) =>
	new Map(batch.map((m) => [m.key, { status: 'done' } as MailOutcome]));
const allFailed = (batch: FetchedMail[]) =>
	new Map(batch.map((m) => [m.key, { status: 'failed', reason: 'boom' } as MailOutcome]));

/**
 * Runs "processes" on one mailbox until `finished()`: each is a loop whose run calls `crash()`
 * for a poisonous mail — that run never returns; the process is then given up (as if killed)
 * and a new one starts. Returns how many processes crashed.
 */
async function crashAndRestart(
	source: MemorySource,
	deliver: (batch: FetchedMail[], crash: () => Promise<never>) => Promise<Map<string, MailOutcome>>,
	finished: () => boolean,
	options: Partial<IntakeOptions>,
): Promise<number> {
	for (let crashes = 0; ; crashes++) {
		let hung = false;
		const crash = () => {
			hung = true;
			return new Promise<never>(() => undefined);
		};
		const loop = new IntakeLoop(
			source,
			(batch) => deliver(batch, crash),
			() => undefined,
			options,
		);
		loop.start();
		await until(() => hung || finished());
		if (!hung) {
			await loop.stop();
			return crashes;
		}
	}
}

describe('#11.3 poison mail: attempts counted before the run', () => {
	test('#11.3 the attempt is on the source before the run starts; a failing run is not counted twice', async () => {
		const source = new MemorySource();
		source.add('bad');
		const seenDuringRun: number[] = [];
		const events: IntakeEvent[] = [];
		const loop = new IntakeLoop(
			source,
			async (batch) => {
				seenDuringRun.push(source.attempts.get('bad')!);
				return new Map(
					batch.map((m) => [m.key, { status: 'failed', reason: 'boom' } as MailOutcome]),
				);
			},
			(e) => events.push(e),
			{ ...fast, maxAttempts: 3 },
		);
		loop.start();
		await until(() => source.quarantined.has('bad'));
		await loop.stop();
		// Counted 1, 2, 3 before each run — never twice for one run.
		expect(seenDuringRun).toEqual([1, 2, 3]);
		expect(
			events
				.filter((e) => e.type === 'retryScheduled')
				.map((e) => (e as { attempts: number }).attempts),
		).toEqual([1, 2]);
		expect(source.quarantined.get('bad')).toMatch(/^Failed 3 times; last error: boom$/);
	});

	test('#11.3 a mail whose run never comes back (crash, hang) is quarantined after Max Attempts restarts; the others are processed', async () => {
		const source = new MemorySource();
		for (const key of ['a', 'poison', 'b']) source.add(key);
		const runs: string[][] = [];
		const restarts = await crashAndRestart(
			source,
			async (batch, crash) => {
				runs.push(batch.map((m) => m.key));
				return batch.some((m) => m.key === 'poison') ? await crash() : allDone(batch);
			},
			() => source.mails.size === 0,
			{ ...fast, maxAttempts: 3 },
		);
		expect(restarts).toBe(3);
		expect(runs.filter((r) => r.includes('poison'))).toHaveLength(3);
		expect(source.disposed.sort()).toEqual(['a', 'b']);
		expect(source.quarantined.get('poison')).toMatch(
			/3 runs were started for this mail and the last ended abnormally.*put the mail back/,
		);
		// Quarantined before it was fetched again.
		expect(source.fetched.filter((k) => k === 'poison')).toHaveLength(3);
	});
});

describe('#11.4 per-mail server errors', () => {
	test('#11.4 a FETCH the server refuses for one mail counts against it; the next mails are processed, no reconnect', async () => {
		const source = new MemorySource();
		for (const key of ['1', 'bad', '3', '4']) source.add(key);
		source.refuseFetch.add('bad');
		const events: IntakeEvent[] = [];
		const loop = new IntakeLoop(
			source,
			async (batch) => allDone(batch),
			(e) => events.push(e),
			{ ...fast, maxAttempts: 3 },
		);
		loop.start();
		await until(() => source.mails.size === 0);
		await loop.stop();
		expect(source.disposed.sort()).toEqual(['1', '3', '4']);
		expect(source.quarantined.get('bad')).toMatch(
			/^Failed 3 times; last error: NO FETCH of bad refused$/,
		);
		expect(source.fetched.filter((k) => k === 'bad')).toHaveLength(3);
		expect(events.some((e) => e.type === 'connectionLost')).toBe(false);
	});

	test('#11.4 a mail whose FETCH ends the session waits its retry delay: the mails behind it go first; quarantined after Max Attempts', async () => {
		const source = new MemorySource();
		for (const key of ['bad', '2', '3']) source.add(key);
		source.dropOnFetch.add('bad');
		const events: IntakeEvent[] = [];
		const loop = new IntakeLoop(
			source,
			async (batch) => allDone(batch),
			(e) => events.push(e),
			{ ...fast, retryDelayMs: 20, maxAttempts: 3 },
		);
		loop.start();
		await until(() => source.mails.size === 0);
		await loop.stop();
		expect(source.disposed.sort()).toEqual(['2', '3']);
		expect(source.quarantined.get('bad')).toMatch(
			/^Failed 3 times; last error: The connection was lost while fetching it: server closed the connection on FETCH of bad$/,
		);
		expect(source.fetched.filter((k) => k === 'bad')).toHaveLength(3);
		expect(events.filter((e) => e.type === 'connectionLost')).toHaveLength(3);
	});

	test('#11.4 a lost connection while fetching one mail of a batch charges no attempt to the others', async () => {
		const source = new MemorySource();
		for (const key of ['1', '2', 'bad', '4']) source.add(key);
		source.dropOnFetch.add('bad');
		const ranWith = new Map<string, number>();
		const loop = new IntakeLoop(
			source,
			async (batch) => {
				for (const mail of batch) ranWith.set(mail.key, mail.attempts);
				return allDone(batch);
			},
			() => undefined,
			{ ...fast, retryDelayMs: 20, maxAttempts: 3 },
		);
		loop.start();
		await until(() => source.mails.size === 0);
		await loop.stop();
		// '1' and '2' were read before the connection broke, then read again: their one run is their first attempt
		expect(ranWith.get('1')).toBe(1);
		expect(ranWith.get('2')).toBe(1);
		expect(ranWith.get('4')).toBe(1);
		expect(source.quarantined.get('bad')).toMatch(
			/^Failed 3 times; last error: The connection was lost while fetching it/,
		);
	});

	test('#11.4 a MOVE/STORE refused after a successful run: that mail only is set aside and never run again (no second run)', async () => {
		const source = new MemorySource();
		for (const key of ['1', 'stuck', '3']) source.add(key);
		source.refuseDispose.add('stuck');
		const events: IntakeEvent[] = [];
		const loop = new IntakeLoop(
			source,
			async (batch) => allDone(batch),
			(e) => events.push(e),
			{ ...fast, maxAttempts: 2 },
		);
		loop.start();
		await until(() => source.quarantined.has('stuck'));
		await loop.stop();
		expect(source.disposed.sort()).toEqual(['1', '3']);
		expect(source.quarantined.get('stuck')).toMatch(
			/^Processed successfully, but the server refused to remove it \(NO MOVE of stuck refused\); it is not run again/,
		);
		expect(source.fetched.filter((k) => k === 'stuck')).toHaveLength(1);
		expect(events.some((e) => e.type === 'connectionLost')).toBe(false);
		expect(
			events
				.filter((e) => e.type === 'processed')
				.map((e) => (e as { key: string }).key)
				.sort(),
		).toEqual(['1', '3']);
	});

	test('#11.4 a processed mail the server will neither remove nor quarantine is not run again by this process', async () => {
		const source = new MemorySource();
		source.add('stuck');
		source.refuseDispose.add('stuck');
		source.refuseQuarantine.add('stuck');
		const events: IntakeEvent[] = [];
		const loop = new IntakeLoop(
			source,
			async (batch) => allDone(batch),
			(e) => events.push(e),
			{ ...fast, retryDelayMs: 1, maxAttempts: 5 },
		);
		loop.start();
		await until(() => events.some((e) => e.type === 'retryScheduled' && e.key === 'stuck'));
		// later mail is still processed, and the loop looks at the mailbox again meanwhile
		source.add('later');
		await until(() => source.disposed.includes('later'));
		source.add('later2');
		await until(() => source.disposed.includes('later2'));
		await loop.stop();
		expect(source.fetched.filter((k) => k === 'stuck')).toHaveLength(1);
	});

	test('#11.4 a mail the server refuses to quarantine is left alone (retry scheduled), not tried at every look', async () => {
		const source = new MemorySource();
		source.add('bad');
		source.add('good');
		source.refuseFetch.add('bad');
		source.refuseQuarantine.add('bad');
		const events: IntakeEvent[] = [];
		const loop = new IntakeLoop(
			source,
			async (batch) => allDone(batch),
			(e) => events.push(e),
			{ ...fast, retryDelayMs: 60_000, maxAttempts: 1 },
		);
		loop.start();
		await until(() => source.disposed.includes('good'));
		await loop.stop();
		const retries = events.filter((e) => e.type === 'retryScheduled' && e.key === 'bad');
		expect(retries).toHaveLength(1);
		expect((retries[0] as { reason: string }).reason).toMatch(
			/Could not be quarantined .*NO MOVE of bad to quarantine refused/,
		);
		expect(source.fetched.filter((k) => k === 'bad')).toHaveLength(1);
	});

	test('#11.4 reconnect backoff keeps growing while the connection fails right after each login; the outage ends with one restore event', async () => {
		const source = new MemorySource();
		source.failAfterLogin = 6;
		const events: IntakeEvent[] = [];
		const loop = new IntakeLoop(
			source,
			async (batch) => allDone(batch),
			(e) => events.push(e),
			{ ...fast, reconnectInitialMs: 1, reconnectMaxMs: 1000 },
		);
		loop.start();
		await until(() => events.some((e) => e.type === 'connectionRestored'));
		source.add('after');
		await until(() => source.disposed.includes('after'));
		await loop.stop();
		const lost = events.filter((e) => e.type === 'connectionLost') as Array<{
			attempt: number;
			retryInMs: number;
		}>;
		expect(lost.map((e) => e.attempt)).toEqual([1, 2, 3, 4, 5, 6]);
		expect(lost.map((e) => e.retryInMs)).toEqual([1, 2, 4, 8, 16, 32]);
		expect(events.filter((e) => e.type === 'connectionRestored')).toHaveLength(1);
	});

	test('#11.4 #13.5 a connection that breaks while a run is settled is reconnected with backoff (attempt 1, not a silent immediate retry); the mail is then disposed of without a second run', async () => {
		const source = new MemorySource();
		source.add('m');
		source.breakOnDispose = true;
		const { loop, runs, events } = recordingLoop(source);
		await until(() => source.disposed.includes('m'));
		await loop.stop();
		const lost = events.filter((e) => e.type === 'connectionLost') as Array<{
			attempt: number;
			retryInMs: number;
			error: Error;
		}>;
		expect(lost.map((e) => [e.attempt, e.retryInMs, e.error.message])).toEqual([
			[1, 1, 'connection broke while removing'],
		]);
		expect(runs).toEqual([['m']]);
	});

	test('#11.4 the backoff starts over once the connection stayed up for healthyAfterMs', async () => {
		const source = new MemorySource();
		source.failAfterLogin = 3;
		const events: IntakeEvent[] = [];
		const loop = new IntakeLoop(
			source,
			async (batch) => allDone(batch),
			(e) => events.push(e),
			{ ...fast, healthyAfterMs: 0 },
		);
		loop.start();
		await until(() => events.some((e) => e.type === 'connectionRestored'));
		await loop.stop();
		const lost = events.filter((e) => e.type === 'connectionLost') as Array<{ attempt: number }>;
		expect(lost.map((e) => e.attempt)).toEqual([1, 1, 1]);
	});
});

const failIf = (bad: (key: string) => boolean) => async (batch: FetchedMail[]) => {
	const failed = batch.some((m) => bad(m.key));
	return new Map(
		batch.map((m) => [
			m.key,
			(failed ? { status: 'failed', reason: 'boom' } : { status: 'done' }) as MailOutcome,
		]),
	);
};

/** A started loop that records each run (keys, attempts) and every event. */
function recordingLoop(
	source: MemorySource,
	options: Partial<IntakeOptions> = fast,
	deliver: Deliver = async (batch) => allDone(batch),
) {
	const runs: string[][] = [];
	const attempts: number[][] = [];
	const events: IntakeEvent[] = [];
	const loop = new IntakeLoop(
		source,
		async (batch, trace) => {
			runs.push(batch.map((m) => m.key));
			attempts.push(batch.map((m) => m.attempts));
			return await deliver(batch, trace);
		},
		(e) => events.push(e),
		options,
	);
	loop.start();
	const keysOf = (type: IntakeEvent['type']) =>
		events.filter((e) => e.type === type).map((e) => (e as { key: string }).key);
	return { loop, runs, attempts, events, keysOf };
}

describe('#13.3 batch failure isolation', () => {
	test('#13.3 a batch of 10 with one failing mail: the nine run alone at once (no retry delay) and are disposed of; only the failing one is charged an attempt and backs off', async () => {
		const source = new MemorySource();
		const keys = Array.from({ length: 10 }, (_, i) => (i === 4 ? 'bad' : `ok${i}`));
		for (const key of keys) source.add(key);
		// A retry delay far longer than the test: only immediate solo runs can dispose of the nine.
		const { loop, runs, attempts, events, keysOf } = recordingLoop(
			source,
			{ ...fast, mailsPerExecution: 10, retryDelayMs: 600_000 },
			failIf((key) => key === 'bad'),
		);
		await until(() => events.some((e) => e.type === 'retryScheduled'));
		await until(() => source.disposed.length === 9);
		await loop.stop();
		const nine = keys.filter((k) => k !== 'bad');
		expect(runs).toEqual([keys, ...keys.map((key) => [key])]);
		// Each solo run is covered by the attempt counted for the batch (not counted again).
		expect(attempts).toEqual([keys.map(() => 1), ...keys.map(() => [1])]);
		expect(source.disposed.sort()).toEqual(nine.sort());
		expect(events.filter((e) => e.type === 'retryScheduled')).toEqual([
			{ type: 'retryScheduled', key: 'bad', attempts: 1, retryInMs: 600_000, reason: 'boom' },
		]);
		expect(source.attempts.get('bad')).toBe(1);
		expect(keysOf('processed').sort()).toEqual(nine.sort());
		expect(events.filter((e) => e.type === 'batchFailed')).toEqual([
			{ type: 'batchFailed', keys, reason: 'boom' },
		]);
	});

	test('#13.3 a run of one mail that fails is charged at once (no second solo run)', async () => {
		const source = new MemorySource();
		source.add('only');
		const { loop, runs, events } = recordingLoop(
			source,
			{ ...fast, retryDelayMs: 600_000 },
			failIf(() => true),
		);
		await until(() => events.some((e) => e.type === 'retryScheduled'));
		await loop.stop();
		expect(runs).toEqual([['only']]);
		expect(source.attempts.get('only')).toBe(1);
	});

	test('#13.3 only the mails of the failed run go alone: a skipped or unparseable mail of the batch is settled as it was', async () => {
		const source = new MemorySource();
		for (const key of ['a', 'skipped', 'b', 'broken']) source.add(key);
		const { loop, runs } = recordingLoop(
			source,
			{ ...fast, retryDelayMs: 600_000 },
			async (batch) => {
				const emitted = batch.filter((m) => m.key === 'a' || m.key === 'b');
				const outcomes = new Map<string, MailOutcome>();
				for (const m of batch) {
					if (m.key === 'skipped') outcomes.set(m.key, { status: 'done' });
					else if (m.key === 'broken')
						outcomes.set(m.key, { status: 'quarantine', reason: 'MIME broken' });
					else
						outcomes.set(
							m.key,
							emitted.length > 1 ? { status: 'failed', reason: 'boom' } : { status: 'done' },
						);
				}
				return outcomes;
			},
		);
		await until(() => source.mails.size === 0);
		await loop.stop();
		expect(runs).toEqual([['a', 'skipped', 'b', 'broken'], ['a'], ['b']]);
		expect(source.disposed.sort()).toEqual(['a', 'b', 'skipped']);
		expect(source.quarantined.get('broken')).toBe('MIME broken');
	});

	test('#13.3 crash safety: a mail whose solo run after a failed batch kills n8n every time is quarantined after Max Attempts crashes', async () => {
		const source = new MemorySource();
		for (const key of ['a', 'poison']) source.add(key);
		const runs: Array<[string[], number]> = [];
		const crashes = await crashAndRestart(
			source,
			async (batch, crash) => {
				runs.push([batch.map((m) => m.key), source.attempts.get(batch[0].key) ?? 0]);
				if (batch.length > 1) return failIf(() => true)(batch);
				return batch[0].key === 'poison' ? await crash() : allDone(batch);
			},
			() => source.quarantined.has('poison'),
			{ ...fast, maxAttempts: 3 },
		);
		expect(crashes).toBe(3);
		// The batch (counted 1), the solo re-run covered by it (crash 1), then one counted run per
		// restart (crashes 2 and 3); the next process quarantines it before running it again.
		expect(runs).toEqual([
			[['a', 'poison'], 1],
			[['a'], 1],
			[['poison'], 1],
			[['poison'], 2],
			[['poison'], 3],
		]);
		expect(source.disposed).toEqual(['a']);
		expect(source.quarantined.get('poison')).toMatch(/3 runs were started for this mail/);
	});

	test('#13.3 stopping during the solo runs leaves the rest for the next start (no run after stop)', async () => {
		const source = new MemorySource();
		for (const key of ['a', 'b', 'c']) source.add(key);
		let release: () => void = () => undefined;
		const { loop, runs } = recordingLoop(source, fast, async (batch) => {
			if (batch.length > 1) return failIf(() => true)(batch);
			await new Promise<void>((r) => (release = r));
			return allDone(batch);
		});
		await until(() => runs.length === 2);
		const stopping = loop.stop();
		release();
		await stopping;
		expect(runs).toEqual([['a', 'b', 'c'], ['a']]);
		expect(source.disposed).toEqual(['a']);
		expect([...source.mails.keys()]).toEqual(['b', 'c']);
	});
});

describe('#13.5 exactly once across connection losses', () => {
	test('#13.5 the connection breaks at the disposal, and again at its first retry: disposed of after the second reconnect, never listed or run again', async () => {
		const source = new MemorySource();
		source.add('m');
		source.breakOnDispose = 2;
		const { loop, runs, events, keysOf } = recordingLoop(source);
		await until(() => source.disposed.includes('m'));
		source.add('later');
		await until(() => source.disposed.includes('later'));
		await loop.stop();
		expect(runs).toEqual([['m'], ['later']]);
		expect(events.filter((e) => e.type === 'connectionLost')).toHaveLength(2);
		expect(source.listings.filter((listed) => listed.includes('m'))).toEqual([['m']]);
		expect(keysOf('processed')).toEqual(['m', 'later']);
	});

	test('#13.5 POP3-like: the session breaks at QUIT (the server undoes DELE): after the reconnect the mail is deleted by its key and committed, without a second run', async () => {
		const source = new MemorySource();
		source.stageDisposals = true;
		source.breakOnCommit = 1;
		for (const key of ['u1', 'u2']) source.add(key);
		const { loop, runs, events, keysOf } = recordingLoop(source);
		await until(() => source.mails.size === 0);
		await loop.stop();
		expect(runs).toEqual([['u1', 'u2']]);
		expect(source.disposed).toEqual(['u1', 'u2']);
		expect(events.filter((e) => e.type === 'connectionLost')).toHaveLength(1);
		expect(keysOf('processed')).toEqual(['u1', 'u2']);
	});

	test('#13.5 a disposal that went through but whose answer was lost: the retry finds the mail gone, which is success (no quarantine, one processed event)', async () => {
		const source = new MemorySource();
		source.add('m');
		source.breakAfterDispose = true;
		const { loop, runs, events } = recordingLoop(source);
		await until(() => events.some((e) => e.type === 'processed'));
		await loop.stop();
		expect(runs).toEqual([['m']]);
		expect(source.quarantined.size).toBe(0);
		expect(events.filter((e) => e.type === 'processed')).toEqual([{ type: 'processed', key: 'm' }]);
	});

	test.each([
		['at the reconnect after the broken disposal', 'dispose'],
		['during the run (found when the run is settled)', 'run'],
		['found by the source while disposing (per-mail CONFLICT)', 'source'],
	])(
		'#13.5 the mailbox identity changed (UIDVALIDITY) %s: the key is void, nothing is disposed of under it; the mail comes again under its new key',
		async (_when, where) => {
			const source = new MemorySource();
			source.add('7');
			source.breakOnDispose = where === 'dispose';
			const disposeCalls: string[] = [];
			const dispose = source.dispose.bind(source);
			source.dispose = async (key, d) => {
				disposeCalls.push(key);
				if (key === '7') source.renumberOnOpen = true; // the folder is recreated meanwhile
				return await dispose(key, d);
			};
			const { loop, runs, keysOf } = recordingLoop(source, fast, async (batch) => {
				if (where === 'run' && batch[0].key === '7') source.renumberOnOpen = true;
				return allDone(batch);
			});
			await until(() => source.disposed.length === 1);
			await loop.stop();
			expect(runs).toEqual([['7'], ["7'"]]);
			// '7' is never disposed of (nor quarantined) under the new identity
			expect(disposeCalls).toEqual(where === 'run' ? ["7'"] : ['7', "7'"]);
			expect(source.disposed).toEqual(["7'"]);
			expect(source.quarantined.size).toBe(0);
			expect(keysOf('processed')).toEqual(["7'"]);
			expect(keysOf('quarantined')).toEqual([]);
			expect(keysOf('keyVoided')).toEqual(['7']);
		},
	);
});

describe('#17.1 phase timestamps', () => {
	test('one record per batch with every phase, in order, for the mails of that batch', async () => {
		const source = new MemorySource();
		for (let i = 1; i <= 5; i++) source.add(String(i));
		const records: PhaseRecord[] = [];
		const { loop, runs } = recordingLoop(
			source,
			{ ...fast, mailsPerExecution: 3, phaseSink: (record) => records.push(record) },
			async (batch, trace) => {
				trace.mark('parse');
				trace.mark('emit');
				trace.mark('run');
				return allDone(batch);
			},
		);
		await until(() => source.mails.size === 0 && records.length === 2);
		await loop.stop();
		expect(runs).toEqual([
			['1', '2', '3'],
			['4', '5'],
		]);
		expect(records.map((r) => r.keys)).toEqual(runs);
		for (const record of records) {
			expect(Object.keys(record.at).sort()).toEqual([...PHASES].sort());
			const ordered = ['list', 'fetch', 'parse', 'emit', 'run', 'dispose', 'commit'] as const;
			const times = ordered.map((phase) => record.at[phase]!);
			expect(times).toEqual([...times].sort((a, b) => a - b));
			expect(times[0]).toBeGreaterThanOrEqual(record.startedAt);
		}
		expect(formatPhases(records[1])).toMatch(
			/^batch of 2 \(4\.\.5\) from \d{4}-\d\d-\d\dT[\d:.]+Z: list \+[\d.]+ ms, fetch \+[\d.]+ ms, parse \+[\d.]+ ms, count \+[\d.]+ ms, emit \+[\d.]+ ms, run \+[\d.]+ ms, dispose \+[\d.]+ ms, commit \+[\d.]+ ms$/,
		);
	});

	test('a failed batch: its record ends at the settling of the rest; each solo re-run has its own', async () => {
		const source = new MemorySource();
		for (const key of ['a', 'bad']) source.add(key);
		const records: PhaseRecord[] = [];
		const { loop } = recordingLoop(
			source,
			{ ...fast, maxAttempts: 1, phaseSink: (record) => records.push(record) },
			async (batch) =>
				batch.length > 1 || batch[0].key === 'bad' ? allFailed(batch) : allDone(batch),
		);
		await until(() => source.mails.size === 0 && records.length === 3);
		await loop.stop();
		expect(records.map((r) => r.keys)).toEqual([['a', 'bad'], ['a'], ['bad']]);
		expect(records[1].at.dispose).toBeDefined();
		expect(records[2].at.dispose).toBeUndefined(); // quarantined, not disposed of
	});

	test('switched on by MAIL_CASES_TRACE_PHASES=1 only', () => {
		expect(tracePhasesEnabled({ MAIL_CASES_TRACE_PHASES: '1' })).toBe(true);
		expect(tracePhasesEnabled({ MAIL_CASES_TRACE_PHASES: '0' })).toBe(false);
		expect(tracePhasesEnabled({})).toBe(false);
	});

	test('no sink: nothing recorded, the loop runs as before', async () => {
		const source = new MemorySource();
		source.add('x');
		const { loop } = recordingLoop(source, fast, async (batch, trace) => {
			trace.mark('parse');
			return allDone(batch);
		});
		await until(() => source.mails.size === 0);
		await loop.stop();
	});
});
