/**
 * Connection failures that raise no event, and a mailbox whose identity changes (issue #4):
 * a half-open connection is found by the liveness check (NOOP with a timeout) and replaced; a
 * folder recreated under the trigger (new UIDVALIDITY) voids what was remembered by UID.
 */
import type { INodeParameters } from 'n8n-workflow';
import { Fail } from '../fixtures/nodes/Fail.node';
import { claimUser, composeMail, getStack, imapClient, stackUser } from '../support/mail-stack';
import { shutdownN8nEngine, startTrigger, type TriggerHandle } from '../support/n8n';
import { NODE, packageCredentialTypes, packageNodeTypes } from '../support/package-nodes';
import { startTcpRelay, type TcpRelay } from '../support/tcp-relay';

jest.setTimeout(90_000);

const handles: TriggerHandle[] = [];
const relays: TcpRelay[] = [];
afterEach(async () => {
	for (const h of handles.splice(0)) await h.close();
	for (const r of relays.splice(0)) await r.close();
});
afterAll(async () => {
	await shutdownN8nEngine();
});

async function until(what: string, check: () => boolean, timeoutMs: number) {
	const end = Date.now() + timeoutMs;
	while (!check()) {
		if (Date.now() > end) throw new Error(`timed out waiting for: ${what}`);
		await new Promise((r) => setTimeout(r, 100));
	}
}

async function appendTo(user: string, folder: string, subject: string) {
	const client = await imapClient(user);
	try {
		await client.append(
			folder,
			await composeMail({
				from: 'kunde@kunde.test',
				to: stackUser(user).address,
				subject,
				text: 'x',
			}),
		);
	} finally {
		await client.logout();
	}
}

async function start(user: string, port: number, parameters: INodeParameters, folder = 'INBOX') {
	const stack = getStack();
	const u = stackUser(user);
	const handle = await startTrigger({
		workflow: {
			nodes: [
				{
					name: 'Mail',
					type: NODE('mailCasesTrigger'),
					typeVersion: 1,
					position: [0, 0],
					parameters,
					credentials: { mailCasesMailbox: { id: 'box', name: 'Box' } },
				},
				{
					name: 'Check',
					type: 'test.fail',
					typeVersion: 1,
					position: [300, 0],
					parameters: { fail: '={{ $json.subject.includes("FAIL") }}' },
				},
			],
			connections: { Mail: { main: [[{ node: 'Check', type: 'main', index: 0 }]] } },
			settings: { executionOrder: 'v1' },
		},
		nodeTypes: { ...packageNodeTypes(), 'test.fail': Fail },
		credentialTypes: packageCredentialTypes(),
		credentials: {
			mailCasesMailbox: {
				box: {
					protocol: 'imap',
					host: stack.host,
					tls: 'implicit',
					port,
					user: u.address,
					password: u.password,
					folder,
					caCertificate: stack.caPem,
				},
			},
		},
		triggerNodeName: 'Mail',
		timeoutMs: 60_000,
	});
	handles.push(handle);
	return handle;
}

const subjects = (h: TriggerHandle) =>
	h.executions
		.filter((e) => e.status === 'success')
		.flatMap((e) => e.outputOf('Mail').map((i) => i.json.subject));

test('a half-open connection (no FIN, no RST) is detected by the NOOP timeout and replaced', async () => {
	const user = claimUser();
	const relay = await startTcpRelay(getStack().ports.imaps);
	relays.push(relay);
	const handle = await start(user, relay.port, {
		options: { pollIntervalSeconds: 1, connectionTimeoutSeconds: 2 },
	});
	await appendTo(user, 'INBOX', 'Vorher');
	await until('first mail', () => subjects(handle).includes('Vorher'), 20_000);
	const before = relay.connections;
	relay.freeze();
	await appendTo(user, 'INBOX', 'Nach dem Einfrieren');
	await until(
		'mail seen through a new connection',
		() => subjects(handle).includes('Nach dem Einfrieren'),
		30_000,
	);
	expect(relay.connections).toBeGreaterThan(before);
});

test('a folder recreated under the trigger (new UIDVALIDITY): mails with reused UIDs are not held back by old state', async () => {
	const user = claimUser();
	const setup = await imapClient(user);
	try {
		await setup.mailboxCreate('Tickets');
	} finally {
		await setup.logout();
	}
	// UID 1 fails and is given a long retry delay (10 min) …
	await appendTo(user, 'Tickets', 'FAIL alt');
	const handle = await start(
		user,
		getStack().ports.imaps,
		{ options: { pollIntervalSeconds: 1, retryDelaySeconds: 600, connectionTimeoutSeconds: 2 } },
		'Tickets',
	);
	await until(
		'first run failed',
		() => handle.executions.some((e) => e.status === 'error'),
		20_000,
	);
	// … then the folder is deleted and created again: its first new mail gets UID 1 again.
	const admin = await imapClient(user);
	try {
		await admin.mailboxDelete('Tickets');
		await admin.mailboxCreate('Tickets');
		await admin.append(
			'Tickets',
			await composeMail({
				from: 'kunde@kunde.test',
				to: stackUser(user).address,
				subject: 'Neu nach Neuanlage',
				text: 'x',
			}),
		);
		const status = await admin.status('Tickets', { uidNext: true });
		expect(status && status.uidNext).toBe(2);
	} finally {
		await admin.logout();
	}
	await until(
		'the new UID 1 processed at once',
		() => subjects(handle).includes('Neu nach Neuanlage'),
		30_000,
	).catch((e) => {
		console.log(
			JSON.stringify({
				failed: handle.failedExecutions.map((f) => f.message),
				errors: handle.errors.map((f) => f.message),
				execs: handle.executions.map((x) => [
					x.status,
					x.error?.message,
					JSON.stringify(
						x.run.data.resultData.runData.Mail?.[0]?.data?.main?.[0]?.map((i) => i.json.subject),
					),
				]),
			}),
		);
		throw e;
	});
});
