/**
 * The Exchange profile (R-EXO-1, R-EXO-2) in the nodes, run by n8n's real engine (trigger
 * machinery with done-promises, WorkflowExecute) against the local Microsoft identity platform
 * and Graph stand-in (test/support/fake-graph) with real MSAL tokens:
 *  - Mail Cases Trigger with "Mailbox Type" = Exchange: acknowledge after success, retries and
 *    quarantine (R-PROC-4, R-PLUS-1), dispositions, throttling and token expiry mid-run;
 *  - Send Mail with "Send Through" = Exchange: the exact MIME we composed reaches Graph;
 *  - the credential test `mailCasesExchangeTest` of the nodes (R-IN-3 analogue).
 * MSAL reaches the stand-in through the profile's custom cloud (authority host and Graph
 * endpoint = the stand-in's origin) and its CA certificate, as a sovereign cloud would be set up.
 */
import type {
	ICredentialDataDecryptedObject,
	ICredentialTestFunctions,
	INodeParameters,
} from 'n8n-workflow';
import { simpleParser } from 'mailparser';
import { buildOutgoingMessage } from '../../lib/mail/outgoing-message';
import { composeMime } from '../../lib/protocols/graph/graph-sender';
import {
	DONE_CATEGORY,
	FAIL_CATEGORY_PREFIX,
	QUARANTINE_CATEGORY,
	QUARANTINE_REASON_PROPERTY,
} from '../../lib/protocols/graph/graph-source';
import { MailCasesSendMail } from '../../nodes/MailCasesSendMail/MailCasesSendMail.node';
import { MailCasesTrigger } from '../../nodes/MailCasesTrigger/MailCasesTrigger.node';
import { EmitItems } from '../fixtures/nodes/EmitItems.node';
import { Fail } from '../fixtures/nodes/Fail.node';
import { MakeBytes, fixtureBytes } from '../fixtures/nodes/MakeBytes.node';
import { ManualTrigger } from '../fixtures/nodes/ManualTrigger.node';
import { rawMail, startWorld, type GraphWorld } from '../integration/graph/support';
import type { FakeMessage } from '../support/fake-graph';
import {
	runWorkflow,
	shutdownN8nEngine,
	startTrigger,
	waitUntil,
	type TriggerHandle,
	type WorkflowJson,
	type WorkflowNodeJson,
} from '../support/n8n';
import { NODE, packageCredentialTypes, packageNodeTypes } from '../support/package-nodes';

jest.setTimeout(60_000);

const nodeTypes = {
	...packageNodeTypes(),
	'test.fail': Fail,
	'n8n-nodes-base.manualTrigger': ManualTrigger,
	'test.emitItems': EmitItems,
	'test.makeBytes': MakeBytes,
};
const credentialTypes = packageCredentialTypes();

let world: GraphWorld;
const handles: TriggerHandle[] = [];

beforeEach(async () => {
	world = await startWorld();
});

afterEach(async () => {
	for (const handle of handles.splice(0)) await handle.close();
	await world.fake.stop();
});

afterAll(async () => {
	await shutdownN8nEngine();
});

/** The "Mail Cases Exchange Profile" credential as the editor stores it, pointing at the stand-in. */
function exchangeCredential(
	overrides: ICredentialDataDecryptedObject = {},
): ICredentialDataDecryptedObject {
	return {
		tenantId: world.tenant.id,
		clientId: world.app.clientId,
		authentication: 'secret',
		clientSecret: world.secret,
		mailbox: world.mailbox.upn,
		folder: 'Inbox',
		fromName: 'Kundenservice Müller & Söhne',
		cloud: 'custom',
		authorityHost: world.fake.origin,
		graphEndpoint: world.fake.origin,
		caCertificate: world.fake.caPem,
		...overrides,
	};
}

// ---------------------------------------------------------------------------------------------
// Trigger

/** Trigger (Exchange) → Check (fails for subjects containing FAIL); outputs 2 and 3 left open. */
function triggerWorkflow(parameters: INodeParameters): WorkflowJson {
	return {
		nodes: [
			{
				name: 'Mail',
				type: NODE('mailCasesTrigger'),
				typeVersion: 1,
				position: [0, 0],
				parameters: { mailboxType: 'exchange', ...parameters },
				credentials: { mailCasesExchange: { id: 'exo', name: 'Exchange' } },
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
	parameters: INodeParameters,
	credential = exchangeCredential(),
): Promise<TriggerHandle> {
	const handle = await startTrigger({
		workflow: triggerWorkflow(parameters),
		nodeTypes,
		credentialTypes,
		credentials: { mailCasesExchange: { exo: credential } },
		triggerNodeName: 'Mail',
		timeoutMs: 60_000,
	});
	handles.push(handle);
	return handle;
}

/** Seeds mails into the inbox; returns their Graph ids by subject. */
function seed(subjects: string[]): Map<string, string> {
	const ids = new Map<string, string>();
	for (const subject of subjects)
		ids.set(subject, world.mailbox.seed(rawMail(subject, `Text of ${subject}\r\nFeld = Wert`)));
	return ids;
}

const numbered = (count: number, prefix = 'Anfrage') =>
	Array.from({ length: count }, (_, i) => `${prefix} ${String(i + 1).padStart(3, '0')}`);

/** Subjects of the mails the workflow processed successfully, over all executions. */
function processedSubjects(handle: TriggerHandle): string[] {
	return handle.executions
		.filter((e) => e.status === 'success' && e.run.data.resultData.runData.Check)
		.flatMap((e) => e.outputOf('Check').map((i) => i.json.subject as string));
}

function quarantineReports(
	handle: TriggerHandle,
): Array<{ key: string; reason: string; protocol: string; folder: string }> {
	return handle.executions.flatMap((e) =>
		e
			.outputOf('Mail', 2)
			.map((i) => i.json as { key: string; reason: string; protocol: string; folder: string }),
	);
}

const subjectsIn = (folder: string) => world.mailbox.list(folder).map((m) => m.subject);

/** Value of a single-value extended property the client set (ids compare case-insensitively). */
function propertyOf(message: FakeMessage, id: string): string | undefined {
	for (const [key, value] of message.properties)
		if (key.toLowerCase() === id.toLowerCase()) return value;
	return undefined;
}

/** GET of the trigger folder itself: done once per connection (open), again only after a reconnect. */
const folderLookups = () =>
	world.fake
		.graphRequests()
		.filter((r) => r.method === 'GET' && /\/mailFolders\/inbox$/i.test(r.path));
const listings = () =>
	world.fake
		.graphRequests()
		.filter((r) => r.method === 'GET' && /\/mailFolders\/[^/]+\/messages$/.test(r.path));

describe('R-EXO-1: Mail Cases Trigger reading an Exchange mailbox through Microsoft Graph', () => {
	test('R-EXO-1 / R-PROC-4: 30 mails → 6 runs of 5 (Mails per Execution) → inbox empty, mails in Deleted Items', async () => {
		const subjects = numbered(30);
		const ids = seed(subjects);
		const handle = await start({ options: { mailsPerExecution: 5, pollIntervalSeconds: 1 } });
		await handle.waitForExecutions(6, 30_000);
		await waitUntil('inbox empty', () => world.mailbox.list('inbox').length === 0, 15_000);

		expect(handle.executions.map((e) => [e.status, e.outputOf('Check').length])).toEqual(
			Array.from({ length: 6 }, () => ['success', 5]),
		);
		expect(processedSubjects(handle)).toEqual(subjects); // oldest first
		expect(subjectsIn('deleteditems').sort()).toEqual([...subjects].sort());
		expect(handle.errors).toEqual([]);
		expect(handle.failedExecutions).toEqual([]);

		// The item shape is the one IMAP and POP3 mails have; the key is the Graph message id.
		const [first] = handle.executions[0].outputOf('Mail');
		expect(first.json).toMatchObject({
			subject: subjects[0],
			from: { address: 'erika@example.org', name: 'Erika Mustermann' },
			text: expect.stringContaining('Feld = Wert'),
			mailbox: {
				protocol: 'graph',
				folder: 'Inbox',
				key: ids.get(subjects[0]),
				mailbox: expect.stringContaining('service@contoso.example'),
			},
			classification: { class: 'normal' },
		});
		// Nothing else came after the backlog was done.
		expect(handle.executions).toHaveLength(6);
	});

	test('R-PLUS-1: a run that fails leaves its mail in the inbox, with the failed attempt counted on the server', async () => {
		const ids = seed(['FAIL Immer']);
		const handle = await start({
			options: { maxAttempts: 5, retryDelaySeconds: 3600, pollIntervalSeconds: 1 },
		});
		await handle.waitForExecutions(1, 20_000);
		expect(handle.executions[0].status).toBe('error');
		await waitUntil(
			'attempt recorded',
			() =>
				world.mailbox.messages
					.get(ids.get('FAIL Immer')!)
					?.categories.includes(`${FAIL_CATEGORY_PREFIX}1`) ?? false,
			10_000,
		);
		const [kept] = world.mailbox.list('inbox');
		expect(kept.id).toBe(ids.get('FAIL Immer'));
		expect(kept.isRead).toBe(false);
		expect(world.mailbox.list('deleteditems')).toEqual([]);
		expect(quarantineReports(handle)).toEqual([]);
	});

	test('R-PLUS-1: a failing mail is retried alone, then moved to the quarantine folder with the reason; the others are processed', async () => {
		const ids = seed(['Gut 1', 'FAIL Schlecht', 'Gut 2', 'Gut 3']);
		const handle = await start({
			options: {
				maxAttempts: 3,
				retryDelaySeconds: 0,
				pollIntervalSeconds: 1,
				mailsPerExecution: 10,
				quarantineFolder: 'Quarantäne',
			},
		});
		await waitUntil(
			'one quarantine report and three processed mails',
			() => quarantineReports(handle).length === 1 && processedSubjects(handle).length === 3,
			40_000,
		);
		await waitUntil('inbox empty', () => world.mailbox.list('inbox').length === 0, 10_000);

		expect(processedSubjects(handle).sort()).toEqual(['Gut 1', 'Gut 2', 'Gut 3']);
		// First run: all four fail together (not counted, #13.3); then the bad one fails alone
		// three times.
		const failed = handle.executions.filter((e) => e.status === 'error');
		expect(failed).toHaveLength(4);
		expect(failed.map((e) => e.error?.message)).toEqual(Array(4).fill('Rejected by the workflow'));

		const [report] = quarantineReports(handle);
		expect(report).toMatchObject({
			key: ids.get('FAIL Schlecht'),
			protocol: 'graph',
			folder: 'Inbox',
		});
		expect(report.reason).toMatch(/^Failed 3 times; last error: Rejected by the workflow/);

		// The quarantine folder was created on demand and holds the mail, marked and with the reason.
		const [quarantined, ...more] = world.mailbox.list('Quarantäne');
		expect(more).toEqual([]);
		expect(quarantined.subject).toBe('FAIL Schlecht');
		expect(quarantined.categories).toContain(QUARANTINE_CATEGORY);
		expect(propertyOf(quarantined, QUARANTINE_REASON_PROPERTY)).toBe(report.reason);
		expect(subjectsIn('deleteditems').sort()).toEqual(['Gut 1', 'Gut 2', 'Gut 3']);
	});

	test('R-PROC-4: "Delete Permanently" removes the mail for good (Graph permanentDelete), not into Deleted Items', async () => {
		seed(['Weg 1', 'Weg 2']);
		const handle = await start({
			disposition: 'permanentDelete',
			options: { pollIntervalSeconds: 1 },
		});
		await waitUntil('two processed', () => processedSubjects(handle).length === 2, 20_000);
		await waitUntil('inbox empty', () => world.mailbox.list('inbox').length === 0, 10_000);
		expect(world.mailbox.list('deleteditems')).toEqual([]);
		expect(world.mailbox.messages.size).toBe(0);
		const deletes = world.fake
			.graphRequests()
			.filter((r) => r.method === 'POST' && r.path.endsWith('/permanentDelete'));
		expect(deletes.map((r) => r.status)).toEqual([204, 204]);
	});

	test('R-PROC-4: "Move to Folder" (a path, created on demand) and "Mark as Read and Keep" (not emitted again)', async () => {
		seed(['Verschieben']);
		const mover = await start({
			disposition: 'move',
			moveFolder: 'Inbox/Erledigt',
			options: { pollIntervalSeconds: 1 },
		});
		await waitUntil('moved', () => world.mailbox.list('Inbox/Erledigt').length === 1, 20_000);
		expect(world.mailbox.list('inbox')).toEqual([]);
		expect(processedSubjects(mover)).toEqual(['Verschieben']);
		await mover.close();

		const ids = seed(['Lesen']);
		const reader = await start({ disposition: 'markSeen', options: { pollIntervalSeconds: 1 } });
		await waitUntil(
			'marked',
			() => world.mailbox.list('inbox')[0]?.categories.includes(DONE_CATEGORY) ?? false,
			20_000,
		);
		const [kept] = world.mailbox.list('inbox');
		expect(kept.id).toBe(ids.get('Lesen'));
		expect(kept.isRead).toBe(true);
		// Later listings skip it: count the listings, then wait for two more and check no run came.
		const seen = listings().length;
		await waitUntil('two more listings', () => listings().length >= seen + 2, 10_000);
		expect(reader.executions).toHaveLength(1);
	});

	test('R-EXO-1: throttling mid-listing (429 with Retry-After on the second page) is waited out; no reconnect, no mail lost', async () => {
		// 130 mails: the trigger lists 100 per page, so the first listing has a second page.
		const subjects = numbered(130);
		seed(subjects);
		world.fake.injectFault({
			method: 'GET',
			path: /\/mailFolders\/[^/]+\/messages$/,
			status: 429,
			retryAfter: 1,
			after: 1,
		});
		const handle = await start({ options: { mailsPerExecution: 50, pollIntervalSeconds: 1 } });
		await handle.waitForExecutions(3, 40_000);
		await waitUntil('inbox empty', () => world.mailbox.list('inbox').length === 0, 15_000);

		expect(processedSubjects(handle)).toEqual(subjects);
		expect(handle.executions.every((e) => e.status === 'success')).toBe(true);
		// The throttled request was the second page of the first listing; the same request was
		// repeated after the wait and answered.
		const all = listings();
		const throttled = all.findIndex((r) => r.fault);
		expect(throttled).toBe(1);
		expect(all[throttled].status).toBe(429);
		expect(new URLSearchParams(all[throttled].query).get('$skip')).toBe('100');
		expect(all[throttled + 1]).toMatchObject({ query: all[throttled].query, status: 200 });
		expect(all.filter((r) => r.fault)).toHaveLength(1);
		// Survived inside the request: the connection was never given up and opened again.
		expect(folderLookups()).toHaveLength(1);
		expect(handle.errors).toEqual([]);
	});

	test('R-EXO-2: the token is revoked mid-drain: Graph answers 401 once, a new token is fetched, the run goes on', async () => {
		const subjects = numbered(30);
		seed(subjects);
		let fetches = 0;
		world.fake.onRequest = (r) => {
			// After the 8th message download (in the middle of the second run's batch).
			if (r.method === 'GET' && r.path.endsWith('/$value') && r.status === 200 && ++fetches === 8)
				world.fake.expireTokens();
		};
		const handle = await start({ options: { mailsPerExecution: 5, pollIntervalSeconds: 1 } });
		await handle.waitForExecutions(6, 30_000);
		await waitUntil('inbox empty', () => world.mailbox.list('inbox').length === 0, 15_000);

		expect(processedSubjects(handle)).toEqual(subjects);
		expect(handle.executions.every((e) => e.status === 'success')).toBe(true);
		const refused = world.fake.graphRequests().filter((r) => r.status === 401);
		expect(refused).toHaveLength(1);
		expect(refused[0].path).toMatch(/\/\$value$/);
		expect(world.fake.tokenStats.issued).toBe(2);
		expect(folderLookups()).toHaveLength(1);
		expect(handle.errors).toEqual([]);
	});

	test('R-EXO-2: a profile the identity platform rejects is reported as a trigger error naming the secret (not showing it)', async () => {
		seed(['Bleibt']);
		const wrong = `${world.secret}-alt`;
		const handle = await startTrigger({
			workflow: triggerWorkflow({ options: { pollIntervalSeconds: 1 } }),
			nodeTypes,
			credentialTypes,
			credentials: { mailCasesExchange: { exo: exchangeCredential({ clientSecret: wrong }) } },
			triggerNodeName: 'Mail',
			reactivateOnEmitError: false,
		});
		handles.push(handle);
		const [error] = await handle.waitForErrors(1, 20_000);
		expect(error.message).toMatch(/client secret was rejected/);
		expect(error.message).not.toContain(wrong);
		expect(JSON.stringify(error)).not.toContain(wrong);
		expect(subjectsIn('inbox')).toEqual(['Bleibt']);
		expect(handle.executions).toEqual([]);
	});

	test('"fetch test event" (manual mode) shows the newest mail and removes nothing', async () => {
		seed(['Alt', 'Neueste Mail']);
		const handle = await startTrigger({
			workflow: triggerWorkflow({}),
			nodeTypes,
			credentialTypes,
			credentials: { mailCasesExchange: { exo: exchangeCredential() } },
			triggerNodeName: 'Mail',
			mode: 'manual',
			timeoutMs: 30_000,
		});
		handles.push(handle);
		await handle.waitForExecutions(1, 20_000);
		expect(handle.executions[0].outputOf('Mail').map((i) => i.json.subject)).toEqual([
			'Neueste Mail',
		]);
		expect(subjectsIn('inbox')).toEqual(['Alt', 'Neueste Mail']);
	});
});

// ---------------------------------------------------------------------------------------------
// Send Mail

const REPORT_BYTES = 70_000;

function sendWorkflow(sendParameters: INodeParameters, items = 1): WorkflowJson {
	const nodes: WorkflowNodeJson[] = [
		{
			name: 'Start',
			type: 'n8n-nodes-base.manualTrigger',
			typeVersion: 1,
			position: [0, 0],
			parameters: {},
		},
		{
			name: 'Items',
			type: 'test.emitItems',
			typeVersion: 1,
			position: [100, 0],
			parameters: { items: JSON.stringify(Array.from({ length: items }, (_, n) => ({ n }))) },
		},
		{
			name: 'Report',
			type: 'test.makeBytes',
			typeVersion: 1,
			position: [200, 0],
			parameters: {
				size: REPORT_BYTES,
				fileName: 'Prüfbericht Straße №5.pdf',
				mimeType: 'application/pdf',
				binaryProperty: 'report',
			},
		},
		{
			name: 'Note',
			type: 'test.makeBytes',
			typeVersion: 1,
			position: [300, 0],
			parameters: { size: 300, fileName: 'notiz.bin', binaryProperty: 'note' },
		},
		{
			name: 'Send Mail',
			type: NODE('mailCasesSendMail'),
			typeVersion: 1,
			position: [400, 0],
			parameters: { sendThrough: 'exchange', ...sendParameters },
			credentials: { mailCasesExchange: { id: 'exo', name: 'Exchange' } },
		},
	];
	return {
		nodes,
		connections: {
			Start: { main: [[{ node: 'Items', type: 'main', index: 0 }]] },
			Items: { main: [[{ node: 'Report', type: 'main', index: 0 }]] },
			Report: { main: [[{ node: 'Note', type: 'main', index: 0 }]] },
			Note: { main: [[{ node: 'Send Mail', type: 'main', index: 0 }]] },
		},
		settings: { executionOrder: 'v1' },
	};
}

async function runSend(wf: WorkflowJson, credential = exchangeCredential()) {
	return runWorkflow({
		workflow: wf,
		nodeTypes,
		credentialTypes,
		credentials: { mailCasesExchange: { exo: credential } },
		timeoutMs: 30_000,
	});
}

/** Masks what nodemailer makes up per build: the multipart boundary and the Date header. */
function normalised(mime: Buffer): string {
	return mime
		.toString('latin1')
		.replace(/_NmP-[0-9a-f]+-Part_/g, '_NmP-BOUNDARY-Part_')
		.replace(/^Date: .*$/m, 'Date: (masked)');
}

describe('R-EXO-1: Send Mail through the Exchange profile (Microsoft Graph)', () => {
	test('R-EXO-1 / R-PLUS-4: attachments and In-Reply-To/References reach Graph as exactly the MIME we compose', async () => {
		const subject = 'Ihre Anfrage: Größenänderung – Übersicht ✓ [#2026-000042]';
		const text = 'Grüße aus Köln!\nName = Mustermann\n.\n..eine Zeile mit Punkt\n';
		const html = '<p>Grüße aus <b>Köln</b> – “Zitat” €</p>';
		const messageId = '<antwort-42.7f3a@contoso.example>';
		const result = await runSend(
			sendWorkflow({
				operation: 'send',
				to: '"Jörg Ärger" <joerg@kunde.example>',
				subject,
				emailFormat: 'both',
				text,
				html,
				options: {
					attachments: 'report, note',
					cc: 'kollege@kunde.example',
					replyTo: 'antwort@contoso.example',
					inReplyTo: '<original-123@kunde.example>',
					references: '<root-1@kunde.example> <original-123@kunde.example>',
					messageId,
					headers: { header: [{ name: 'X-Case-Number', value: '2026-000042' }] },
				},
			}),
		);
		expect(result.status).toBe('success');
		const [out] = result.outputOf('Send Mail');
		expect(out.pairedItem).toEqual({ item: 0 });
		expect(out.json).toMatchObject({
			messageId,
			accepted: ['joerg@kunde.example', 'kollege@kunde.example'],
			rejected: [],
			from: 'service@contoso.example',
			subject,
			sentThrough: 'exchange',
			profileIsDefault: false,
		});

		expect(world.mailbox.sent).toHaveLength(1);
		const [sent] = world.mailbox.sent;
		expect(sent.kind).toBe('mime');
		const mime = sent.mime!;

		// The same OutgoingMessage composed here gives the same bytes (boundary and Date masked).
		const expected = await composeMime(
			buildOutgoingMessage({
				from: { address: 'service@contoso.example', name: 'Kundenservice Müller & Söhne' },
				to: '"Jörg Ärger" <joerg@kunde.example>',
				cc: 'kollege@kunde.example',
				replyTo: 'antwort@contoso.example',
				subject,
				text,
				html,
				attachments: [
					{
						filename: 'Prüfbericht Straße №5.pdf',
						content: fixtureBytes(REPORT_BYTES),
						contentType: 'application/pdf',
					},
					{
						filename: 'notiz.bin',
						content: fixtureBytes(300),
						contentType: 'application/octet-stream',
					},
				],
				headers: { 'X-Case-Number': '2026-000042' },
				inReplyTo: '<original-123@kunde.example>',
				references: '<root-1@kunde.example> <original-123@kunde.example>',
				messageId,
			}),
		);
		expect(normalised(mime)).toBe(normalised(expected));

		const parsed = await simpleParser(mime);
		expect(parsed.messageId).toBe(messageId);
		expect(parsed.from?.value).toEqual([
			{ address: 'service@contoso.example', name: 'Kundenservice Müller & Söhne' },
		]);
		expect(parsed.subject).toBe(subject);
		expect(parsed.text).toBe(text);
		expect(parsed.inReplyTo).toBe('<original-123@kunde.example>');
		expect(parsed.references).toEqual(['<root-1@kunde.example>', '<original-123@kunde.example>']);
		expect(parsed.headers.get('x-case-number')).toBe('2026-000042');
		expect(parsed.attachments.map((a) => [a.filename, a.contentType, a.size])).toEqual([
			['Prüfbericht Straße №5.pdf', 'application/pdf', REPORT_BYTES],
			['notiz.bin', 'application/octet-stream', 300],
		]);
		expect(parsed.attachments[0].content.equals(fixtureBytes(REPORT_BYTES))).toBe(true);
		expect(parsed.attachments[1].content.equals(fixtureBytes(300))).toBe(true);
	});

	test('R-EXO-2: every item of an execution is sent with one Graph client and one token', async () => {
		const result = await runSend(
			sendWorkflow(
				{
					operation: 'send',
					to: 'kunde@kunde.example',
					subject: '={{ "Serie " + $json.n }}',
					emailFormat: 'text',
					text: 'x',
				},
				3,
			),
		);
		expect(result.status).toBe('success');
		expect(result.outputOf('Send Mail').map((i) => [i.pairedItem, i.json.subject])).toEqual(
			[0, 1, 2].map((item) => [{ item }, `Serie ${item}`]),
		);
		expect(
			world.mailbox.sent.map((s) => /^Subject: (.*)$/m.exec(s.mime!.toString('utf8'))?.[1]),
		).toEqual(['Serie 0', 'Serie 1', 'Serie 2']);
		expect(world.fake.tokenStats.issued).toBe(1);
	});

	test('R-OUT-7 / R-EXO-2: Send Test Mail through the Exchange profile gets a token and sends a test mail', async () => {
		const result = await runSend(
			sendWorkflow({ operation: 'sendTest', testRecipient: 'admin@example.org' }),
		);
		expect(result.status).toBe('success');
		const [item] = result.outputOf('Send Mail');
		expect(item.json).toMatchObject({ success: true, recipient: 'admin@example.org' });
		expect(item.json.message).toMatch(
			/^Connected to service@contoso\.example on custom cloud localhost:\d+ \(tenant [0-9a-f-]+, app [0-9a-f-]+\); test mail sent to admin@example\.org$/,
		);
		expect(world.mailbox.sent).toHaveLength(1);
		const parsed = await simpleParser(world.mailbox.sent[0].mime!);
		expect(parsed.messageId).toBe(item.json.messageId);
		expect(parsed.subject).toBe('Mail Cases: test mail');
		expect(
			parsed.to && !Array.isArray(parsed.to) ? parsed.to.value.map((a) => a.address) : [],
		).toEqual(['admin@example.org']);
	});

	test('R-EXO-2: a wrong client secret fails the run naming the secret, without showing it; continueOnFail gives an error item', async () => {
		const wrong = `${world.secret}-alt`;
		const params = {
			operation: 'send',
			to: 'kunde@kunde.example',
			subject: 'x',
			emailFormat: 'text',
			text: 'x',
		};
		const failed = await runSend(sendWorkflow(params), exchangeCredential({ clientSecret: wrong }));
		expect(failed.status).toBe('error');
		expect(failed.error?.message).toMatch(/client secret was rejected .*Paste the secret's Value/);
		expect(JSON.stringify(failed.run.data.resultData)).not.toContain(wrong);
		expect(world.mailbox.sent).toEqual([]);

		const wf = sendWorkflow(params);
		wf.nodes.find((n) => n.name === 'Send Mail')!.onError = 'continueRegularOutput';
		const continued = await runSend(wf, exchangeCredential({ clientSecret: wrong }));
		expect(continued.status).toBe('success');
		const [item] = continued.outputOf('Send Mail');
		expect(item.json.error).toMatch(/client secret was rejected/);
		expect(item.pairedItem).toEqual({ item: 0 });
	});
});

// ---------------------------------------------------------------------------------------------
// Credential test

describe('R-EXO-2 / R-IN-3: the Exchange profile test of the nodes (mailCasesExchangeTest)', () => {
	const credentialTestOf = (node: MailCasesTrigger | MailCasesSendMail) =>
		node.methods.credentialTest.mailCasesExchangeTest;
	const testFunctions = {} as ICredentialTestFunctions;
	const decrypted = (data: ICredentialDataDecryptedObject) => ({
		id: 'exo',
		name: 'Exchange',
		type: 'mailCasesExchange',
		data,
	});

	test('the Exchange credential entries are tested by mailCasesExchangeTest and switched by the node parameters', () => {
		expect(new MailCasesTrigger().description.credentials).toEqual([
			expect.objectContaining({
				name: 'mailCasesMailbox',
				testedBy: 'mailCasesMailboxTest',
				displayOptions: { show: { mailboxType: ['mailbox'] } },
			}),
			expect.objectContaining({
				name: 'mailCasesExchange',
				testedBy: 'mailCasesExchangeTest',
				displayOptions: { show: { mailboxType: ['exchange'] } },
			}),
		]);
		expect(new MailCasesSendMail().description.credentials).toEqual([
			expect.objectContaining({
				name: 'mailCasesSmtp',
				testedBy: 'mailCasesSmtpTest',
				displayOptions: { show: { sendThrough: ['smtp'] } },
			}),
			expect.objectContaining({
				name: 'mailCasesExchange',
				testedBy: 'mailCasesExchangeTest',
				displayOptions: { show: { sendThrough: ['exchange'] } },
			}),
			// only for the options Record on Case / Send Once Per; without it the embedded store
			{ name: 'mailCasesStore', required: false, testedBy: 'mailCasesStoreTest' },
		]);
		expect(Object.keys(new MailCasesSendMail().methods.credentialTest).sort()).toEqual([
			'mailCasesExchangeTest',
			'mailCasesSmtpTest',
			'mailCasesStoreTest',
		]);
	});

	test('success: "Connected to … : N mails in Inbox", from the trigger and from Send Mail', async () => {
		seed(['eins', 'zwei', 'drei']);
		for (const node of [new MailCasesTrigger(), new MailCasesSendMail()]) {
			const result = await credentialTestOf(node).call(
				testFunctions,
				decrypted(exchangeCredential()),
			);
			expect(result.status).toBe('OK');
			expect(result.message).toMatch(
				/^Connected to service@contoso\.example on custom cloud localhost:\d+ \(tenant [0-9a-f-]+, app [0-9a-f-]+\): 3 mails in Inbox$/,
			);
			expect(result.message).not.toContain(world.secret);
		}
	});

	test('a wrong client secret: the message names the secret as the wrong part and never shows it', async () => {
		const wrong = `${world.secret}-old`;
		const result = await credentialTestOf(new MailCasesTrigger()).call(
			testFunctions,
			decrypted(exchangeCredential({ clientSecret: wrong })),
		);
		expect(result.status).toBe('Error');
		expect(result.message).toMatch(
			/^The client secret was rejected for app [0-9a-f-]+ in tenant "[0-9a-f-]+" \(AADSTS7000215\)\. Paste the secret's Value \(not its Secret ID\)/,
		);
		expect(result.message).not.toContain(wrong);
		expect(result.message).not.toContain(world.secret);
	});
});
