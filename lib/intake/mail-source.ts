/**
 * A mailbox the intake loop reads from, independent of protocol (IMAP, POP3, Graph).
 * Keys are stable across sessions (IMAP UID within one UIDVALIDITY, POP3 UIDL, Graph id).
 */
export interface PendingMail {
	key: string;
	size: number;
}

/** What happens to a mail after its run succeeded (R-PROC-4). */
export type Disposition =
	| { kind: 'delete' }
	| { kind: 'move'; folder: string }
	| { kind: 'markSeen' };

export interface MailSource {
	/** Human description without secrets, e.g. `IMAPS mail.example.com:993 as alice, folder INBOX`. */
	readonly description: string;
	/** Protocol name for the output item. */
	readonly protocol: 'imap' | 'pop3' | 'graph';
	readonly folder: string;
	/** Connects (or reconnects). Idempotent. */
	open(): Promise<void>;
	/**
	 * Mails waiting in the mailbox, oldest first, at most `limit`, skipping the keys in `exclude`.
	 * Only keys and sizes: contents are fetched one batch at a time.
	 */
	listPending(limit: number, exclude: ReadonlySet<string>): Promise<PendingMail[]>;
	/** The raw message bytes. */
	fetch(key: string): Promise<Buffer>;
	/** Removes or marks the mail after success. */
	dispose(key: string, disposition: Disposition): Promise<void>;
	/** Same for several mails in one round trip, where the protocol allows it (IMAP UID sets). */
	disposeMany?(keys: string[], disposition: Disposition): Promise<void>;
	/** Moves a mail that keeps failing aside; `reason` is recorded where the protocol allows. */
	quarantine(key: string, reason: string): Promise<void>;
	/** Records a failed attempt on the server where possible; returns the attempts known so far. */
	recordAttempt?(key: string): Promise<number>;
	/** Attempts recorded on the server (IMAP keywords) for a key, when the source keeps them. */
	attemptsOf?(key: string): number | undefined;
	/**
	 * Finishes a batch: for POP3 this ends the session with QUIT so deletions take effect.
	 * Called after every dispose of a cycle.
	 */
	commit(): Promise<void>;
	/**
	 * Resolves when new mail may be there: IMAP IDLE reports it, else after `maxWaitMs`.
	 * Rejects when the connection is lost or a liveness check (NOOP) fails.
	 */
	waitForMail(maxWaitMs: number, signal: AbortSignal): Promise<void>;
	/** Set when the mailbox identity changed (IMAP UIDVALIDITY): all remembered keys are void. */
	takeReset?(): boolean;
	close(): Promise<void>;
}
