import { IntakeLoop, type FetchedMail, type IntakeEvent, type MailOutcome } from '../../../lib/intake/intake-loop';
import type { Disposition, MailSource, PendingMail } from '../../../lib/intake/mail-source';
import { MailCasesError } from '../../../lib/errors';

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
	opens = 0;
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
		return [...this.mails.keys()].filter((k) => !exclude.has(k)).slice(0, limit).map((key) => ({ key, size: this.mails.get(key)!.length }));
	}
	attemptsOf(key: string) {
		return this.attempts.get(key) ?? 0;
	}
	async recordAttempt(key: string) {
		const n = (this.attempts.get(key) ?? 0) + 1;
		this.attempts.set(key, n);
		return n;
	}
	async fetch(key: string) {
		return this.mails.get(key)!;
	}
	async dispose(key: string, _d: Disposition) {
		this.mails.delete(key);
		this.disposed.push(key);
	}
	async quarantine(key: string, reason: string) {
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

async function until(check: () => boolean, ms = 5000) {
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
				return new Map(batch.map((m) => [m.key, (failed ? { status: 'failed', reason: 'boom' } : { status: 'done' }) as MailOutcome]));
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
				new Map(batch.map((m) => [m.key, (m.key === 'broken' ? { status: 'quarantine', reason: 'MIME broken' } : { status: 'done' }) as MailOutcome])),
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
		expect(source.attempts.get('x')).toBe(1);
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
