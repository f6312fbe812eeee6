import {
	IntakeLoop,
	type FetchedMail,
	type IntakeEvent,
	type MailOutcome,
} from '../../../lib/intake/intake-loop';
import type { Disposition, MailSource, PendingMail } from '../../../lib/intake/mail-source';
import { MailCasesError } from '../../../lib/errors';
import { perMailError } from '../../../lib/intake/mail-error';

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
	/** The connection breaks at the next disposal (after a successful run). */
	breakOnDispose = false;
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
	}
	async listPending(limit: number, exclude: ReadonlySet<string>): Promise<PendingMail[]> {
		if (this.failAfterLogin > 0) {
			this.failAfterLogin--;
			throw new MailCasesError('CONNECTION_LOST', 'dropped after login');
		}
		return [...this.mails.keys()]
			.filter((k) => !exclude.has(k))
			.slice(0, limit)
			.map((key) => ({ key, size: this.mails.get(key)!.length }));
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
			this.breakOnDispose = false;
			throw new MailCasesError('CONNECTION_LOST', 'connection broke while removing');
		}
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
	async commit() {}
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
	async close() {}
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

	test('a failed batch leaves its mails; each is retried alone, the bad one is quarantined after maxAttempts', async () => {
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
		expect(seen[0]).toEqual(['a', 'bad', 'c']);
		// After the first failure every mail of the batch comes back alone.
		expect(seen.slice(1).every((b) => b.length === 1)).toBe(true);
		expect(source.disposed.sort()).toEqual(['a', 'c']);
		expect(source.quarantined.get('bad')).toMatch(/Failed 3 times; last error: boom/);
		expect(seen.filter((b) => b.includes('bad'))).toHaveLength(3);
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
		let restarts = 0;
		// Each "process" is a loop whose run of the poison mail never returns; the process is then
		// given up (as if killed) and a new one starts on the same mailbox.
		for (;;) {
			let hung = false;
			const loop = new IntakeLoop(
				source,
				async (batch) => {
					runs.push(batch.map((m) => m.key));
					if (batch.some((m) => m.key === 'poison')) {
						hung = true;
						return await new Promise<Map<string, MailOutcome>>(() => undefined);
					}
					return allDone(batch);
				},
				() => undefined,
				{ ...fast, maxAttempts: 3 },
			);
			loop.start();
			await until(() => hung || source.mails.size === 0);
			if (!hung) {
				await loop.stop();
				break;
			}
			restarts++;
		}
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

	test('#11.4 a connection that breaks while a run is settled is reconnected with backoff (attempt 1, not a silent immediate retry); the mail comes again', async () => {
		const source = new MemorySource();
		source.add('m');
		source.breakOnDispose = true;
		const events: IntakeEvent[] = [];
		let runs = 0;
		const loop = new IntakeLoop(
			source,
			async (batch) => {
				runs++;
				return allDone(batch);
			},
			(e) => events.push(e),
			fast,
		);
		loop.start();
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
		expect(runs).toBe(2);
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
