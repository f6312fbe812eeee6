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
	/** `keywords`: IMAP keywords set on the moved mail (e.g. why it was skipped), where allowed. */
	| { kind: 'move'; folder: string; keywords?: string[] }
	| { kind: 'markSeen' };

/**
 * Why a mail was quarantined, as a class a person can search for (IMAP keyword, Exchange
 * category): too big, not a mail/unparseable, its runs kept failing, its runs never came back,
 * processed but the server refused to remove it, the server cannot read it.
 */
export type QuarantineKind =
	| 'oversize'
	| 'unparseable'
	| 'failed'
	| 'abnormalEnd'
	| 'notRemoved'
	| 'unreadable';

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
	/**
	 * The raw message bytes. A server that refuses this one mail while the connection lives
	 * rejects with a per-mail error (lib/intake/mail-error.ts); any other rejection is a
	 * connection failure. The same holds for dispose, disposeMany and quarantine.
	 */
	fetch(key: string): Promise<Buffer>;
	/**
	 * The bytes of several mails in one round trip, where the protocol allows it (IMAP UID set,
	 * issue #17.6). Mails missing from the result are read alone with `fetch`. A per-mail error
	 * refuses the set as a whole (then each is read alone); any other rejection is a connection
	 * failure.
	 */
	fetchMany?(keys: string[]): Promise<Map<string, Buffer>>;
	/**
	 * Removes or marks the mail after success, and clears its attempt count. Idempotent: the
	 * intake loop disposes of a mail again after a connection loss interrupted its disposal
	 * (issue #13.5), so a mail that is gone already resolves or rejects with a per-mail error of
	 * code NOT_FOUND (both mean done). A key that names no mail any more because the mailbox
	 * identity changed (IMAP UIDVALIDITY) rejects with a per-mail error of code CONFLICT, after
	 * takeReset was set: nothing is done and the mail comes again under its new key.
	 */
	dispose(key: string, disposition: Disposition): Promise<void>;
	/** Same for several mails in one round trip, where the protocol allows it (IMAP UID sets). */
	disposeMany?(keys: string[], disposition: Disposition): Promise<void>;
	/** Moves a mail that keeps failing aside; `reason` is recorded where the protocol allows. */
	quarantine(key: string, reason: string, kind?: QuarantineKind): Promise<void>;
	/**
	 * Counts one more attempt for each mail BEFORE its run starts (issue #11.3), persisted where
	 * it survives a crash of the process (IMAP keyword, Graph category, POP3 static data), so a
	 * mail whose run kills or hangs n8n is counted too. Returns each mail's attempts including
	 * this one. Rejects only when the connection is lost; a server that refuses to store the count
	 * for a mail leaves it counted in memory. Success (dispose) and quarantine clear the count.
	 */
	recordAttempts(keys: string[]): Promise<Map<string, number>>;
	/** Attempts counted for a key as last listed (0 for a fresh mail). */
	attemptsOf(key: string): number | undefined;
	/**
	 * Finishes a batch: for POP3 this ends the session with QUIT so deletions take effect.
	 * Called after every dispose of a cycle. Must reject when the deletions may not have taken
	 * effect (the session broke before QUIT was answered): the loop then disposes again.
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
