/**
 * Poison mail (issue #11.3, R-PLUS-1): a mail whose run kills the n8n process. The attempt is
 * counted on the server (IMAP keyword) before the run starts, so the crash does not erase it;
 * after Max Attempts restarts the mail is quarantined before it is fetched or run again, and the
 * other mails are processed. Real Dovecot, n8n's engine in a child process that the workflow
 * itself kills with SIGKILL.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'fs';
import os from 'os';
import path from 'path';
import {
	claimUser,
	composeMail,
	deliver,
	getStack,
	listImap,
	stackUser,
} from '../support/mail-stack';
import {
	startTriggerChild,
	triggerChildren,
	until,
	type TriggerChild,
} from '../support/trigger-child-process';

jest.setTimeout(240_000);

const root = path.resolve(__dirname, '..', '..');
let dir: string;

beforeAll(() => {
	dir = mkdtempSync(path.join(os.tmpdir(), 'mail-cases-poison-'));
});
afterAll(() => {
	for (const child of triggerChildren)
		if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
	rmSync(dir, { recursive: true, force: true });
});

test('#11.3 a mail whose run kills n8n is quarantined after Max Attempts restarts; the other mails are processed', async () => {
	const stack = getStack();
	const user = claimUser();
	const subjects = ['Gut 1', 'CRASH Gift', 'Gut 2', 'Gut 3'];
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
	const spec = {
		triggerNodeName: 'Mail',
		reportNode: 'Quarantined',
		workflow: {
			nodes: [
				{
					name: 'Mail',
					type: 'n8n-nodes-mail-cases.mailCasesTrigger',
					typeVersion: 1,
					position: [0, 0],
					parameters: {
						options: {
							maxAttempts: 3,
							mailsPerExecution: 10,
							pollIntervalSeconds: 1,
							retryDelaySeconds: 1,
						},
					},
					credentials: { mailCasesMailbox: { id: 'box', name: 'Box' } },
				},
				{
					name: 'Crash',
					type: 'test.crash',
					typeVersion: 1,
					position: [250, 0],
					parameters: { crash: '={{ $json.subject.includes("CRASH") }}' },
				},
				{
					name: 'Quarantined',
					type: 'test.crash',
					typeVersion: 1,
					position: [250, 200],
					parameters: { crash: false },
				},
			],
			connections: {
				Mail: {
					main: [
						[{ node: 'Crash', type: 'main', index: 0 }],
						[],
						[{ node: 'Quarantined', type: 'main', index: 0 }],
					],
				},
			},
			settings: { executionOrder: 'v1' },
		},
		credentials: {
			mailCasesMailbox: {
				box: {
					protocol: 'imap',
					host: stack.host,
					tls: 'implicit',
					port: stack.ports.imaps,
					user: stackUser(user).address,
					password: stackUser(user).password,
					caCertificate: stack.caPem,
				},
			},
		},
		extraNodeTypes: {
			'test.crash': `${path.join(root, 'test', 'fixtures', 'nodes', 'Crash.node.ts')}#Crash`,
		},
	};
	const specFile = path.join(dir, 'spec.json');
	writeFileSync(specFile, JSON.stringify(spec));

	let crashes = 0;
	let last: TriggerChild | undefined;
	for (let start = 1; start <= 6; start++) {
		const child = startTriggerChild(specFile);
		last = child;
		let gone = false;
		void child.exited.then(() => (gone = true));
		await child.ready;
		await until(
			'the workflow killed the process, or the inbox is empty',
			async () => gone || (await listImap(user)).length === 0,
			90_000,
		);
		if (!gone) break;
		expect(await child.exited).toBe('SIGKILL');
		crashes++;
		if (crashes === 1) {
			// The first run had all four mails and died: each was counted before it, on the server.
			const flags = (await listImap(user)).map((m) => m.flags);
			expect(flags).toHaveLength(4);
			for (const f of flags) expect(f).toContain('$MailCasesFail1');
		}
	}
	expect(crashes).toBe(3);

	// Quarantined before a fourth run, with a reason that says what happened and what to do.
	await until('quarantine reported', () => last!.executions.some((e) => e.items?.length), 30_000);
	const report = last!.executions.flatMap((e) => e.items ?? [])[0] as { reason: string };
	expect(report.reason).toMatch(/3 runs were started for this mail and the last ended abnormally/);
	expect(report.reason).toMatch(/put the mail back into the mailbox folder/);
	const quarantined = await listImap(user, 'Quarantine');
	expect(quarantined.map((m) => m.subject)).toEqual(['CRASH Gift']);
	expect(quarantined[0].flags).toContain('$MailCasesQuarantined');
	// Its attempt count stays behind: moved back after a fix, it starts afresh.
	expect(quarantined[0].flags.some((f) => f.startsWith('$MailCasesFail'))).toBe(false);
	// The others were processed (removed only after their runs succeeded), none failed.
	expect(await listImap(user)).toHaveLength(0);
	expect(last!.executions.every((e) => e.status === 'success')).toBe(true);

	last!.process.kill('SIGTERM');
	await last!.exited;
});
