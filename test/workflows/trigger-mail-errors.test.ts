/**
 * Per-mail server errors (issue #11.4) against the real Dovecot: one mail the server cannot or
 * will not hand out must not block the mails behind it, and counts against that mail only.
 * - IMAP, unreadable Maildir file (mode 000 for the mail user, uid 65534): Dovecot answers the
 *   FETCH not with a NO but by ending the session ("Disconnected: FETCH failed" in its log). The
 *   attempt counted before the FETCH survives the lost connection, the mail waits its retry
 *   delay while the others are processed, and it is quarantined after Max Attempts.
 * - IMAP, a tagged NO to one UID FETCH while the session lives: counted against the mail, no
 *   reconnect. Dovecot gives no such NO for FETCH, so a relay in front of it answers for it.
 * - POP3, the same unreadable file: Dovecot answers RETR with "-ERR Message 2 expunged." and the
 *   session goes on; counted against the mail, quarantined in the workflow's static data.
 */
import { chmodSync, readdirSync, readFileSync } from 'fs';
import path from 'path';
import { Fail } from '../fixtures/nodes/Fail.node';
import {
	claimUser,
	composeMail,
	deliver,
	getStack,
	listImap,
	stackUser,
} from '../support/mail-stack';
import { shutdownN8nEngine, startTrigger, type TriggerHandle } from '../support/n8n';
import { NODE, packageCredentialTypes, packageNodeTypes } from '../support/package-nodes';
import { startTcpRelay, type TcpRelay } from '../support/tcp-relay';
import { until } from '../support/trigger-child-process';

jest.setTimeout(120_000);

const handles: TriggerHandle[] = [];
const relays: TcpRelay[] = [];
afterEach(async () => {
	for (const h of handles.splice(0)) await h.close();
	for (const r of relays.splice(0)) await r.close();
});
afterAll(async () => {
	await shutdownN8nEngine();
});

async function plant(user: string, subjects: string[]): Promise<void> {
	for (const subject of subjects) {
		await deliver(
			user,
			await composeMail({
				from: 'kunde@kunde.test',
				to: stackUser(user).address,
				subject,
				text: 'x',
			}),
		);
	}
}

/** The Maildir files of a user's folder ('' = INBOX, '.Quarantine', …), optionally by content. */
function maildirFiles(user: string, folder: string, pattern?: RegExp): string[] {
	const base = path.join(getStack().dir, 'mail', stackUser(user).address, 'Maildir', folder);
	const found: string[] = [];
	for (const sub of ['new', 'cur']) {
		let names: string[] = [];
		try {
			names = readdirSync(path.join(base, sub));
		} catch {
			continue;
		}
		for (const name of names) {
			const file = path.join(base, sub, name);
			if (!pattern || pattern.test(readFileSync(file, 'latin1'))) found.push(file);
		}
	}
	return found;
}

/** Trigger → Check (passes every mail); the Quarantined output is read from the trigger's runs. */
async function startCheckTrigger(
	box: Record<string, string | number>,
	options: Record<string, number>,
): Promise<TriggerHandle> {
	const handle = await startTrigger({
		workflow: {
			nodes: [
				{
					name: 'Mail',
					type: NODE('mailCasesTrigger'),
					typeVersion: 1,
					position: [0, 0],
					parameters: { options },
					credentials: { mailCasesMailbox: { id: 'box', name: 'Box' } },
				},
				{
					name: 'Check',
					type: 'test.fail',
					typeVersion: 1,
					position: [300, 0],
					parameters: { fail: false },
				},
			],
			connections: { Mail: { main: [[{ node: 'Check', type: 'main', index: 0 }]] } },
			settings: { executionOrder: 'v1' },
		},
		nodeTypes: { ...packageNodeTypes(), 'test.fail': Fail },
		credentialTypes: packageCredentialTypes(),
		credentials: { mailCasesMailbox: { box } },
		triggerNodeName: 'Mail',
		timeoutMs: 60_000,
	});
	handles.push(handle);
	return handle;
}

function boxOf(user: string, protocol: 'imap' | 'pop3') {
	const stack = getStack();
	const u = stackUser(user);
	const port = protocol === 'imap' ? stack.ports.imaps : stack.ports.pop3s;
	return {
		protocol,
		host: stack.host,
		tls: 'implicit',
		port,
		user: u.address,
		password: u.password,
		caCertificate: stack.caPem,
	};
}

const processed = (h: TriggerHandle) =>
	h.executions
		.filter((e) => e.status === 'success' && e.run.data.resultData.runData.Check)
		.flatMap((e) => e.outputOf('Check').map((i) => i.json.subject as string));
const reports = (h: TriggerHandle) =>
	h.executions.flatMap((e) => e.outputOf('Mail', 2).map((i) => i.json as { reason: string }));

test('#11.4 IMAP: a mail Dovecot cannot read (FETCH ends the session) does not block the next mails; quarantined after Max Attempts', async () => {
	const user = claimUser();
	// The broken mail is the oldest: before, it held every mail behind it.
	await plant(user, ['Kaputt', 'Danach 1', 'Danach 2', 'Danach 3']);
	const [broken] = maildirFiles(user, '', /^Subject: Kaputt$/m);
	chmodSync(broken, 0o000);

	const h = await startCheckTrigger(boxOf(user, 'imap'), {
		maxAttempts: 3,
		retryDelaySeconds: 1,
		pollIntervalSeconds: 1,
		connectionTimeoutSeconds: 5,
	});
	await until(
		'the three readable mails processed and the unreadable one quarantined',
		() => processed(h).length === 3 && reports(h).length === 1,
		60_000,
	);
	expect(processed(h).sort()).toEqual(['Danach 1', 'Danach 2', 'Danach 3']);
	expect(reports(h)).toHaveLength(1);
	expect(reports(h)[0].reason).toMatch(
		/^Failed 3 times; last error: The connection was lost while fetching it: /,
	);
	expect(h.executions.every((e) => e.status === 'success')).toBe(true);

	// Readable again for the checks below (the test's own client would be disconnected as well).
	for (const file of maildirFiles(user, '.Quarantine')) chmodSync(file, 0o600);
	expect((await listImap(user, 'Quarantine')).map((m) => m.subject)).toEqual(['Kaputt']);
	expect(await listImap(user)).toHaveLength(0);
});

/** True when the IMAP UID set (`3`, `1,4`, `2:5`) names `uid`. */
function uidSetHas(set: string, uid: number): boolean {
	return set.split(',').some((part) => {
		const [from, to = from] = part.split(':').map(Number);
		return uid >= Math.min(from, to) && uid <= Math.max(from, to);
	});
}

test('#11.4 IMAP: a tagged NO to one UID FETCH counts against that mail: the session lives on, the next mails are processed', async () => {
	const stack = getStack();
	const user = claimUser();
	await plant(user, ['Abgelehnt', 'Danach A', 'Danach B']);
	const refusedUid = (await listImap(user)).find((m) => m.subject === 'Abgelehnt')!.uid;
	// A relay in front of the real Dovecot (its plain-text port) answers a FETCH of the bytes of
	// that UID - alone, or in the UID set of a batch (#17.6) - with the NO a server may give
	// ("NO [SERVERBUG]", "NO [UNAVAILABLE]"); it never reaches Dovecot.
	const relay = await startTcpRelay(stack.ports.imap, '127.0.0.1', {
		answerClient: (chunk) => {
			const command = /^(\S+) UID FETCH ([\d,:]+) \(.*BODY\.PEEK\[\]/.exec(chunk);
			return command && uidSetHas(command[2], refusedUid)
				? `${command[1]} NO [SERVERBUG] Internal error occurred (test relay)\r\n`
				: undefined;
		},
	});
	relays.push(relay);
	const box = { ...boxOf(user, 'imap'), host: '127.0.0.1', tls: 'off', port: relay.port };
	const h = await startCheckTrigger(box, {
		maxAttempts: 2,
		retryDelaySeconds: 1,
		pollIntervalSeconds: 1,
	});
	await until(
		'the other mails processed and the refused one quarantined',
		() => processed(h).length === 2 && reports(h).length === 1,
		60_000,
	);
	expect(processed(h).sort()).toEqual(['Danach A', 'Danach B']);
	expect(reports(h)[0].reason).toMatch(
		new RegExp(
			`^Failed 2 times; last error: IMAP error at .* while fetching UID ${refusedUid}: Internal error occurred \\(test relay\\)`,
		),
	);
	// Counted against the mail, not the connection: one session throughout, no outage.
	expect(relay.connections).toBe(1);
	expect(h.failedExecutions).toHaveLength(0);
	expect((await listImap(user, 'Quarantine')).map((m) => m.subject)).toEqual(['Abgelehnt']);
	expect(await listImap(user)).toHaveLength(0);
});

test('#11.4 POP3: RETR answered -ERR for one mail counts against it; the session goes on, the next mails are processed', async () => {
	const user = claimUser();
	await plant(user, ['Kaputt', 'Danach 1', 'Danach 2']);
	const [broken] = maildirFiles(user, '', /^Subject: Kaputt$/m);
	chmodSync(broken, 0o000);

	const h = await startCheckTrigger(boxOf(user, 'pop3'), {
		maxAttempts: 2,
		retryDelaySeconds: 1,
		pollIntervalSeconds: 1,
	});
	await until(
		'the readable mails processed and the unreadable one quarantined',
		() => processed(h).length === 2 && reports(h).length === 1,
		60_000,
	);
	expect(processed(h).sort()).toEqual(['Danach 1', 'Danach 2']);
	expect(reports(h)[0].reason).toMatch(
		/^Failed 2 times; last error: POP3 error at .*RETR failed: /,
	);
	expect(h.failedExecutions).toHaveLength(0);
	// POP3 has no folders: the UIDL is remembered as quarantined, its attempt count is gone.
	const state = h.staticData['node:Mail'] as {
		pop3: { quarantined: Record<string, string>; attempts: Record<string, number> };
	};
	expect(Object.values(state.pop3.quarantined)).toEqual([expect.stringMatching(/^Failed 2 times/)]);
	expect(state.pop3.attempts).toEqual({});

	for (const file of maildirFiles(user, '')) chmodSync(file, 0o600); // Dovecot moved it to cur/
	expect((await listImap(user)).map((m) => m.subject)).toEqual(['Kaputt']);
});
