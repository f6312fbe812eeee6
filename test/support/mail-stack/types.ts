/** Ports of one running mail stack, all on 127.0.0.1. */
export interface StackPorts {
	/** Dovecot IMAP, plaintext with STARTTLS available. */
	imap: number;
	/** Dovecot IMAP over implicit TLS. */
	imaps: number;
	/** Dovecot POP3, plaintext with STLS available. */
	pop3: number;
	/** Dovecot POP3 over implicit TLS. */
	pop3s: number;
	/** Dovecot LMTP (plaintext), delivers straight into the mailboxes. */
	lmtp: number;
	/** Postfix, port-25 style: relays for 127.0.0.0/8 without AUTH, STARTTLS offered. */
	smtp: number;
	/** Postfix submission: STARTTLS required, then AUTH required. */
	submission: number;
	/** Postfix SMTPS (implicit TLS, "wrapper mode"), AUTH required. */
	smtps: number;
	/** Dovecot auth service (SASL for Postfix) over TCP. */
	dovecotAuth: number;
}

export interface StackUser {
	/** Full address, e.g. `alice@example.test`; also the login name (IMAP, POP3, SMTP AUTH). */
	address: string;
	password: string;
}

/** JSON-serialisable description of a running stack (what `getStack()` returns). */
export interface StackDescription {
	/** Temporary directory holding configuration, state, mail, logs. */
	dir: string;
	host: '127.0.0.1';
	/** The only mail domain the stack delivers locally. */
	domain: string;
	ports: StackPorts;
	/** The test CA certificate (PEM). Clients must pass it explicitly (`tls: { ca }`). */
	caPem: string;
	caFile: string;
	/** Keyed by local part, e.g. `users.alice.address === 'alice@example.test'`. */
	users: Record<string, StackUser>;
	dovecotPid: number;
	postfixPid: number;
	/** Detached guard process that kills the servers when the owning process disappears. */
	watchdogPid: number;
	/** Process that owns the stack (the watchdog watches it). */
	ownerPid: number;
	logs: { dovecot: string; postfix: string };
	/** Milliseconds `startMailStack` took. */
	startupMs: number;
}

export interface MailStackOptions {
	/** Extra local parts to declare besides the fixed set (letters, digits, `.`, `-`, `_`). */
	extraUsers?: string[];
	/** Parent of the temporary directory; default `os.tmpdir()`. */
	tmpRoot?: string;
	/** Verbose Dovecot/Postfix logging (auth, TLS, SMTP sessions) into the log files. */
	debug?: boolean;
	/** Process to watch; when it is gone the watchdog kills the servers. Default `process.pid`. */
	ownerPid?: number;
	/**
	 * Ports to try first; the rest are picked free at random. When one is taken, the stack starts
	 * on random free ports instead (check `ports` of the result).
	 */
	ports?: Partial<StackPorts>;
	/** Total time allowed for startup (all attempts); default 15000 ms. */
	timeoutMs?: number;
}

export interface MailStackHandle extends StackDescription {
	/** Plain data copy of the description, safe to `JSON.stringify`. */
	describe(): StackDescription;
	/** Kills both servers (process groups, SIGKILL) and removes the directory. Idempotent. */
	stop(): Promise<void>;
	/** Kills Dovecot only (an outage; mail delivered meanwhile waits in Postfix's queue). */
	stopDovecot(): void;
	/** Starts Dovecot again on the same ports with the same mailboxes. */
	restartDovecot(): Promise<void>;
}
