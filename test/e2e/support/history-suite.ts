/**
 * Issue #14's acceptance in a real n8n (each version's test file calls `describeHistoryInN8n`):
 * the ticket-system template, imported and activated with real credentials, against the test
 * Postfix → Dovecot and the template's embedded SQLite store, with its own n8n server and a
 * headless Chromium signed in to n8n's editor.
 *
 * 1. A customer's request opens a case (acknowledgement, the inbound workplace notified); the
 *    customer's reply carries `Field = Value` lines — one known field (a field change), one
 *    unknown (Field-line feedback on the case); a bounce of our acknowledgement arrives (the
 *    trigger's bounce output → Mail Case → Record Delivery Failure); a request from an address
 *    Postfix rejects with 550 opens a case whose acknowledgement is rejected — recorded on the
 *    case, the run stays green (On Permanent Rejection: record and continue).
 * 2. Every run is findable: the execution detail (REST) carries the custom data — subject,
 *    sender, Message-ID, mail count, case number and outcome (#14.3).
 * 3. In the browser: an execution opened from the workflow's executions shows the mail's subject
 *    (Create Case's output) and its case number (the acknowledgement's output); the history read
 *    with Mail Case → Get (a manual run in the editor; Split Out and Edit Fields make the
 *    activities a table) lists incoming mail, acknowledgement and notifications, the field
 *    change, the feedback and the bounce in the order they happened.
 *
 * 4. A quarantine alert (#14.5): a mail whose run fails (Create Case From Mail names a case
 *    workflow that does not exist; Max Attempts 1) is quarantined; the trigger's quarantine output
 *    sends Alert Admin's mail, which arrives in the admin's mailbox naming the mail's subject,
 *    sender, date, Message-ID, size, reason and kind; in the browser the quarantine run's
 *    execution shows Alert Admin with the report as input and the alert as output.
 *
 * With MAIL_CASES_SCREENSHOTS=docs the 2.41.1 run writes docs/execution-case.png (an execution's
 * acknowledgement output), docs/case-history.png (the history table) and
 * docs/quarantine-alert.png (Alert Admin in the quarantine run's execution).
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import type { FrameLocator, Locator, Page } from 'playwright-core';

import {
	address,
	claimUser,
	deliver,
	getStack,
	listImap,
	waitForMail,
} from '../../support/mail-stack';
import { loadTemplate, readTemplate } from '../../support/templates';
import { launchBrowser, screenshot, signIn, type EditorBrowser } from './browser';
import { openWorkflow } from './editor-canvas';
import { describeExecutions, outputOf, type Item } from './executions';
import { REPO_ROOT, requireFromHarness, type N8nVersion } from './harness-folder';
import type { CreatedWorkflow, ExecutionDetails, ExecutionSummary } from './n8n-rest';
import { OWNER, startN8n, type N8nServer } from './n8n-server';
import { packedTarball } from './package-tarball';
import { mailboxData, smtpData } from './profiles';
import {
	CASE_REF,
	closeAllStores,
	embeddedStoreConfig,
	getStore,
	seedStore,
	sendViaPostfix,
	type People,
} from './ticket-world';
import { waitFor } from './wait';

const TEST_MS = 360_000;
const ALERT_TEST_MS = 240_000;
const MAIL_MS = 90_000;
const TRIGGER = 'Mail Cases Trigger';
const CREATE = 'Create Case From Mail';
const HISTORY = 'Case History';
const ALERT = 'Alert Admin';
const DOCS_VERSION: N8nVersion = '2.41.1';
const DOCS_DIR = path.join(REPO_ROOT, 'docs');

/** Execution detail as n8n's REST API gives it, with the custom data (#14.3). */
type Detail = ExecutionDetails & { customData?: Record<string, string> };

const finished = (e: ExecutionSummary) => e.status === 'success' || e.status === 'error';

/** A delivery status notification (RFC 3464) from a customer's mail server for `messageId`. */
function bounceOf(to: string, recipient: string, messageId: string, subject: string): Buffer {
	return Buffer.from(
		[
			'From: Mail Delivery System <MAILER-DAEMON@mx.kunde.test>',
			`To: ${to}`,
			'Subject: Undelivered Mail Returned to Sender',
			'Auto-Submitted: auto-replied',
			`Message-ID: <bounce-${randomUUID()}@mx.kunde.test>`,
			'MIME-Version: 1.0',
			'Content-Type: multipart/report; report-type=delivery-status; boundary="b1"',
			'',
			'--b1',
			'Content-Type: text/plain',
			'',
			'Your message could not be delivered: the mailbox is full.',
			'--b1',
			'Content-Type: message/delivery-status',
			'',
			'Reporting-MTA: dns; mx.kunde.test',
			'',
			`Final-Recipient: rfc822; ${recipient}`,
			'Action: failed',
			'Status: 5.2.2',
			'Diagnostic-Code: smtp; 552 5.2.2 mailbox full',
			'--b1',
			'Content-Type: text/rfc822-headers',
			'',
			`Message-ID: ${messageId}`,
			`Subject: ${subject}`,
			'--b1--',
			'',
		].join('\r\n'),
	);
}

/**
 * Where n8n draws an execution's canvas: 1.123 in an iframe (`workflow-preview-iframe`), 2.41 in
 * the page itself. Waits until the node named `node` is drawn in either.
 */
async function executionCanvas(page: Page, node: string): Promise<Page | FrameLocator> {
	const selector = `.vue-flow [data-node-name="${node}"][data-node-type]`;
	const frame = page.frameLocator('iframe[data-test-id="workflow-preview-iframe"]');
	return waitFor(
		async () => {
			if (await page.locator(selector).count()) return page;
			if (await page.locator('iframe[data-test-id="workflow-preview-iframe"]').count())
				if (await frame.locator(selector).count()) return frame;
			return undefined;
		},
		120_000,
		`the execution's canvas with node "${node}"`,
	);
}

/** Opens a node's output (double click on the canvas node) and shows it as JSON or a table. */
async function nodeOutput(
	root: Page | FrameLocator,
	node: string,
	mode: 'JSON' | 'Table',
): Promise<Locator> {
	await root.locator(`.vue-flow [data-node-name="${node}"][data-node-type]`).dblclick();
	const output = root.locator('[data-test-id="output-panel"]');
	await output.waitFor();
	await output
		.locator('[data-test-id="ndv-run-data-display-mode"]')
		.getByText(mode, { exact: true })
		.click();
	return output;
}

/** Closes the node view (NDV) that is open: its × (2.41) or "Back to canvas" (1.123). */
async function closeNodeView(root: Page | FrameLocator): Promise<void> {
	const close = root.locator('[data-test-id="ndv-close-button"]');
	if (await close.count()) await close.first().click();
	else await root.getByText('Back to canvas', { exact: true }).first().click();
	await root.locator('[data-test-id="output-panel"]').waitFor({ state: 'detached' });
}

/** One Edit Fields (Set) value of the readable history. */
const column = (name: string, value: string) => ({
	id: randomUUID(),
	name,
	value: `={{ ${value} }}`,
	type: 'string',
});

/** Defines issue #14's e2e acceptance for one n8n version (own n8n server and browser). */
export function describeHistoryInN8n(version: N8nVersion): void {
	describe(`case history and findable runs in a real n8n ${version}`, () => {
		let n8n: N8nServer | undefined;
		let browser: EditorBrowser | undefined;
		let artifactsDir = '';
		const docsShots = process.env.MAIL_CASES_SCREENSHOTS === 'docs' && version === DOCS_VERSION;
		const docs = (file: string) => (docsShots ? [path.join(DOCS_DIR, file)] : []);
		const parseFlatted = (text: string) =>
			requireFromHarness<{ parse: (t: string) => unknown }>(version, 'flatted').parse(text);

		beforeAll(async () => {
			artifactsDir = mkdtempSync(path.join(os.tmpdir(), `mail-cases-e2e-history-${version}-`));
			n8n = await startN8n({ version, tarball: packedTarball(), caFile: getStack().caFile });
			browser = await launchBrowser(artifactsDir);
			await signIn(browser.page, n8n.baseUrl, OWNER);
		}, 360_000);

		afterAll(async () => {
			try {
				await browser?.close();
				await closeAllStores();
			} finally {
				await n8n?.stop();
				if (artifactsDir)
					process.stderr.write(`e2e: n8n ${version} history screenshots in ${artifactsDir}\n`);
			}
		}, 60_000);

		test(
			"#14: the ticket template with a reply carrying Field lines, a bounce of our acknowledgement and a recipient Postfix rejects (550): every run green and findable by its custom data; the browser shows an execution's subject and case number and the case history from Mail Case → Get in order",
			async () => {
				if (!n8n || !browser)
					throw new Error(`n8n ${version} or Chromium did not start (see the beforeAll error)`);
				const server = n8n;
				const b = browser;
				try {
					await scenario(server, b);
				} catch (error) {
					const e = error as Error;
					const shot = await screenshot(b, 'failed-history').catch(
						(x: Error) => `(no screenshot: ${x.message})`,
					);
					e.message += `\n--- screenshot: ${shot}\n--- n8n ${version} log (last lines) ---\n${server.logTail(80)}`;
					throw e;
				}
			},
			TEST_MS,
		);

		test(
			'#14.5: a mail whose run fails is quarantined and the admin gets the alert naming its subject, sender, date, Message-ID, size, reason and kind; the browser shows Alert Admin in the quarantine run with the report as input and the alert as output',
			async () => {
				if (!n8n || !browser)
					throw new Error(`n8n ${version} or Chromium did not start (see the beforeAll error)`);
				const server = n8n;
				const b = browser;
				try {
					await quarantineAlert(server, b);
				} catch (error) {
					const e = error as Error;
					const shot = await screenshot(b, 'failed-quarantine-alert').catch(
						(x: Error) => `(no screenshot: ${x.message})`,
					);
					e.message += `\n--- screenshot: ${shot}\n--- n8n ${version} log (last lines) ---\n${server.logTail(80)}`;
					throw e;
				}
			},
			ALERT_TEST_MS,
		);

		async function quarantineAlert(server: N8nServer, b: EditorBrowser): Promise<void> {
			const { rest, baseUrl } = server;
			const inbox = claimUser();
			const admin = claimUser();
			const customer = claimUser();
			const token = randomUUID().slice(0, 6);
			const mailbox = await rest.createCredential(
				`Alert ${token} mailbox`,
				'mailCasesMailbox',
				mailboxData(inbox),
			);
			const smtp = await rest.createCredential(
				`Alert ${token} SMTP`,
				'mailCasesSmtp',
				// the profile marked default, as the template's note asks for system mail
				smtpData(inbox, { isDefault: true }),
			);
			const missingWorkflow = `Reklamation ${token}`;
			const template = loadTemplate('ticket-system', {
				name: `${readTemplate('ticket-system').name} (quarantine alert ${token})`,
				credentials: { mailCasesMailbox: mailbox, mailCasesSmtp: smtp },
				parameters: {
					[TRIGGER]: { options: { pollIntervalSeconds: 5, retryDelaySeconds: 2, maxAttempts: 1 } },
					// every new case fails: the case workflow it names does not exist
					[CREATE]: { workflow: missingWorkflow },
					[ALERT]: { to: address(admin) },
				},
			});
			const subject = `Rechnung 2026-117 doppelt abgebucht ${token}`;
			const messageId = `<rechnung-${token}@kunde.test>`;
			await deliver(
				inbox,
				Buffer.from(
					[
						`From: "Erika Schulz" <${address(customer)}>`,
						`To: ${address(inbox)}`,
						`Subject: ${subject}`,
						`Message-ID: ${messageId}`,
						'Date: Sat, 05 Dec 2026 09:30:00 +0000',
						'MIME-Version: 1.0',
						'Content-Type: text/plain; charset=utf-8',
						'',
						'Guten Tag,',
						'',
						'die Rechnung wurde zweimal abgebucht. Bitte prüfen Sie das.',
						'',
						'Erika Schulz',
						'',
					].join('\r\n'),
				),
				{ from: address(customer) },
			);
			const workflow: CreatedWorkflow = await rest.createWorkflow(template as never);
			await rest.activateWorkflow(workflow);
			const executions = () => rest.listExecutions(workflow.id);
			const why = async () =>
				`${describeExecutions(await executions())}; INBOX: ${
					(await listImap(inbox)).map((m) => m.subject).join(' | ') || 'empty'
				}`;

			// The alert in the admin's mailbox: the failed run, then the quarantine run.
			const alert = await waitForMail(admin, (m) => m.subject.includes(token), MAIL_MS).catch(
				async (error: Error) => {
					error.message += `; ${await why()}`;
					throw error;
				},
			);
			const list = await waitFor(
				async () => {
					const all = await executions();
					return all.length >= 2 && all.every(finished) ? all : undefined;
				},
				MAIL_MS,
				'the failed run and the quarantine run finished',
				why,
			);
			await rest.deactivateWorkflow(workflow);
			const runs = (
				(await Promise.all(list.map((e) => rest.getExecution(e.id, parseFlatted)))) as Detail[]
			).sort((x, y) => Number(x.id) - Number(y.id));
			expect(runs.map((e) => e.status)).toEqual(['error', 'success']);
			const failure = String(runs[0].data.resultData.error?.message);
			expect(failure).toContain(missingWorkflow);
			const quarantineRun = runs[1];
			const [report] = outputOf(quarantineRun, TRIGGER, 2);
			expect(report.json).toMatchObject({
				kind: 'failed',
				subject,
				from: address(customer),
				messageId,
				size: expect.any(Number),
			});
			const reason = String(report.json.reason);
			expect(reason).toContain(missingWorkflow);
			const [sent] = outputOf(quarantineRun, ALERT);
			const alertSubject = `[Mail Cases] Mail quarantined (failed): ${subject} from ${address(customer)}`;
			expect(sent.json).toMatchObject({ sent: true, subject: alertSubject });

			// What the admin got: the mail's facts, the reason and the kind; loop-safe headers.
			expect(alert.subject).toBe(alertSubject);
			expect(alert.to).toEqual([address(admin)]);
			expect(alert.parsed.headers.get('auto-submitted')).toBe('auto-generated');
			for (const line of [
				`Subject:    ${subject}`,
				`From:       Erika Schulz <${address(customer)}>`,
				'Date:       2026-12-05T09:30:00.000Z',
				`Message-ID: ${messageId}`,
				`Size:       ${String(report.json.size)} bytes`,
				`Reason:     ${reason}`,
			])
				expect(alert.text).toContain(line);
			expect(alert.text).toContain('kind: failed');
			// The mail itself waits in Quarantine; the customer was not told.
			expect((await listImap(inbox, 'Quarantine')).map((m) => m.messageId)).toEqual([messageId]);
			expect(await listImap(customer)).toEqual([]);

			// The browser: the quarantine run's execution, Alert Admin opened — the report as its
			// input, the alert mail's subject as its output.
			const page = b.page;
			await page.goto(`${baseUrl}/workflow/${workflow.id}/executions/${quarantineRun.id}`, {
				waitUntil: 'domcontentloaded',
			});
			const canvas = await executionCanvas(page, ALERT);
			const output = await nodeOutput(canvas, ALERT, 'JSON');
			await output.getByText(alertSubject).first().waitFor();
			const input = canvas.locator('[data-test-id="ndv-input-panel"]');
			await input
				.locator('[data-test-id="ndv-run-data-display-mode"]')
				.getByText('JSON', { exact: true })
				.click();
			// (JSON view: the reason's quotes escaped, so a part of it without quotes)
			for (const text of [
				messageId,
				'does not exist in the case store',
				'2026-12-05T09:30:00.000Z',
				'"failed"',
			])
				await input.getByText(text).first().waitFor();
			await screenshot(b, 'quarantine-alert', docs('quarantine-alert.png'));
			await closeNodeView(canvas);
		}

		async function scenario(server: N8nServer, b: EditorBrowser): Promise<void> {
			const { rest, baseUrl } = server;
			const inbox = claimUser();
			const admin = claimUser();
			const people: People = {
				agentA: claimUser(),
				agentB: claimUser(),
				customers: [claimUser()],
				backOffice: claimUser(),
			};
			const [customer] = people.customers;
			const token = randomUUID().slice(0, 6);
			const store = await getStore(embeddedStoreConfig(server.userFolder));
			const seeded = await seedStore(store, people, `H-${version}-${token}`);

			const mailbox = await rest.createCredential(
				`History ${token} mailbox`,
				'mailCasesMailbox',
				mailboxData(inbox),
			);
			const smtp = await rest.createCredential(
				`History ${token} SMTP`,
				'mailCasesSmtp',
				smtpData(inbox),
			);
			const template = loadTemplate('ticket-system', {
				name: `${readTemplate('ticket-system').name} (history ${token})`,
				credentials: { mailCasesMailbox: mailbox, mailCasesSmtp: smtp },
				parameters: {
					[TRIGGER]: { options: { pollIntervalSeconds: 5, retryDelaySeconds: 2 } },
					[CREATE]: { workflow: seeded.workflow.name, inboundWorkplace: seeded.unit.name },
					'Alert Admin': { to: address(admin) },
				},
			});
			const workflow: CreatedWorkflow = await rest.createWorkflow(template as never);
			await rest.activateWorkflow(workflow);

			const executions = () => rest.listExecutions(workflow.id);
			const why = async () =>
				`${describeExecutions(await executions())}; INBOX: ${
					(await listImap(inbox)).map((m) => m.subject).join(' | ') || 'empty'
				}`;
			/** Waits for `count` finished executions and the INBOX empty; all of them green. */
			const runs = async (count: number): Promise<Detail[]> => {
				const list = await waitFor(
					async () => {
						const all = await executions();
						if (all.length < count || !all.every(finished)) return undefined;
						return (await listImap(inbox)).length === 0 ? all : undefined;
					},
					MAIL_MS,
					`${count} finished executions and an empty INBOX`,
					why,
				);
				const details = (await Promise.all(
					list.map((e) => rest.getExecution(e.id, parseFlatted)),
				)) as Detail[];
				for (const e of details)
					expect({
						execution: e.id,
						status: e.status,
						error: e.data.resultData.error?.message,
					}).toEqual({ execution: e.id, status: 'success', error: undefined });
				return details.sort((x, y) => Number(x.id) - Number(y.id));
			};

			// 1. The request: a case, its acknowledgement, the inbound workplace notified.
			const subject = `Heizung fällt aus ${token}`;
			const requestId = await sendViaPostfix({
				from: `"Erika Schulz" <${address(customer)}>`,
				to: address(inbox),
				subject,
				text: 'Guten Tag,\n\nunsere Heizung läuft nicht. Bitte rufen Sie zurück.\n\nErika Schulz',
			});
			const ack = await waitFor(
				async () =>
					(await listImap(customer)).find(
						(m) => CASE_REF.test(m.subject) && m.subject.includes(token),
					),
				MAIL_MS,
				'the acknowledgement',
				why,
			);
			const number = CASE_REF.exec(ack.subject)![1];
			const [created] = await runs(1);
			expect(created.customData).toEqual({
				subject,
				from: address(customer),
				messageId: requestId,
				mails: '1',
				caseNumber: number,
				outcome: expect.any(String) as unknown as string,
			});
			expect(created.customData!.outcome.split('; ').sort()).toEqual([
				'acknowledgement sent',
				'agents notified',
				'case created',
			]);

			// 2. The customer's reply: one known field, one unknown (feedback on the case).
			await sendViaPostfix({
				from: `"Erika Schulz" <${address(customer)}>`,
				to: address(inbox),
				subject: `Re: ${ack.subject}`,
				inReplyTo: ack.messageId,
				references: [ack.messageId!],
				text: 'Vertragsnummer = V-4711\nFarbe = blau\n\nDanke!',
			});
			const [, replied] = await runs(2);
			expect(replied.customData).toMatchObject({
				subject: `Re: ${ack.subject}`,
				caseNumber: number,
				outcome: 'added to case; agents notified',
			});

			// 3. Our acknowledgement bounces at the customer's server.
			await deliver(
				inbox,
				bounceOf(address(inbox), address(customer), ack.messageId!, ack.subject),
			);
			const [, , bounced] = await runs(3);
			expect(outputOf(bounced, TRIGGER, 1)).toHaveLength(1);
			expect(bounced.customData).toMatchObject({
				subject: 'Undelivered Mail Returned to Sender',
				caseNumber: number,
				outcome: 'delivery failure recorded',
			});

			// 4. A request from an address Postfix does not know: its acknowledgement gets 550.
			const unknown = `niemand-${token}@${getStack().domain}`;
			await deliver(
				inbox,
				Buffer.from(
					[
						`From: "Unbekannt" <${unknown}>`,
						`To: ${address(inbox)}`,
						`Subject: Vertippte Adresse ${token}`,
						`Message-ID: <typo-${token}@kunde.test>`,
						'Date: Sat, 05 Dec 2026 10:00:00 +0000',
						'Content-Type: text/plain; charset=utf-8',
						'',
						'Bitte melden Sie sich.',
						'',
					].join('\r\n'),
				),
			);
			const [, , , rejected] = await runs(4);
			const rejectedNumber = String(
				(outputOf(rejected, CREATE)[0]?.json.case as { number?: string } | undefined)?.number,
			);
			expect(rejected.customData).toMatchObject({
				subject: `Vertippte Adresse ${token}`,
				caseNumber: rejectedNumber,
			});
			expect(rejected.customData!.outcome.split('; ').sort()).toEqual([
				'acknowledgement rejected',
				'agents notified',
				'case created',
			]);
			const rejectedCase = await store.cases.requireByNumber(rejectedNumber);
			const rejectedHistory = await store.activities.listForCase(rejectedCase.id, { limit: 100 });
			expect(
				rejectedHistory.filter(
					(a) => a.kind === 'outgoing_mail' && a.purpose === 'acknowledgement',
				),
			).toEqual([
				expect.objectContaining({
					outcome: 'rejected',
					outcomeDetail: expect.stringContaining('550'),
				}),
			]);

			// 5. The browser: the first execution shows the mail's subject and case number.
			const page = b.page;
			await page.goto(`${baseUrl}/workflow/${workflow.id}/executions/${created.id}`, {
				waitUntil: 'domcontentloaded',
			});
			const canvas = await executionCanvas(page, CREATE);
			const createOutput = await nodeOutput(canvas, CREATE, 'JSON');
			await createOutput.getByText(subject).first().waitFor();
			await closeNodeView(canvas);
			// the acknowledgement's output: its subject (case reference + the mail's) and the case number
			const ackOutput = await nodeOutput(canvas, 'Send Acknowledgement', 'JSON');
			await ackOutput.getByText(`"${number}"`).first().waitFor();
			await ackOutput.getByText(ack.subject).first().waitFor();
			await screenshot(b, 'execution-case', docs('execution-case.png'));
			await closeNodeView(canvas);

			// 6. The history with Mail Case → Get, run in the editor as a user would.
			// Mail Case → Get with activities; Split Out and Edit Fields make it a readable table.
			const manual = 'When clicking ‘Execute workflow’';
			const reader = await rest.createWorkflow({
				name: `Case history ${number} (${token})`,
				nodes: [
					{
						name: manual,
						type: 'n8n-nodes-base.manualTrigger',
						typeVersion: 1,
						position: [0, 0],
						parameters: {},
					},
					{
						name: HISTORY,
						type: 'n8n-nodes-mail-cases.mailCase',
						typeVersion: 1,
						position: [220, 0],
						parameters: {
							resource: 'case',
							operation: 'get',
							caseNumber: number,
							includeActivities: true,
						},
					},
					{
						name: 'Activities',
						type: 'n8n-nodes-base.splitOut',
						typeVersion: 1,
						position: [440, 0],
						parameters: { fieldToSplitOut: 'activities', include: 'noOtherFields', options: {} },
					},
					{
						name: 'History',
						type: 'n8n-nodes-base.set',
						typeVersion: 3.4,
						position: [660, 0],
						parameters: {
							assignments: {
								assignments: [
									column('time', 'new Date($json.createdAt).toISOString().slice(11, 19)'),
									column(
										'activity',
										"$json.kind + ($json.purpose ? ' (' + $json.purpose + ')' : '')",
									),
									column('outcome', "$json.outcome || '-'"),
									column(
										'about',
										"$json.fieldName ? $json.fieldName + ' = ' + $json.newValue : $json.subject || '-'",
									),
									column('detail', "($json.outcomeDetail || '-').slice(0, 60)"),
								],
							},
							options: {},
						},
					},
				],
				connections: {
					[manual]: { main: [[{ node: HISTORY, type: 'main', index: 0 }]] },
					[HISTORY]: { main: [[{ node: 'Activities', type: 'main', index: 0 }]] },
					Activities: { main: [[{ node: 'History', type: 'main', index: 0 }]] },
				},
			});
			await openWorkflow(page, baseUrl, reader.id);
			await page.locator('[data-test-id="execute-workflow-button"]').first().click();
			const readerRun = await waitFor(
				async () => {
					const [latest] = await rest.listExecutions(reader.id);
					return latest && finished(latest) ? latest : undefined;
				},
				MAIL_MS,
				'the manual run of Mail Case → Get',
			);
			expect(readerRun.status).toBe('success');
			const historyTable = await nodeOutput(page, 'History', 'Table');
			for (const text of [
				'delivery_failure',
				'bounced',
				'field_feedback',
				'Vertragsnummer = V-4711',
			])
				await historyTable.getByText(text).first().waitFor();
			await screenshot(b, 'case-history', docs('case-history.png'));

			const detail = await rest.getExecution(readerRun.id, parseFlatted);
			const [item] = outputOf(detail, HISTORY) as Item[];
			type Row = {
				kind: string;
				purpose?: string | null;
				outcome?: string | null;
				outcomeDetail?: string | null;
				subject?: string | null;
				fieldName?: string | null;
				newValue?: unknown;
			};
			const activities = item.json.activities as Row[];
			const at = (what: string, match: (a: Row) => boolean) => {
				const index = activities.findIndex(match);
				expect({ what, found: index >= 0 }).toEqual({ what, found: true });
				return index;
			};
			const request = at(
				'the request',
				(a) => a.kind === 'incoming_mail' && a.subject === subject && !a.outcome,
			);
			const acknowledgement = at(
				'our acknowledgement, bounced',
				(a) => a.kind === 'outgoing_mail' && a.purpose === 'acknowledgement',
			);
			const notification = at(
				'the notification of the new case',
				(a) => a.kind === 'outgoing_mail' && a.purpose === 'notification',
			);
			const reply = at(
				'the reply',
				(a) => a.kind === 'incoming_mail' && a.subject === `Re: ${ack.subject}`,
			);
			const fieldChange = at(
				'the field change',
				(a) => a.kind === 'field_change' && a.fieldName === 'Vertragsnummer',
			);
			const feedback = at(
				'the Field-line feedback',
				(a) => a.kind === 'note' && a.outcome === 'field_feedback',
			);
			const bounce = at(
				'the bounce',
				(a) => a.kind === 'incoming_mail' && a.outcome === 'delivery_failure',
			);
			expect(activities[acknowledgement]).toMatchObject({ outcome: 'bounced' });
			expect(activities[fieldChange].newValue).toBe('V-4711');
			expect(String(activities[bounce].outcomeDetail)).toContain('552');
			expect(request).toBeLessThan(Math.min(acknowledgement, notification));
			expect(Math.max(acknowledgement, notification)).toBeLessThan(reply);
			expect(reply).toBeLessThan(Math.min(fieldChange, feedback));
			expect(Math.max(fieldChange, feedback)).toBeLessThan(bounce);

			await rest.deactivateWorkflow(workflow);
		}
	});
}
