import { MailCasesError } from '../errors';
import { DEFAULT_INTAKE_OPTIONS, retryDelay, type IntakeOptions } from './intake-options';
import type { MailSource } from './mail-source';

/** A mail fetched from the source, handed to the deliver callback. */
export interface FetchedMail {
	key: string;
	raw: Buffer;
	/** Failed attempts so far (0 for a fresh mail). */
	attempts: number;
}

/**
 * What became of each mail of a batch. `done`: the run succeeded (or the mail was skipped on
 * purpose) → disposition. `failed`: the run failed → retried, then quarantined.
 * `quarantine`: the mail cannot be processed at all (unparseable) → quarantined at once.
 */
export type MailOutcome = { status: 'done' } | { status: 'failed'; reason: string } | { status: 'quarantine'; reason: string };

export type Deliver = (batch: FetchedMail[]) => Promise<Map<string, MailOutcome>>;

export type IntakeEvent =
	| { type: 'connectionLost'; error: MailCasesError; attempt: number; retryInMs: number }
	| { type: 'connectionRestored'; downMs: number }
	| { type: 'quarantined'; key: string; reason: string }
	| { type: 'retryScheduled'; key: string; attempts: number; retryInMs: number; reason: string }
	| { type: 'processed'; key: string };

function asError(error: unknown): MailCasesError {
	if (error instanceof MailCasesError) return error;
	return new MailCasesError('INTERNAL', error instanceof Error ? error.message : String(error), { cause: error });
}

/**
 * The mailbox loop behind the trigger (R-PROC-4, R-PLUS-1): lists waiting mails in bounded
 * batches, hands them to `deliver`, and only after `deliver` reports success disposes of them.
 * A failed batch leaves its mails on the server; each is then retried alone with backoff and
 * quarantined after `maxAttempts`. Connection losses are retried with backoff and reported.
 */
export class IntakeLoop {
	private readonly options: IntakeOptions;
	private stopped = false;
	private readonly abort = new AbortController();
	private readonly inFlight = new Map<Promise<void>, string[]>();
	private readonly notBefore = new Map<string, number>();
	private running?: Promise<void>;
	private downSince?: number;
	private reconnectAttempt = 0;

	constructor(
		private readonly source: MailSource,
		private readonly deliver: Deliver,
		private readonly onEvent: (event: IntakeEvent) => void,
		options: Partial<IntakeOptions> = {},
	) {
		this.options = { ...DEFAULT_INTAKE_OPTIONS, ...options };
	}

	start(): void {
		this.running ??= this.run();
	}

	/** Stops looking for mail, waits for running executions (up to `graceMs`), closes the source. */
	async stop(graceMs = 30_000): Promise<void> {
		this.stopped = true;
		this.abort.abort();
		const pending = [...this.inFlight.keys()];
		if (pending.length) {
			const grace = new AbortController();
			await Promise.race([Promise.allSettled(pending), sleep(graceMs, grace.signal)]);
			grace.abort(); // clears the timer: a stopped loop holds no timer open
		}
		await this.running?.catch(() => undefined);
		await this.source.close().catch(() => undefined);
	}

	private inFlightKeys(): Set<string> {
		const keys = new Set<string>();
		for (const list of this.inFlight.values()) for (const key of list) keys.add(key);
		const now = Date.now();
		for (const [key, until] of this.notBefore) {
			if (until > now) keys.add(key);
			else this.notBefore.delete(key);
		}
		return keys;
	}

	private async run(): Promise<void> {
		while (!this.stopped) {
			try {
				await this.source.open();
				if (this.source.takeReset?.()) this.notBefore.clear();
				if (this.downSince !== undefined) {
					this.onEvent({ type: 'connectionRestored', downMs: Date.now() - this.downSince });
					this.downSince = undefined;
				}
				this.reconnectAttempt = 0;
				const started = await this.fill();
				if (this.stopped) break;
				if (this.inFlight.size) {
					await Promise.race(this.inFlight.keys());
				} else if (!started) {
					await this.source.waitForMail(this.nextWakeMs(), this.abort.signal);
				}
			} catch (error) {
				if (this.stopped) break;
				await this.onConnectionError(asError(error));
			}
		}
	}

	/** Starts executions until the concurrency limit; returns true when it started any. */
	private async fill(): Promise<boolean> {
		let started = false;
		while (!this.stopped && this.inFlight.size < this.options.maxConcurrentExecutions) {
			const pending = await this.source.listPending(this.options.listBatch, this.inFlightKeys());
			if (!pending.length) break;
			const batch: FetchedMail[] = [];
			for (const mail of pending) {
				const attempts = this.source.attemptsOf?.(mail.key) ?? 0;
				if (mail.size > this.options.maxMessageBytes) {
					await this.quarantine(mail.key, `Message is ${mail.size} bytes, over the limit of ${this.options.maxMessageBytes} bytes`);
					continue;
				}
				if (attempts >= this.options.maxAttempts) {
					await this.quarantine(mail.key, `Failed ${attempts} times`);
					continue;
				}
				// A mail that failed before is retried alone, so it cannot hold others back.
				if (attempts > 0) {
					if (batch.length) break;
					batch.push({ key: mail.key, raw: await this.source.fetch(mail.key), attempts });
					break;
				}
				batch.push({ key: mail.key, raw: await this.source.fetch(mail.key), attempts });
				if (batch.length >= this.options.mailsPerExecution) break;
			}
			if (!batch.length) {
				await this.source.commit();
				continue;
			}
			this.launch(batch);
			started = true;
		}
		return started;
	}

	private launch(batch: FetchedMail[]): void {
		const keys = batch.map((m) => m.key);
		const task = (async () => {
			let outcomes: Map<string, MailOutcome>;
			try {
				outcomes = await this.deliver(batch);
			} catch (error) {
				const reason = asError(error).message;
				outcomes = new Map(keys.map((key) => [key, { status: 'failed', reason } as MailOutcome]));
			}
			await this.settle(batch, outcomes);
		})();
		const tracked = task.finally(() => this.inFlight.delete(tracked));
		this.inFlight.set(tracked, keys);
	}

	private async settle(batch: FetchedMail[], outcomes: Map<string, MailOutcome>): Promise<void> {
		try {
			const done = batch.filter((mail) => outcomes.get(mail.key)?.status === 'done').map((mail) => mail.key);
			if (done.length > 1 && this.source.disposeMany) {
				await this.source.disposeMany(done, this.options.disposition);
			} else {
				for (const key of done) await this.source.dispose(key, this.options.disposition);
			}
			for (const key of done) this.onEvent({ type: 'processed', key });
			for (const mail of batch) {
				const outcome = outcomes.get(mail.key) ?? { status: 'failed', reason: 'No result for this mail' };
				if (outcome.status === 'done') continue;
				if (outcome.status === 'quarantine') {
					await this.quarantine(mail.key, outcome.reason);
					continue;
				}
				const attempts = (await this.source.recordAttempt?.(mail.key)) ?? mail.attempts + 1;
				if (attempts >= this.options.maxAttempts) {
					await this.quarantine(mail.key, `Failed ${attempts} times; last error: ${outcome.reason}`);
				} else {
					const wait = retryDelay(this.options, attempts);
					this.notBefore.set(mail.key, Date.now() + wait);
					this.onEvent({ type: 'retryScheduled', key: mail.key, attempts, retryInMs: wait, reason: outcome.reason });
				}
			}
			await this.source.commit();
		} catch (error) {
			// The connection broke while settling: the mails stay on the server and come again;
			// the run loop notices the broken connection and reconnects.
			await this.source.close().catch(() => undefined);
			if (!this.stopped) this.onEvent({ type: 'connectionLost', error: asError(error), attempt: 0, retryInMs: 0 });
		}
	}

	private async quarantine(key: string, reason: string): Promise<void> {
		await this.source.quarantine(key, reason);
		this.onEvent({ type: 'quarantined', key, reason });
	}

	private nextWakeMs(): number {
		let wait = this.options.pollIntervalMs;
		const now = Date.now();
		for (const until of this.notBefore.values()) wait = Math.min(wait, Math.max(until - now, 50));
		return wait;
	}

	private async onConnectionError(error: MailCasesError): Promise<void> {
		this.downSince ??= Date.now();
		this.reconnectAttempt++;
		const wait = Math.min(this.options.reconnectInitialMs * 2 ** (this.reconnectAttempt - 1), this.options.reconnectMaxMs);
		this.onEvent({ type: 'connectionLost', error, attempt: this.reconnectAttempt, retryInMs: wait });
		await this.source.close().catch(() => undefined);
		await sleep(wait, this.abort.signal);
	}
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
	return new Promise((resolve) => {
		const timer = setTimeout(done, ms);
		signal?.addEventListener('abort', done, { once: true });
		function done() {
			clearTimeout(timer);
			signal?.removeEventListener('abort', done);
			resolve();
		}
	});
}
