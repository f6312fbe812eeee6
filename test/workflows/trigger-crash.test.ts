/**
 * Crash path (issue #4, R-PLUS-1, R-PLUS-2): the process running the trigger is killed with
 * SIGKILL while runs are in flight — after a mail's case was committed but before the mail left
 * the server. After a restart every mail is processed exactly once downstream: nothing lost
 * (every mail has its case), nothing twice (the case store's Message-ID ledger turns the replay
 * into a no-op). Real Dovecot, real SQLite store, n8n's engine in a child process.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'fs';
import os from 'os';
import path from 'path';
import { openStore } from '../../lib/store';
import {
	claimUser,
	composeMail,
	deliver,
	getStack,
	listImap,
	stackUser,
} from '../support/mail-stack';
import { startTriggerChild, triggerChildren, until } from '../support/trigger-child-process';

jest.setTimeout(180_000);

const MAILS = 30;
const root = path.resolve(__dirname, '..', '..');
let dir: string;

beforeAll(() => {
	dir = mkdtempSync(path.join(os.tmpdir(), 'mail-cases-crash-'));
});
afterAll(() => {
	for (const child of triggerChildren) if (child.exitCode === null) child.kill('SIGKILL');
	rmSync(dir, { recursive: true, force: true });
});

test('SIGKILL while runs are in flight: after restart every mail has exactly one case (R-PLUS-1, R-PLUS-2)', async () => {
	const stack = getStack();
	const user = claimUser();
	const storePath = path.join(dir, 'cases.sqlite');
	const store = await openStore({ kind: 'sqlite', path: storePath });
	await store.workflows.create({
		name: 'Reklamation',
		active: true,
		fields: [{ name: 'Name', type: 'text', optional: true }],
	});
	await store.orgUnits.create({
		name: 'Kundendienst',
		kind: 'org_unit',
		members: ['notify@example.test'],
	});
	await store.close();

	for (let i = 1; i <= MAILS; i++) {
		await deliver(
			user,
			await composeMail({
				from: `kunde${i}@kunde.test`,
				to: stackUser(user).address,
				subject: `Reklamation ${i}`,
				text: `Name = Kunde ${i}`,
				messageId: `<crash-${i}@kunde.test>`,
			}),
		);
	}
	const spec = {
		triggerNodeName: 'Mail',
		reportNode: 'Create Case',
		workflow: {
			nodes: [
				{
					name: 'Mail',
					type: 'n8n-nodes-mail-cases.mailCasesTrigger',
					typeVersion: 1,
					position: [0, 0],
					parameters: {
						options: {
							mailsPerExecution: 2,
							maxConcurrentExecutions: 2,
							pollIntervalSeconds: 2,
							retryDelaySeconds: 1,
						},
					},
					credentials: { mailCasesMailbox: { id: 'box', name: 'Box' } },
				},
				{
					name: 'Create Case',
					type: 'n8n-nodes-mail-cases.createCaseFromMail',
					typeVersion: 1,
					position: [250, 0],
					parameters: { workflow: 'Reklamation', inboundWorkplace: 'Kundendienst' },
					credentials: { mailCasesStore: { id: 'store', name: 'Store' } },
				},
				// Keeps each run in flight after its case is committed: the window a crash must survive.
				{
					name: 'Sleep',
					type: 'test.sleep',
					typeVersion: 1,
					position: [500, 0],
					parameters: { ms: 1500 },
				},
			],
			connections: {
				Mail: { main: [[{ node: 'Create Case', type: 'main', index: 0 }]] },
				'Create Case': { main: [[{ node: 'Sleep', type: 'main', index: 0 }]] },
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
			mailCasesStore: { store: { kind: 'sqlite', path: storePath } },
		},
		extraNodeTypes: {
			'test.sleep': `${path.join(root, 'test', 'fixtures', 'nodes', 'Sleep.node.ts')}#Sleep`,
		},
	};
	const specFile = path.join(dir, 'spec.json');
	writeFileSync(specFile, JSON.stringify(spec));

	const first = startTriggerChild(specFile);
	await first.ready;
	// Kill at a moment when a run has committed its cases but not finished (so its mails are still
	// on the server): more cases in the store than in the finished runs.
	const committedCases = async () => {
		const s = await openStore({ kind: 'sqlite', path: storePath });
		try {
			return await s.countCases();
		} finally {
			await s.close();
		}
	};
	await until(
		'a run in flight with its cases committed',
		async () =>
			first.executions.length >= 2 && (await committedCases()) > first.executions.length * 2,
		60_000,
	);
	first.process.kill('SIGKILL');
	await new Promise((r) => first.process.once('exit', r));
	const leftAfterCrash = (await listImap(user)).length;
	expect(leftAfterCrash).toBeGreaterThan(0);
	expect(leftAfterCrash).toBeLessThan(MAILS);

	const second = startTriggerChild(specFile);
	await second.ready;
	await until('mailbox empty', async () => (await listImap(user)).length === 0, 120_000);
	second.process.kill('SIGTERM');
	await new Promise((r) => second.process.once('exit', r));

	const check = await openStore({ kind: 'sqlite', path: storePath });
	try {
		const cases = await check.cases.list({ limit: 1000 });
		// Nothing lost, nothing twice: one case per mail.
		expect(cases).toHaveLength(MAILS);
		expect(new Set(cases.map((c) => c.requesterAddress)).size).toBe(MAILS);
		for (const c of cases) expect(await check.activities.listForCase(c.id)).toHaveLength(1);
		expect(first.executions.concat(second.executions).every((e) => e.status === 'success')).toBe(
			true,
		);
		// The restart saw mails whose cases the killed process had already committed: the ledger
		// turned them into replays instead of second cases.
		const replays = second.executions.flatMap((e) => e.items ?? []).filter((i) => i.replayed);
		expect(replays.length).toBeGreaterThan(0);
	} finally {
		await check.close();
	}
});
