/**
 * Per-mail server errors (issue #11.4) against the real Dovecot: a mail Dovecot cannot read
 * (its Maildir file made unreadable for the mail user, uid 65534) must not block the mails
 * behind it. Dovecot answers such a FETCH not with a NO but by ending the session ("Disconnected:
 * FETCH failed" in its log), so this is the hardest case: the attempt counted before the FETCH
 * survives the lost connection, the mail waits its retry delay while the others are processed,
 * and it is quarantined after Max Attempts.
 */
import { chmodSync, readdirSync, readFileSync } from 'fs';
import path from 'path';
import { Fail } from '../fixtures/nodes/Fail.node';
import { claimUser, composeMail, deliver, getStack, listImap, stackUser } from '../support/mail-stack';
import { shutdownN8nEngine, startTrigger, type TriggerHandle } from '../support/n8n';
import { NODE, packageCredentialTypes, packageNodeTypes } from '../support/package-nodes';
import { until } from '../support/trigger-child-process';

jest.setTimeout(120_000);

let handle: TriggerHandle | undefined;
afterAll(async () => {
	await handle?.close();
	await shutdownN8nEngine();
});

/** The Maildir files (any folder) of a user whose content matches `pattern`. */
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

test('#11.4 a mail Dovecot cannot read (FETCH ends the session) does not block the next mails; quarantined after Max Attempts', async () => {
	const stack = getStack();
	const user = claimUser();
	const u = stackUser(user);
	// The broken mail is the oldest: before, it held every mail behind it.
	for (const subject of ['Kaputt', 'Danach 1', 'Danach 2', 'Danach 3']) {
		await deliver(user, await composeMail({ from: 'kunde@kunde.test', to: u.address, subject, text: 'x' }));
	}
	const [broken] = maildirFiles(user, '', /^Subject: Kaputt$/m);
	chmodSync(broken, 0o000);

	handle = await startTrigger({
		workflow: {
			nodes: [
				{
					name: 'Mail',
					type: NODE('mailCasesTrigger'),
					typeVersion: 1,
					position: [0, 0],
					parameters: { options: { maxAttempts: 3, retryDelaySeconds: 1, pollIntervalSeconds: 1, connectionTimeoutSeconds: 5 } },
					credentials: { mailCasesMailbox: { id: 'box', name: 'Box' } },
				},
				{ name: 'Check', type: 'test.fail', typeVersion: 1, position: [300, 0], parameters: { fail: false } },
			],
			connections: { Mail: { main: [[{ node: 'Check', type: 'main', index: 0 }]] } },
			settings: { executionOrder: 'v1' },
		},
		nodeTypes: { ...packageNodeTypes(), 'test.fail': Fail },
		credentialTypes: packageCredentialTypes(),
		credentials: { mailCasesMailbox: { box: { protocol: 'imap', host: stack.host, tls: 'implicit', port: stack.ports.imaps, user: u.address, password: u.password, caCertificate: stack.caPem } } },
		triggerNodeName: 'Mail',
		timeoutMs: 60_000,
	});
	const h = handle;
	const processed = () =>
		h.executions.filter((e) => e.status === 'success' && e.run.data.resultData.runData.Check).flatMap((e) => e.outputOf('Check').map((i) => i.json.subject as string));
	const reports = () => h.executions.flatMap((e) => e.outputOf('Mail', 2).map((i) => i.json as { reason: string }));

	await until('the three readable mails processed and the unreadable one quarantined', () => processed().length === 3 && reports().length === 1, 60_000);
	expect(processed().sort()).toEqual(['Danach 1', 'Danach 2', 'Danach 3']);
	expect(reports()).toHaveLength(1);
	expect(reports()[0].reason).toMatch(/^Failed 3 times; last error: The connection was lost while fetching it: /);
	expect(h.executions.every((e) => e.status === 'success')).toBe(true);

	// Readable again for the checks below (the test client would be disconnected as well).
	for (const file of maildirFiles(user, '.Quarantine')) chmodSync(file, 0o600);
	const quarantined = await listImap(user, 'Quarantine');
	expect(quarantined.map((m) => m.subject)).toEqual(['Kaputt']);
	expect(await listImap(user)).toHaveLength(0);
});
