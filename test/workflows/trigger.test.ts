/**
 * Mail Cases Trigger run by n8n's real trigger machinery (TriggerContext, donePromise resolved
 * from the real engine's run) against the real Dovecot: R-IN-1, R-PROC-4, R-PROC-7, R-PLUS-1,
 * R-PLUS-3. Mail is removed only after its run succeeded; failing mail is retried and
 * quarantined; classified mail is skipped or routed.
 */
import type { INodeParameters } from 'n8n-workflow';
import { Fail } from '../fixtures/nodes/Fail.node';
import {
	claimUser,
	composeMail,
	deliver,
	getStack,
	listImap,
	stackUser,
} from '../support/mail-stack';
import {
	shutdownN8nEngine,
	startTrigger,
	type TriggerHandle,
	type WorkflowJson,
} from '../support/n8n';
import { NODE, packageCredentialTypes, packageNodeTypes } from '../support/package-nodes';

jest.setTimeout(120_000);

const nodeTypes = { ...packageNodeTypes(), 'test.fail': Fail };
const credentialTypes = packageCredentialTypes();
const handles: TriggerHandle[] = [];

afterEach(async () => {
	for (const handle of handles.splice(0)) await handle.close();
});
afterAll(async () => {
	await shutdownN8nEngine();
});

function mailboxCredential(user: string, protocol: 'imap' | 'pop3') {
	const stack = getStack();
	const u = stackUser(user);
	return {
		protocol,
		host: stack.host,
		tls: 'implicit',
		port: protocol === 'imap' ? stack.ports.imaps : stack.ports.pop3s,
		user: u.address,
		password: u.password,
		folder: 'INBOX',
		caCertificate: stack.caPem,
	};
}

/** Trigger → Check (fails for subjects containing FAIL); second and third outputs left open. */
function triggerWorkflow(parameters: INodeParameters): WorkflowJson {
	return {
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
				parameters: {
					fail: '={{ $json.subject.includes("FAIL") }}',
					message: 'Rejected by the workflow',
				},
			},
		],
		connections: { Mail: { main: [[{ node: 'Check', type: 'main', index: 0 }]] } },
		settings: { executionOrder: 'v1' },
	};
}

async function start(
	user: string,
	protocol: 'imap' | 'pop3',
	parameters: INodeParameters,
	mode: 'trigger' | 'manual' = 'trigger',
) {
	const handle = await startTrigger({
		workflow: triggerWorkflow(parameters),
		nodeTypes,
		credentialTypes,
		credentials: { mailCasesMailbox: { box: mailboxCredential(user, protocol) } },
		triggerNodeName: 'Mail',
		mode,
		timeoutMs: 60_000,
	});
	handles.push(handle);
	return handle;
}

async function plant(user: string, subjects: string[], extra: Record<string, unknown> = {}) {
	for (const subject of subjects) {
		await deliver(
			user,
			await composeMail({
				from: '"Erika Mustermann" <erika@kunde.test>',
				to: stackUser(user).address,
				subject,
				text: `Text of ${subject}`,
				...extra,
			}),
		);
	}
}

/** Subjects of the mails the workflow processed successfully, over all executions. */
function processedSubjects(handle: TriggerHandle): string[] {
	return handle.executions
		.filter((e) => e.status === 'success' && e.run.data.resultData.runData.Check)
		.flatMap((e) => e.outputOf('Check').map((i) => i.json.subject as string));
}

/** What is left in the inbox, seen over IMAP (Dovecot serves the same mailbox to POP3 users). */
async function inbox(user: string, _protocol: 'imap' | 'pop3') {
	return listImap(user);
}

describe.each(['imap', 'pop3'] as const)('Mail Cases Trigger over %s', (protocol) => {
	test('a backlog of 50 mails → 50 executions → mailbox empty (R-PROC-4)', async () => {
		const user = claimUser();
		const subjects = Array.from({ length: 50 }, (_, i) => `Anfrage ${i + 1} – Grüße`);
		await plant(user, subjects);
		const handle = await start(user, protocol, {
			options: { mailsPerExecution: 1, pollIntervalSeconds: 2 },
		});
		await handle.waitForExecutions(50, 90_000);
		await waitUntilAsync(
			async () => (await inbox(user, protocol)).length === 0,
			20_000,
			'mailbox empty',
		);
		expect(handle.executions.every((e) => e.status === 'success')).toBe(true);
		expect(processedSubjects(handle).sort()).toEqual([...subjects].sort());
		// Each mail went through exactly one execution.
		expect(handle.executions).toHaveLength(50);
	});

	test('mails are grouped into executions (default 10 per run) and removed together after each run', async () => {
		const user = claimUser();
		const subjects = Array.from({ length: 25 }, (_, i) => `Gruppe ${i + 1}`);
		await plant(user, subjects);
		const handle = await start(user, protocol, { options: { pollIntervalSeconds: 2 } });
		await handle.waitForExecutions(3, 60_000);
		await waitUntilAsync(
			async () => (await inbox(user, protocol)).length === 0,
			20_000,
			'mailbox empty',
		);
		expect(handle.executions.map((e) => e.outputOf('Check').length)).toEqual([10, 10, 5]);
		expect(processedSubjects(handle).sort()).toEqual([...subjects].sort());
	});

	test('a run that fails leaves its mail; it is retried and then quarantined, the others are removed (R-PLUS-1)', async () => {
		const user = claimUser();
		await plant(user, ['Gut 1', 'FAIL Schlecht', 'Gut 2', 'Gut 3']);
		const handle = await start(user, protocol, {
			options: {
				maxAttempts: 3,
				retryDelaySeconds: 0,
				pollIntervalSeconds: 1,
				mailsPerExecution: 10,
			},
		});
		// The first run (all four) fails, then each runs alone at once (#13.3): three succeed; only
		// the bad one's solo runs count: it fails alone three times and is quarantined.
		await waitUntilAsync(
			async () => quarantineReports(handle).length === 1 && processedSubjects(handle).length === 3,
			60_000,
			'quarantine report and three processed mails',
		);
		expect(processedSubjects(handle).sort()).toEqual(['Gut 1', 'Gut 2', 'Gut 3']);
		const failedRuns = handle.executions.filter((e) => e.status === 'error');
		expect(failedRuns).toHaveLength(4);
		const [report] = quarantineReports(handle);
		expect(report.reason).toMatch(/Failed 3 times; last error: Rejected by the workflow/);
		if (protocol === 'imap') {
			await waitUntilAsync(async () => (await listImap(user)).length === 0, 10_000, 'inbox empty');
			const quarantined = await listImap(user, 'Quarantine');
			expect(quarantined.map((m) => m.subject)).toEqual(['FAIL Schlecht']);
			expect(quarantined[0].flags).toContain('$MailCasesQuarantined');
		} else {
			// POP3 has no folders: the mail stays on the server and is not retried any more.
			await waitUntilAsync(
				async () => (await listImap(user)).length === 1,
				10_000,
				'only the bad mail left',
			);
			const runsBefore = handle.executions.length;
			await new Promise((r) => setTimeout(r, 2500));
			expect(handle.executions.length).toBe(runsBefore);
			// The UIDL is remembered as quarantined in the workflow's static data, with the reason.
			const state = handle.staticData['node:Mail'] as {
				pop3: { quarantined: Record<string, string> };
			};
			expect(Object.values(state.pop3.quarantined)).toEqual([
				expect.stringMatching(/Failed 3 times/),
			]);
		}
	});

	test('auto-replies are skipped and removed, bounces go to the second output (R-PROC-7, R-PLUS-3)', async () => {
		const user = claimUser();
		await plant(user, ['Abwesenheitsnotiz: bin im Urlaub'], {
			headers: { 'Auto-Submitted': 'auto-replied' },
		});
		await plant(user, ['Out of office'], {});
		await plant(user, ['Echte Anfrage'], { headers: { 'Auto-Submitted': 'no' } });
		await deliver(user, dsn(stackUser(user).address));
		const handle = await start(user, protocol, { options: { pollIntervalSeconds: 1 } });
		await waitUntilAsync(
			async () => (await inbox(user, protocol)).length === 0,
			30_000,
			'mailbox empty',
		);
		expect(processedSubjects(handle)).toEqual(['Echte Anfrage']);
		const item = handle.executions.flatMap((e) => e.outputOf('Mail'))[0];
		expect(item.json.classification).toMatchObject({ class: 'normal' });
		// POP3 cannot move skipped mail aside: it emits it on the second output too (#13.4).
		const bounces = handle.executions
			.flatMap((e) => e.outputOf('Mail', 1))
			.filter((i) => (i.json.classification as { class: string }).class !== 'autoReply');
		expect(bounces).toHaveLength(1);
		expect(bounces[0].json.classification).toMatchObject({
			class: 'bounce',
			bouncedMessageId: '<notification-17@example.test>',
		});
	});

	test('oversized mail is quarantined and does not stop the mailbox', async () => {
		const user = claimUser();
		await plant(user, ['Vorher']);
		await deliver(
			user,
			Buffer.concat([
				Buffer.from(
					`From: a@kunde.test\r\nTo: ${stackUser(user).address}\r\nSubject: Zu gross\r\n\r\n`,
				),
				Buffer.alloc(1_200_000, 'x'),
			]),
		);
		await plant(user, ['Nachher']);
		const handle = await start(user, protocol, {
			options: { pollIntervalSeconds: 1, maxMessageMb: 1 },
		});
		await waitUntilAsync(
			async () => quarantineReports(handle).length === 1 && processedSubjects(handle).length === 2,
			30_000,
			'processed and quarantined',
		);
		expect(processedSubjects(handle).sort()).toEqual(['Nachher', 'Vorher']);
		expect(quarantineReports(handle)[0].reason).toMatch(/over the limit of 1048576 bytes/);
	});

	test('"fetch test event" shows the newest mail and removes nothing', async () => {
		const user = claimUser();
		await plant(user, ['Alt', 'Neueste Mail']);
		const handle = await start(user, protocol, {}, 'manual');
		await handle.waitForExecutions(1, 30_000);
		expect(handle.executions[0].outputOf('Mail').map((i) => i.json.subject)).toEqual([
			'Neueste Mail',
		]);
		expect((await inbox(user, protocol)).length).toBe(2);
	});
});

describe('Mail Cases Trigger over IMAP only', () => {
	test('mail arriving while the trigger idles is picked up through IDLE, long before the poll interval', async () => {
		const user = claimUser();
		const handle = await start(user, 'imap', { options: { pollIntervalSeconds: 600 } });
		await new Promise((r) => setTimeout(r, 1000));
		await plant(user, ['Während IDLE']);
		await handle.waitForExecutions(1, 20_000);
		expect(processedSubjects(handle)).toEqual(['Während IDLE']);
	});

	test('attachments become binary properties with decoded names; output item shape', async () => {
		const user = claimUser();
		await plant(user, ['Mit Anhang'], {
			cc: 'kollege@kunde.test',
			attachments: [
				{
					filename: 'Überweisung März.pdf',
					content: Buffer.from('%PDF-1.4 test'),
					contentType: 'application/pdf',
				},
			],
		});
		const handle = await start(user, 'imap', { options: { includeRaw: true } });
		await handle.waitForExecutions(1, 20_000);
		const [item] = handle.executions[0].outputOf('Mail');
		expect(item.json).toMatchObject({
			subject: 'Mit Anhang',
			from: { address: 'erika@kunde.test', name: 'Erika Mustermann' },
			cc: [{ address: 'kollege@kunde.test' }],
			mailbox: { protocol: 'imap', folder: 'INBOX' },
			attachments: [
				{
					filename: 'Überweisung März.pdf',
					contentType: 'application/pdf',
					binaryProperty: 'attachment_0',
				},
			],
		});
		expect(item.binary?.attachment_0).toMatchObject({
			fileName: 'Überweisung März.pdf',
			mimeType: 'application/pdf',
		});
		expect(item.binary?.message).toMatchObject({
			fileName: 'message.eml',
			mimeType: 'message/rfc822',
		});
	});

	test('disposition "move to folder" and "mark as read"', async () => {
		const moveUser = claimUser();
		await plant(moveUser, ['Verschieben']);
		const mover = await start(moveUser, 'imap', { disposition: 'move', moveFolder: 'Erledigt' });
		await mover.waitForExecutions(1, 20_000);
		await waitUntilAsync(
			async () => (await listImap(moveUser, 'Erledigt').catch(() => [])).length === 1,
			10_000,
			'moved',
		);
		expect((await listImap(moveUser)).length).toBe(0);
		// The attempt counted before the run (#11.3) does not follow the mail into the folder.
		expect(
			(await listImap(moveUser, 'Erledigt'))[0].flags.filter((f) => f.startsWith('$MailCasesFail')),
		).toEqual([]);

		const seenUser = claimUser();
		await plant(seenUser, ['Lesen']);
		const reader = await start(seenUser, 'imap', {
			disposition: 'markSeen',
			options: { pollIntervalSeconds: 1 },
		});
		await reader.waitForExecutions(1, 20_000);
		const done = (flags: string[] = []) =>
			flags.includes('$MailCasesDone') && !flags.some((f) => f.startsWith('$MailCasesFail'));
		await waitUntilAsync(
			async () => done((await listImap(seenUser))[0]?.flags),
			10_000,
			'flagged, attempt keyword cleared',
		);
		const [kept] = await listImap(seenUser);
		expect(kept.flags).toEqual(expect.arrayContaining(['\\Seen', '$MailCasesDone']));
		expect(kept.flags.filter((f) => f.startsWith('$MailCasesFail'))).toEqual([]);
		// Processed mail is not emitted again.
		await new Promise((r) => setTimeout(r, 2500));
		expect(reader.executions).toHaveLength(1);
	});
});

/** A delivery status notification (RFC 3464) for a notification we sent. */
function dsn(to: string): Buffer {
	return Buffer.from(
		[
			'From: Mail Delivery System <MAILER-DAEMON@mx.kunde.test>',
			`To: ${to}`,
			'Subject: Undelivered Mail Returned to Sender',
			'Auto-Submitted: auto-replied',
			'MIME-Version: 1.0',
			'Content-Type: multipart/report; report-type=delivery-status; boundary="b1"',
			'',
			'--b1',
			'Content-Type: text/plain',
			'',
			'Your message could not be delivered.',
			'--b1',
			'Content-Type: message/delivery-status',
			'',
			'Reporting-MTA: dns; mx.kunde.test',
			'',
			'Final-Recipient: rfc822; weg@kunde.test',
			'Action: failed',
			'Status: 5.1.1',
			'Diagnostic-Code: smtp; 550 5.1.1 user unknown',
			'--b1',
			'Content-Type: text/rfc822-headers',
			'',
			'Message-ID: <notification-17@example.test>',
			'Subject: [#2026-000017] Neue Nachricht',
			'--b1--',
			'',
		].join('\r\n'),
	);
}

function quarantineReports(handle: TriggerHandle): Array<{ key: string; reason: string }> {
	return handle.executions.flatMap((e) =>
		e.outputOf('Mail', 2).map((i) => i.json as { key: string; reason: string }),
	);
}

async function waitUntilAsync(
	check: () => Promise<boolean>,
	timeoutMs: number,
	what: string,
): Promise<void> {
	const end = Date.now() + timeoutMs;
	for (;;) {
		if (await check()) return;
		if (Date.now() > end) throw new Error(`timed out waiting for: ${what}`);
		await new Promise((r) => setTimeout(r, 200));
	}
}
