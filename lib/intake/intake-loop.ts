import { MailCasesError } from '../errors';
import { DEFAULT_INTAKE_OPTIONS, retryDelay, type IntakeOptions } from './intake-options';
import { isPerMailError } from './mail-error';
import type { Disposition, MailSource, PendingMail, QuarantineKind } from './mail-source';
import { PhaseTrace, type BatchTrace } from './phase-trace';

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

/** Runs a batch; marks the phases `parse`, `emit` and `run` on `trace` (issue #17.1). */
export type Deliver = (
	batch: FetchedMail[],
	trace: BatchTrace,
) => Promise<Map<string, MailOutcome>>;

/**
 * A mail whose run succeeded, until its disposal went through (and was committed). `epoch`: the
 * mailbox identity its key is valid under (see IntakeLoop.takeReset); a key from an older epoch
 * names no mail any more (IMAP UIDVALIDITY changed). POP3 keys (UIDL) and Graph ids stay valid
 * across sessions, so for them the epoch never changes.
 */
interface DoneMail {
	key: string;
	disposition: Disposition;
	raw: Buffer;
	epoch: number;
}

/** A mail read from the source, before its attempt is counted. */
interface ReadMail {
	key: string;
	raw: Buffer;
	size: number;
}

/** A batch listed and read, not yet started; `epoch`: the mailbox identity it was read under. */
interface ReadBatch {
	mails: ReadMail[];
	epoch: number;
	trace: PhaseTrace;
}

/**
 * What a disposal found: mails the server refused to remove (with its answer), and keys that
 * turned out void (per-mail error CONFLICT: the mailbox identity changed since the mail was read).
 */
interface Disposal {
	refused: Map<string, string>;
	voided: Set<string>;
}

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
	/** A run of several mails failed: each of `keys` runs alone now, not charged (issue #13.3). */
	| { type: 'batchFailed'; keys: string[]; reason: string }
	/**
	 * The mailbox identity changed (IMAP UIDVALIDITY: the folder was recreated) after the mail's
	 * run succeeded: nothing was removed under its old key, and it comes again under a new one.
	 */
	| { type: 'keyVoided'; key: string }
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
 * run crashes or hangs n8n is quarantined after `maxAttempts` restarts. When a run of several
 * mails fails, each of them is run again alone at once (issue #13.3); only a failed run of a mail
 * alone counts against it: retried with backoff, quarantined after `maxAttempts`. A server error
 * for one mail (issue #11.4) counts against that mail; connection losses are retried with a
 * backoff that keeps growing until the connection stays healthy. A mail whose run succeeded but
 * whose disposal the connection loss interrupted is remembered and disposed of after the
 * reconnect, without a second run (issue #13.5).
 *
 * Counting attempts with batches (crash safety, issue #11.3 with #13.3): every run is covered by
 * an attempt counted on the server before it starts. A batch run counts one attempt for each of
 * its mails. When it fails, the solo re-run of each mail right after it is covered by that same
 * count (not counted again): a mail that fails alone has then used exactly one attempt, the
 * batch failure itself costs nothing, and an innocent mail that succeeds alone is disposed of,
 * which clears its count. When the batch run (or a solo re-run) kills n8n instead, its mails
 * keep the count on the server; after the restart each of them has attempts > 0, so it runs
 * alone and each further run counts again: a mail that kills n8n every time is quarantined
 * after `maxAttempts` crashes in all (the crash in a solo re-run is covered by the batch's
 * count), and a crashed batch charges an innocent mail at most one attempt, since a mail with a
 * count never joins a batch again and its successful run clears the count. Solo re-runs cut
 * short by a stop keep the batch's count, which the next process's solo run adds to.
 */
export class IntakeLoop {
	private readonly options: IntakeOptions;
	private stopped = false;
	/** Set when stop() closed the source: a run still settling must not connect again. */
	private closed = false;
	private readonly abort = new AbortController();
	private readonly inFlight = new Map<Promise<void>, string[]>();
	private readonly notBefore = new Map<string, number>();
	/** Last failure per mail seen by this process (a mail that came back after a restart has none). */
	private readonly lastFailure = new Map<string, string>();
	/** Connections lost while fetching a mail, per mail (kept in this process only). */
	private readonly fetchLosses = new Map<string, number>();
	/** Mails read in a round trip for several that lost the connection: read alone next time. */
	private readonly fetchAlone = new Set<string>();
	/** Mails whose runs succeeded but which the server refused to remove: never run again here. */
	private readonly processedNotRemoved = new Set<string>();
	private running?: Promise<void>;
	private downSince?: number;
	private reconnectAttempt = 0;
	/** When the connection was last opened after a failure (backoff resets once it stays up). */
	private upSince?: number;
	/** A connection failure met while settling a run, raised in the run loop (with backoff). */
	private settleFailure?: MailCasesError;
	/**
	 * Mails whose runs succeeded but whose disposal a lost connection interrupted (issue #13.5):
	 * disposed of after the reconnect, before the mailbox is listed again, and never run again
	 * by this process (kept out of every listing meanwhile). Kept in memory only: a restart of
	 * n8n before the reconnect runs them again (the case store's ledger makes that harmless).
	 */
	private readonly undisposed = new Map<string, DoneMail>();
	/** Counts mailbox identity changes (IMAP UIDVALIDITY): keys of an older epoch are void. */
	private epoch = 0;
	/** Disposals of finished runs waiting to go to the server together (issue #17.6). */
	private readonly disposals: Array<{
		done: DoneMail[];
		resolve: (disposal: Disposal) => void;
		reject: (error: unknown) => void;
	}> = [];
	private disposing?: Promise<void>;
	/** One connect at a time (the run loop and a settling run may both want the connection). */
	private opening?: Promise<void>;

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
		this.closed = true;
		await this.source.close().catch(() => undefined);
	}

	private inFlightKeys(): Set<string> {
		const keys = new Set<string>();
		for (const list of this.inFlight.values()) for (const key of list) keys.add(key);
		for (const key of this.processedNotRemoved) keys.add(key);
		for (const mail of this.undisposed.values()) if (mail.epoch === this.epoch) keys.add(mail.key);
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
				await this.open();
				this.upSince ??= Date.now();
				// Before anything is listed: a mail processed before the connection broke is disposed
				// of now, so a listing cannot hand it to a second run.
				await this.disposeRemembered();
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

	/** Opens the source (one connect at a time) and takes a mailbox identity change it found. */
	private async open(): Promise<void> {
		if (this.closed)
			throw new MailCasesError(
				'CONNECTION_LOST',
				`The trigger was stopped: ${this.source.description} is closed.`,
			);
		this.opening ??= this.source.open().finally(() => (this.opening = undefined));
		await this.opening;
		this.takeReset();
	}

	/**
	 * The source found that the mailbox is another one now (IMAP UIDVALIDITY changed): every key
	 * this process remembers names no mail any more — retry delays, failures, mails processed but
	 * not disposed of (they come again under new keys and run again; the case store's ledger makes
	 * that harmless). Runs in flight learn it from the epoch they were fetched in.
	 */
	private takeReset(): void {
		if (!this.source.takeReset?.()) return;
		this.epoch++;
		this.notBefore.clear();
		this.lastFailure.clear();
		this.fetchLosses.clear();
		this.fetchAlone.clear();
		this.processedNotRemoved.clear();
		for (const key of this.undisposed.keys()) this.onEvent({ type: 'keyVoided', key });
		this.undisposed.clear();
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
			const ready = await this.read();
			if (!ready) break;
			if (!ready.mails.length) continue;
			await this.startRun(ready);
			started = true;
		}
		return started;
	}

	/**
	 * Lists what the next batch needs (issue #17.6) and reads it. Undefined: nothing waits.
	 * A batch without mails: everything listed was quarantined or could not be read.
	 */
	private async read(): Promise<ReadBatch | undefined> {
		const trace = new PhaseTrace(this.options.phaseSink);
		const epoch = this.epoch;
		// A source that remembers its listing and reads a batch in one command (IMAP) is asked for
		// the next batch only; the others (POP3, Graph) list a window as before, so mails waiting
		// out a retry delay never hide the ones behind them.
		const limit = this.source.fetchMany
			? Math.min(this.options.listBatch, this.options.mailsPerExecution)
			: this.options.listBatch;
		const pending = await this.source.listPending(limit, this.inFlightKeys());
		if (!pending.length) return undefined;
		const chosen = await this.choose(pending);
		trace.setKeys(chosen.map((mail) => mail.key));
		trace.mark('list');
		const mails = chosen.length ? await this.fetchAll(chosen) : [];
		if (!mails.length) {
			await this.source.commit();
			return { mails, epoch, trace };
		}
		trace.setKeys(mails.map((mail) => mail.key));
		trace.mark('fetch');
		return { mails, epoch, trace };
	}

	/**
	 * Counts the attempt of a read batch and launches its run. Counted right before the run
	 * starts, after the mails were read (reading parses nothing): a run that kills or hangs the
	 * process is counted as well (issue #11.3).
	 */
	private async startRun({ mails, epoch, trace }: ReadBatch): Promise<void> {
		const counted = await this.source.recordAttempts(mails.map((mail) => mail.key));
		trace.mark('count');
		const batch: FetchedMail[] = mails.map((mail) => ({
			key: mail.key,
			raw: mail.raw,
			attempts: counted.get(mail.key) ?? this.attemptsOf(mail.key) + 1,
		}));
		this.launch(batch, epoch, trace);
	}

	/**
	 * Reads the chosen mails: all in one round trip where the source can (issue #17.6), else, and
	 * for what that left out, one by one. When the connection is lost under a round trip for
	 * several, which mail caused it is unknown: those mails are read one by one next time, so a
	 * mail that makes the server end the session is found and charged alone.
	 */
	private async fetchAll(chosen: PendingMail[]): Promise<ReadMail[]> {
		const together = new Map<string, Buffer>();
		const keys = chosen.map((mail) => mail.key);
		if (
			this.source.fetchMany &&
			chosen.length > 1 &&
			!keys.some((key) => this.fetchAlone.has(key))
		) {
			try {
				for (const [key, raw] of await this.source.fetchMany(keys)) together.set(key, raw);
			} catch (error) {
				if (!isPerMailError(error)) {
					for (const key of keys) this.fetchAlone.add(key);
					throw error;
				}
				// The set was refused as a whole: one by one, so only the refused mails count.
			}
		}
		const fetched: ReadMail[] = [];
		for (const mail of chosen) {
			const raw = together.get(mail.key);
			if (raw) {
				fetched.push({ key: mail.key, raw, size: mail.size });
				continue;
			}
			try {
				fetched.push({ key: mail.key, raw: await this.source.fetch(mail.key), size: mail.size });
				this.fetchAlone.delete(mail.key);
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
				this.fetchAlone.delete(mail.key);
				const counted = await this.source.recordAttempts([mail.key]);
				await this.failed(
					mail.key,
					counted.get(mail.key) ?? this.attemptsOf(mail.key) + 1,
					error.message,
					{ kind: 'unreadable', size: mail.size },
				);
			}
		}
		return fetched;
	}

	/**
	 * The next batch from a listing: oversized mails and mails that used up their attempts are
	 * quarantined on the way; a mail that failed before goes alone, so it cannot hold others back.
	 */
	private async choose(pending: PendingMail[]): Promise<PendingMail[]> {
		const chosen: PendingMail[] = [];
		let bytes = 0;
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
			// A batch holds at most maxBatchBytes (at least one mail): memory stays bounded.
			if (chosen.length && bytes + mail.size > this.options.maxBatchBytes) break;
			bytes += mail.size;
			chosen.push(mail);
			if (chosen.length >= this.options.mailsPerExecution) break;
		}
		return chosen;
	}

	private launch(batch: FetchedMail[], epoch: number, trace: PhaseTrace): void {
		const keys = batch.map((m) => m.key);
		const task = (async () => {
			const outcomes = await this.runOnce(batch, trace);
			const failed = batch.filter((mail) => outcomes.get(mail.key)?.status === 'failed');
			if (failed.length < 2) {
				await this.settle(batch, outcomes, epoch, trace);
				return;
			}
			// A run of several mails failed (issue #13.3): which one made it fail is unknown, so none
			// is charged. The others of the batch (skipped, unparseable) are settled, then each failed
			// mail runs again alone at once, covered by the attempt counted for the batch run (see the
			// class comment); only the outcome of its solo run counts.
			await this.settle(
				batch.filter((mail) => !failed.includes(mail)),
				outcomes,
				epoch,
				trace,
			);
			const first = outcomes.get(failed[0].key);
			this.onEvent({
				type: 'batchFailed',
				keys: failed.map((mail) => mail.key),
				reason: first?.status === 'failed' ? first.reason : 'The run failed',
			});
			for (const mail of failed) {
				if (this.stopped || epoch !== this.epoch) break;
				const solo = new PhaseTrace(this.options.phaseSink);
				solo.setKeys([mail.key]);
				await this.settle([mail], await this.runOnce([mail], solo), epoch, solo);
			}
		})();
		const tracked = task.finally(() => this.inFlight.delete(tracked));
		this.inFlight.set(tracked, keys);
	}

	/** One run; every mail of it gets an outcome (a deliver that throws fails them all). */
	private async runOnce(
		batch: FetchedMail[],
		trace: BatchTrace,
	): Promise<Map<string, MailOutcome>> {
		let outcomes: Map<string, MailOutcome>;
		try {
			outcomes = await this.deliver(batch, trace);
		} catch (error) {
			const reason = asError(error).message;
			outcomes = new Map();
			for (const mail of batch) outcomes.set(mail.key, { status: 'failed', reason });
		}
		for (const mail of batch)
			if (!outcomes.has(mail.key))
				outcomes.set(mail.key, { status: 'failed', reason: 'No result for this mail' });
		return outcomes;
	}

	/**
	 * Settles a run: failed mails get their retry delay (in memory, before any server work, so a
	 * lost connection cannot make them run again at once), successful ones are disposed of, the
	 * rest is quarantined. A lost connection leaves the successful mails remembered for disposal
	 * after the reconnect (issue #13.5); the others come again at the next listing.
	 */
	private async settle(
		batch: FetchedMail[],
		outcomes: Map<string, MailOutcome>,
		epoch: number,
		trace: PhaseTrace,
	): Promise<void> {
		try {
			await this.settleNow(batch, outcomes, epoch, trace);
		} finally {
			trace.finish();
		}
	}

	private async settleNow(
		batch: FetchedMail[],
		outcomes: Map<string, MailOutcome>,
		epoch: number,
		trace: PhaseTrace,
	): Promise<void> {
		if (!batch.length) return;
		const done: DoneMail[] = [];
		const toQuarantine: Array<{ mail: FetchedMail; reason: string; kind: QuarantineKind }> = [];
		for (const mail of batch) {
			const outcome = outcomes.get(mail.key)!;
			if (outcome.status === 'done') {
				const disposition = outcome.disposition ?? this.options.disposition;
				done.push({ key: mail.key, disposition, raw: mail.raw, epoch });
			} else if (outcome.status === 'quarantine') {
				toQuarantine.push({ mail, reason: outcome.reason, kind: outcome.kind ?? 'unparseable' });
			} else if (mail.attempts >= this.options.maxAttempts) {
				// The attempt was counted before the run: a failed run is not counted twice.
				this.lastFailure.set(mail.key, outcome.reason);
				toQuarantine.push({
					mail,
					reason: `Failed ${mail.attempts} times; last error: ${outcome.reason}`,
					kind: 'failed',
				});
			} else if (epoch === this.epoch) {
				this.retryLater(mail.key, mail.attempts, outcome.reason);
			}
		}
		let final = false;
		try {
			if (!done.length && !toQuarantine.length) {
				await this.source.commit();
				trace.mark('commit');
				return;
			}
			// Once the connection is known to be lost, the run loop reconnects with backoff and then
			// disposes of the remembered mails: no reconnect from here meanwhile.
			if (this.settleFailure) throw this.settleFailure;
			// The session may have ended during the run (server idle timeout; POP3 ends it after
			// each disposal): the connection is opened again if needed.
			await this.open();
			if (epoch !== this.epoch) {
				// The keys are void: those mails come again.
				for (const { key } of done) this.onEvent({ type: 'keyVoided', key });
				return;
			}
			const disposal = done.length
				? await this.disposeMerged(done)
				: { refused: new Map(), voided: new Set<string>() };
			if (done.length) trace.mark('dispose');
			final = true;
			await this.finishDisposal(done, disposal);
			for (const { mail, reason, kind } of toQuarantine)
				await this.quarantine(mail.key, reason, { kind, raw: mail.raw, size: mail.raw.length });
			await this.source.commit();
			trace.mark('commit');
		} catch (error) {
			if (!final) for (const mail of done) this.undisposed.set(mail.key, mail);
			// The run loop raises it, so reconnecting backs off like any other connection failure.
			if (!this.stopped) this.settleFailure ??= asError(error);
			await this.source.close().catch(() => undefined);
		}
	}

	/**
	 * Disposes of the remembered mails (issue #13.5) once the connection is back; they stay
	 * remembered while the connection fails again.
	 */
	private async disposeRemembered(): Promise<void> {
		const pending = [...this.undisposed.values()].filter((mail) => {
			if (mail.epoch === this.epoch) return true;
			this.undisposed.delete(mail.key);
			this.onEvent({ type: 'keyVoided', key: mail.key });
			return false;
		});
		if (!pending.length) return;
		const disposal = await this.disposeDone(pending);
		for (const mail of pending) this.undisposed.delete(mail.key);
		await this.finishDisposal(pending, disposal);
	}

	/**
	 * Disposes of mails whose runs succeeded, grouped by where they go, and commits (POP3: QUIT,
	 * without which the server undoes DELE). Rejects on a lost connection: then none of them
	 * counts as disposed of. Tells which mails the server refused to remove (with why) and which
	 * keys turned out void (the source found the mailbox identity changed: nothing was done).
	 */
	private async disposeDone(done: DoneMail[]): Promise<Disposal> {
		const disposal: Disposal = { refused: new Map(), voided: new Set() };
		if (!done.length) return disposal;
		for (const [disposition, keys] of byDisposition(done))
			await this.disposeAll(keys, disposition, disposal);
		await this.source.commit();
		this.takeReset(); // a source that reconnected while disposing may have found a new identity
		return disposal;
	}

	/**
	 * disposeDone for the mails of runs that finish together (issue #17.6): the disposals waiting
	 * when one is done, and those of runs that finished in the same turn of the event loop, go
	 * to the server as one (one STORE/MOVE/EXPUNGE over their UID set per disposition). Each
	 * caller gets the outcome of the disposal its mails were in; a lost connection fails all.
	 */
	private disposeMerged(done: DoneMail[]): Promise<Disposal> {
		return new Promise<Disposal>((resolve, reject) => {
			this.disposals.push({ done, resolve, reject });
			this.disposing ??= this.drainDisposals().finally(() => (this.disposing = undefined));
		});
	}

	private async drainDisposals(): Promise<void> {
		// Runs that finished in the same turn join this disposal.
		await new Promise<void>((resolve) => setImmediate(resolve));
		while (this.disposals.length) {
			const waiting = this.disposals.splice(0);
			try {
				const disposal = await this.disposeDone(waiting.flatMap((group) => group.done));
				for (const group of waiting) group.resolve(disposal);
			} catch (error) {
				for (const group of waiting) group.reject(error);
			}
		}
	}

	/** After disposal: `processed` for the removed mails; the refused ones are set aside. */
	private async finishDisposal(done: DoneMail[], { refused, voided }: Disposal): Promise<void> {
		for (const { key } of done) {
			if (voided.has(key)) this.onEvent({ type: 'keyVoided', key });
			if (refused.has(key) || voided.has(key)) continue;
			this.lastFailure.delete(key);
			this.fetchLosses.delete(key);
			this.onEvent({ type: 'processed', key });
		}
		for (const mail of done) {
			const why = refused.get(mail.key);
			if (why === undefined) continue;
			// The run succeeded: running it again would repeat what it did (a plain Send Mail
			// would send again), so it is set aside, and never run again by this process.
			this.processedNotRemoved.add(mail.key);
			// A mail with a disposition of its own (skipped mail moved aside) never ran.
			const what =
				mail.disposition === this.options.disposition
					? 'Processed successfully'
					: 'Set aside without a run';
			await this.quarantine(
				mail.key,
				`${what}, but the server refused to remove it (${why}); it is not run again. Check the rights and quota of the mailbox and the target folder.`,
				{ kind: 'notRemoved', raw: mail.raw, size: mail.raw.length },
			);
		}
	}

	/** Disposes of mails whose runs succeeded; records the ones the server refused to remove. */
	private async disposeAll(
		done: string[],
		disposition: Disposition,
		{ refused, voided }: Disposal,
	): Promise<void> {
		if (done.length > 1 && this.source.disposeMany) {
			try {
				await this.source.disposeMany(done, disposition);
				return;
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
				if (error.code === 'CONFLICT') voided.add(key);
				// Gone already: a disposal whose answer the lost connection swallowed (POP3: QUIT
				// went through), or another client removed it. Nothing is left to do.
				else if (error.code !== 'NOT_FOUND') refused.set(key, error.message);
			}
		}
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
			// The key names no mail any more (mailbox identity changed): the mail comes again.
			if (error.code === 'CONFLICT') return;
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

/** Groups the successful mails by where they go (their own disposition or the trigger's). */
function byDisposition(done: DoneMail[]): Map<Disposition, string[]> {
	const groups = new Map<string, { disposition: Disposition; keys: string[] }>();
	for (const mail of done) {
		const id = JSON.stringify(mail.disposition);
		const group = groups.get(id) ?? { disposition: mail.disposition, keys: [] };
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
