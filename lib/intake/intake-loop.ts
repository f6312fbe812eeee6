import { MailCasesError } from '../errors';
import { DEFAULT_INTAKE_OPTIONS, retryDelay, type IntakeOptions } from './intake-options';
import { isPerMailError } from './mail-error';
import type { Disposition, MailSource, PendingMail, QuarantineKind } from './mail-source';

/** A mail fetched from the source, handed to the deliver callback. */
export interface FetchedMail {
	key: string;
	raw: Buffer;
	/** Attempts started for this mail, this one included (1 for a fresh mail). */
	attempts: number;
}

/**
 * What became of each mail of a batch. `done`: the run succeeded (or the mail was skipped on
 * purpose) → disposition. `failed`: the run failed → retried, then quarantined.
 * `quarantine`: the mail cannot be processed at all (unparseable) → quarantined at once.
 */
export type MailOutcome =
	/** `disposition`: overrides the trigger's disposition for this mail (e.g. skipped mail). */
	| { status: 'done'; disposition?: Disposition }
	| { status: 'failed'; reason: string }
	| { status: 'quarantine'; reason: string; kind?: QuarantineKind };

/** What is known of a quarantined mail for its report: its size, and its bytes when read. */
export interface QuarantineInfo {
	kind: QuarantineKind;
	size?: number;
	raw?: Buffer;
}

export type Deliver = (batch: FetchedMail[]) => Promise<Map<string, MailOutcome>>;

export type IntakeEvent =
	| { type: 'connectionLost'; error: MailCasesError; attempt: number; retryInMs: number }
	| { type: 'connectionRestored'; downMs: number }
	| {
			type: 'quarantined';
			key: string;
			reason: string;
			kind: QuarantineKind;
			size?: number;
			raw?: Buffer;
	  }
	| { type: 'retryScheduled'; key: string; attempts: number; retryInMs: number; reason: string }
	| { type: 'processed'; key: string };

function asError(error: unknown): MailCasesError {
	if (error instanceof MailCasesError) return error;
	return new MailCasesError('INTERNAL', error instanceof Error ? error.message : String(error), {
		cause: error,
	});
}

/** Why a mail whose earlier runs never came back is quarantined before it is run again. */
export function abnormalEndReason(attempts: number): string {
	return (
		`Quarantined before run ${attempts + 1}: ${attempts} runs were started for this mail and the last ended abnormally, without a result ` +
		'(n8n crashed, was killed, or hung — a blocked event loop also stops the execution timeout — until it was restarted). ' +
		'Look in the n8n log for what ended the process (out of memory, a node that blocks), fix it, then put the mail back into the mailbox folder to process it again.'
	);
}

/**
 * The mailbox loop behind the trigger (R-PROC-4, R-PLUS-1): lists waiting mails in bounded
 * batches, hands them to `deliver`, and only after `deliver` reports success disposes of them.
 * Every attempt is counted on the server before the run starts (issue #11.3), so a mail whose
 * run crashes or hangs n8n is quarantined after `maxAttempts` restarts. A failed batch leaves its
 * mails on the server; each is then retried alone with backoff and quarantined after
 * `maxAttempts`. A server error for one mail (issue #11.4) counts against that mail; connection
 * losses are retried with a backoff that keeps growing until the connection stays healthy.
 */
export class IntakeLoop {
	private readonly options: IntakeOptions;
	private stopped = false;
	private readonly abort = new AbortController();
	private readonly inFlight = new Map<Promise<void>, string[]>();
	private readonly notBefore = new Map<string, number>();
	/** Last failure per mail seen by this process (a mail that came back after a restart has none). */
	private readonly lastFailure = new Map<string, string>();
	/** Connections lost while fetching a mail, per mail (kept in this process only). */
	private readonly fetchLosses = new Map<string, number>();
	/** Mails whose runs succeeded but which the server refused to remove: never run again here. */
	private readonly processedNotRemoved = new Set<string>();
	private running?: Promise<void>;
	private downSince?: number;
	private reconnectAttempt = 0;
	/** When the connection was last opened after a failure (backoff resets once it stays up). */
	private upSince?: number;
	/** A connection failure met while settling a run, raised in the run loop (with backoff). */
	private settleFailure?: MailCasesError;

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
		for (const key of this.processedNotRemoved) keys.add(key);
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
				if (this.source.takeReset?.()) {
					this.notBefore.clear();
					this.lastFailure.clear();
					this.fetchLosses.clear();
					this.processedNotRemoved.clear();
				}
				this.upSince ??= Date.now();
				const started = await this.fill();
				if (this.stopped) break;
				// The mailbox was listed and read: an outage is over (not at mere login, which may
				// fail again right after).
				if (this.downSince !== undefined) {
					this.onEvent({ type: 'connectionRestored', downMs: Date.now() - this.downSince });
					this.downSince = undefined;
				}
				if (this.inFlight.size) {
					await Promise.race(this.inFlight.keys());
				} else if (!started) {
					await this.source.waitForMail(this.nextWakeMs(), this.abort.signal);
				}
				this.raiseSettleFailure();
			} catch (error) {
				if (this.stopped) break;
				await this.onConnectionError(asError(error));
			}
		}
	}

	/** Attempts of a mail: counted on the server, or lost connections while fetching it here. */
	private attemptsOf(key: string): number {
		return Math.max(this.source.attemptsOf(key) ?? 0, this.fetchLosses.get(key) ?? 0);
	}

	private raiseSettleFailure(): void {
		const failure = this.settleFailure;
		this.settleFailure = undefined;
		if (failure) throw failure;
	}

	/** Starts executions until the concurrency limit; returns true when it started any. */
	private async fill(): Promise<boolean> {
		let started = false;
		while (!this.stopped && this.inFlight.size < this.options.maxConcurrentExecutions) {
			const pending = await this.source.listPending(this.options.listBatch, this.inFlightKeys());
			if (!pending.length) break;
			const chosen = await this.choose(pending);
			if (!chosen.length) {
				await this.source.commit();
				continue;
			}
			const fetched: Array<{ key: string; raw: Buffer; size: number }> = [];
			for (const mail of chosen) {
				try {
					fetched.push({ key: mail.key, raw: await this.source.fetch(mail.key), size: mail.size });
				} catch (error) {
					if (!isPerMailError(error)) {
						// Some servers end the session when they cannot read one mail (Dovecot does on a
						// FETCH of an unreadable or truncated file): that mail waits its retry delay, so
						// the mails behind it go first after the reconnect; the count stays in this
						// process (the connection is gone). Not the mail's fault when a run's settling
						// broke the connection under it (several executions in flight).
						if (!this.settleFailure) {
							const lost = this.attemptsOf(mail.key) + 1;
							this.fetchLosses.set(mail.key, lost);
							this.retryLater(
								mail.key,
								lost,
								`The connection was lost while fetching it: ${asError(error).message}`,
							);
						}
						throw error;
					}
					const counted = await this.source.recordAttempts([mail.key]);
					await this.failed(
						mail.key,
						counted.get(mail.key) ?? this.attemptsOf(mail.key) + 1,
						error.message,
						{ kind: 'unreadable', size: mail.size },
					);
				}
			}
			if (!fetched.length) {
				await this.source.commit();
				continue;
			}
			// Counted before the run starts, after the mails were read (reading parses nothing): a
			// run that kills or hangs the process is counted as well (issue #11.3).
			const counted = await this.source.recordAttempts(fetched.map((mail) => mail.key));
			const batch: FetchedMail[] = fetched.map((mail) => ({
				key: mail.key,
				raw: mail.raw,
				attempts: counted.get(mail.key) ?? this.attemptsOf(mail.key) + 1,
			}));
			this.launch(batch);
			started = true;
		}
		return started;
	}

	/**
	 * The next batch from a listing: oversized mails and mails that used up their attempts are
	 * quarantined on the way; a mail that failed before goes alone, so it cannot hold others back.
	 */
	private async choose(pending: PendingMail[]): Promise<PendingMail[]> {
		const chosen: PendingMail[] = [];
		for (const mail of pending) {
			const attempts = this.attemptsOf(mail.key);
			if (mail.size > this.options.maxMessageBytes) {
				await this.quarantine(
					mail.key,
					`Message is ${mail.size} bytes, over the limit of ${this.options.maxMessageBytes} bytes`,
					{ kind: 'oversize', size: mail.size },
				);
				continue;
			}
			if (attempts >= this.options.maxAttempts) {
				// A failed run is settled (retried or quarantined) right away: a count this high at
				// listing time means the last attempt lost its connection while fetching the mail,
				// or, unknown to this process, its run never came back (crash, kill, hang).
				const last = this.lastFailure.get(mail.key);
				await this.quarantine(
					mail.key,
					last ? `Failed ${attempts} times; last error: ${last}` : abnormalEndReason(attempts),
					{ kind: last ? 'failed' : 'abnormalEnd', size: mail.size },
				);
				continue;
			}
			if (attempts > 0) {
				if (!chosen.length) chosen.push(mail);
				break;
			}
			chosen.push(mail);
			if (chosen.length >= this.options.mailsPerExecution) break;
		}
		return chosen;
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
			const done = batch.filter((mail) => outcomes.get(mail.key)?.status === 'done');
			const notRemoved = new Map<string, string>();
			for (const [disposition, keys] of byDisposition(done, outcomes, this.options.disposition))
				for (const [key, why] of await this.disposeAll(keys, disposition)) notRemoved.set(key, why);
			for (const { key } of done) {
				if (notRemoved.has(key)) continue;
				this.lastFailure.delete(key);
				this.fetchLosses.delete(key);
				this.onEvent({ type: 'processed', key });
			}
			for (const mail of batch) {
				const outcome = outcomes.get(mail.key) ?? {
					status: 'failed',
					reason: 'No result for this mail',
				};
				const refused = notRemoved.get(mail.key);
				if (refused !== undefined) {
					// The run succeeded: running it again would repeat what it did (a plain Send Mail
					// would send again), so it is set aside, and never run again by this process.
					this.processedNotRemoved.add(mail.key);
					await this.quarantine(
						mail.key,
						`Processed successfully, but the server refused to remove it (${refused}); it is not run again. Check the rights and quota of the mailbox and the target folder.`,
						{ kind: 'notRemoved', raw: mail.raw, size: mail.raw.length },
					);
					continue;
				}
				if (outcome.status === 'done') continue;
				if (outcome.status === 'quarantine') {
					await this.quarantine(mail.key, outcome.reason, {
						kind: outcome.kind ?? 'unparseable',
						raw: mail.raw,
						size: mail.raw.length,
					});
					continue;
				}
				// The attempt was counted before the run: a failed run is not counted twice.
				await this.failed(mail.key, mail.attempts, outcome.reason, {
					kind: 'failed',
					raw: mail.raw,
					size: mail.raw.length,
				});
			}
			await this.source.commit();
		} catch (error) {
			// The connection broke while settling: the mails stay on the server and come again.
			// The run loop raises it, so reconnecting backs off like any other connection failure.
			if (!this.stopped) this.settleFailure ??= asError(error);
			await this.source.close().catch(() => undefined);
		}
	}

	/** Disposes of the mails whose runs succeeded; returns the ones the server refused to remove. */
	private async disposeAll(done: string[], disposition: Disposition): Promise<Map<string, string>> {
		const refused = new Map<string, string>();
		if (done.length > 1 && this.source.disposeMany) {
			try {
				await this.source.disposeMany(done, disposition);
				return refused;
			} catch (error) {
				if (!isPerMailError(error)) throw error;
				// One UID set failed as a whole: one by one, so only the refused mails count.
			}
		}
		for (const key of done) {
			try {
				await this.source.dispose(key, disposition);
			} catch (error) {
				if (!isPerMailError(error)) throw error;
				refused.set(key, error.message);
			}
		}
		return refused;
	}

	/** A failed attempt (already counted): retried later, quarantined after maxAttempts. */
	private async failed(
		key: string,
		attempts: number,
		reason: string,
		info: QuarantineInfo,
	): Promise<void> {
		if (attempts >= this.options.maxAttempts) {
			await this.quarantine(key, `Failed ${attempts} times; last error: ${reason}`, info);
			return;
		}
		this.retryLater(key, attempts, reason);
	}

	private retryLater(key: string, attempts: number, reason: string): void {
		this.lastFailure.set(key, reason);
		const wait = retryDelay(this.options, attempts);
		this.notBefore.set(key, Date.now() + wait);
		this.onEvent({ type: 'retryScheduled', key, attempts, retryInMs: wait, reason });
	}

	private async quarantine(key: string, reason: string, info: QuarantineInfo): Promise<void> {
		try {
			await this.source.quarantine(key, reason, info.kind);
		} catch (error) {
			if (!isPerMailError(error)) throw error;
			// The server refuses to move this mail aside: leave it alone for the longest retry
			// delay instead of trying again at every look at the mailbox.
			this.retryLater(
				key,
				this.options.maxAttempts,
				`Could not be quarantined (${reason}): ${error.message}`,
			);
			return;
		}
		this.lastFailure.delete(key);
		this.fetchLosses.delete(key);
		this.onEvent({ type: 'quarantined', key, reason, ...info });
	}

	private nextWakeMs(): number {
		let wait = this.options.pollIntervalMs;
		const now = Date.now();
		for (const until of this.notBefore.values()) wait = Math.min(wait, Math.max(until - now, 50));
		return wait;
	}

	private async onConnectionError(error: MailCasesError): Promise<void> {
		this.downSince ??= Date.now();
		this.settleFailure = undefined; // the same failure, met by the loop itself
		// The backoff starts over only after the connection stayed healthy for a while: a server
		// that accepts the login and fails right after is not retried at full speed (issue #11.4).
		if (this.upSince !== undefined && Date.now() - this.upSince >= this.options.healthyAfterMs)
			this.reconnectAttempt = 0;
		this.upSince = undefined;
		this.reconnectAttempt++;
		const wait = Math.min(
			this.options.reconnectInitialMs * 2 ** Math.min(this.reconnectAttempt - 1, 30),
			this.options.reconnectMaxMs,
		);
		this.onEvent({
			type: 'connectionLost',
			error,
			attempt: this.reconnectAttempt,
			retryInMs: wait,
		});
		await this.source.close().catch(() => undefined);
		await sleep(wait, this.abort.signal);
	}
}

/** Groups the successful mails of a batch by where they go (their own disposition or the default). */
function byDisposition(
	done: FetchedMail[],
	outcomes: Map<string, MailOutcome>,
	fallback: Disposition,
): Map<Disposition, string[]> {
	const groups = new Map<string, { disposition: Disposition; keys: string[] }>();
	for (const mail of done) {
		const outcome = outcomes.get(mail.key);
		const disposition = (outcome?.status === 'done' && outcome.disposition) || fallback;
		const id = JSON.stringify(disposition);
		const group = groups.get(id) ?? { disposition, keys: [] };
		group.keys.push(mail.key);
		groups.set(id, group);
	}
	return new Map([...groups.values()].map((group) => [group.disposition, group.keys]));
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
