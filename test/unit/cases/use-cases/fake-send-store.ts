/**
 * In-memory stand-ins for the store's send claims (#15.2) and outgoing-mail records (#14.1), with
 * the semantics of lib/store/repositories/send-claims.ts and activities.recordOutgoing: a claim
 * is taken atomically, `held` until its lease ends, then taken over; recordOutgoing links the
 * Message-ID for sent / rejected and marks the claim done in the same step. A fake clock makes
 * the lease and the waiting run without real time.
 */
import { MailCasesError } from '../../../../lib/errors';
import type { OutgoingMailRecord, SendClaim } from '../../../../lib/store';

export class FakeClock {
	constructor(public ms = Date.UTC(2026, 11, 5, 12)) {}
	/** Called at every sleep, after the time moved on (the "other run" acts here). */
	onSleep?: (clock: FakeClock) => void | Promise<void>;
	sleeps = 0;
	now = () => this.ms;
	sleep = async (ms: number) => {
		this.sleeps++;
		this.ms += ms;
		await this.onSleep?.(this);
	};
}

interface ClaimRow {
	state: 'sending' | 'done';
	until: number;
	at: number;
	messageId: string | null;
}

export class FakeSendStore {
	readonly claimRows = new Map<string, ClaimRow>();
	readonly outgoing: OutgoingMailRecord[] = [];
	/** Message-IDs linked to cases before send claims existed (an older store). */
	readonly linkedBefore = new Set<string>();
	calls: string[] = [];
	/** The next recordOutgoing fails with this error. */
	failRecord?: Error;

	constructor(readonly clock: FakeClock) {}

	readonly sendClaims = {
		claim: async (key: string, leaseMs: number): Promise<SendClaim> => {
			this.calls.push(`claim ${key}`);
			await Promise.resolve(); // a round trip: other callers may run in between
			const now = this.clock.now();
			const row = this.claimRows.get(key);
			if (row?.state === 'done')
				return { state: 'done', at: new Date(row.at), messageId: row.messageId };
			if (row && row.until > now) return { state: 'held', until: new Date(row.until) };
			this.claimRows.set(key, { state: 'sending', until: now + leaseMs, at: now, messageId: null });
			return { state: 'claimed' };
		},
		finish: async (key: string, messageId: string | null) => {
			this.calls.push(`finish ${key}`);
			this.claimRows.set(key, { state: 'done', until: 0, at: this.clock.now(), messageId });
		},
		release: async (key: string) => {
			this.calls.push(`release ${key}`);
			if (this.claimRows.get(key)?.state === 'sending') this.claimRows.delete(key);
		},
	};

	readonly activities = {
		recordOutgoing: async (record: OutgoingMailRecord) => {
			this.calls.push(`record ${record.outcome}`);
			const failure = this.failRecord;
			if (failure) {
				this.failRecord = undefined;
				throw failure;
			}
			this.outgoing.push(record);
			if (record.claimKey)
				this.claimRows.set(record.claimKey, {
					state: 'done',
					until: 0,
					at: this.clock.now(),
					messageId: record.messageId,
				});
			// the store's answer is an Activity; sendOnce does not read it
			return {} as never;
		},
	};

	readonly cases = {
		isOutgoingMessageId: async (messageId: string) =>
			this.linkedBefore.has(messageId) ||
			this.outgoing.some((r) => r.messageId === messageId && r.outcome !== 'failed'),
	};

	/** Another run holds `key` until `untilMs`. */
	heldByOther(key: string, untilMs: number): void {
		this.claimRows.set(key, {
			state: 'sending',
			until: untilMs,
			at: this.clock.now(),
			messageId: null,
		});
	}

	/** The other run finished `key` (its recordOutgoing marked it done). */
	finishedByOther(key: string, messageId: string): void {
		this.claimRows.set(key, { state: 'done', until: 0, at: this.clock.now(), messageId });
	}
}

export const storeDown = () =>
	new MailCasesError('STORE_UNAVAILABLE', 'The case store is not reachable (test)');
