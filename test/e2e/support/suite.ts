/**
 * The e2e scenarios, run against each pinned n8n version (one test file per version calls
 * `describeInN8n`): the packed package installed into a real n8n server, driven through n8n's
 * REST API like the editor drives it, against the test Dovecot/Postfix.
 */
import { randomUUID } from 'node:crypto';

import {
	address,
	claimUser,
	deliver,
	composeMail,
	getStack,
	listImap,
	waitForMail,
} from '../../support/mail-stack';
import { packageCredentialTypes, packageNodeTypes } from '../../support/package-nodes';
import { requireFromHarness, type N8nVersion } from './harness-folder';
import type { WorkflowDefinition } from './n8n-rest';
import { describeExecutions, outputOf } from './executions';
import { startN8n, type N8nServer } from './n8n-server';
import { mailboxData, smtpData } from './profiles';
import { packedTarball } from './package-tarball';
import { templateTests } from './template-suite';
import { sleep, waitFor } from './wait';

export { waitFor };

export const PACKAGE = 'n8n-nodes-mail-cases';
const type = (name: string) => `${PACKAGE}.${name}`;

/** Delivers a customer's mail into a test user's INBOX (Dovecot LMTP). */
async function plantMail(user: string, subject: string): Promise<void> {
	await deliver(
		user,
		await composeMail({
			from: '"Erika Mustermann" <erika@kunde.test>',
			to: address(user),
			subject,
			text: `Text von ${subject}`,
		}),
	);
}

/** Mail Cases Trigger → IF subject contains FAIL → Stop and Error | Send Mail. */
function rejectingWorkflow(
	mailbox: { id: string; name: string },
	smtp: { id: string; name: string },
	recipient: string,
): WorkflowDefinition {
	return {
		name: `E2E trigger → reject FAIL → send (${randomUUID().slice(0, 8)})`,
		nodes: [
			{
				name: 'Mail Cases Trigger',
				type: type('mailCasesTrigger'),
				typeVersion: 1,
				position: [0, 0],
				parameters: {
					mailboxType: 'mailbox',
					disposition: 'delete',
					// One mail per run, a failed mail retried once after 1 s, then quarantined.
					options: {
						mailsPerExecution: 1,
						maxAttempts: 2,
						retryDelaySeconds: 1,
						pollIntervalSeconds: 5,
					},
				},
				credentials: { mailCasesMailbox: mailbox },
			},
			{
				name: 'Subject Has FAIL',
				type: 'n8n-nodes-base.if',
				typeVersion: 2.2,
				position: [300, 0],
				parameters: {
					conditions: {
						options: { caseSensitive: true, leftValue: '', typeValidation: 'strict', version: 2 },
						conditions: [
							{
								id: randomUUID(),
								leftValue: '={{ $json.subject }}',
								rightValue: 'FAIL',
								operator: { type: 'string', operation: 'contains' },
							},
						],
						combinator: 'and',
					},
					options: {},
				},
			},
			{
				name: 'Reject',
				type: 'n8n-nodes-base.stopAndError',
				typeVersion: 1,
				position: [600, -150],
				parameters: {
					errorType: 'errorMessage',
					errorMessage: 'Rejected by the e2e workflow: subject contains FAIL',
				},
			},
			{
				name: 'Send Mail',
				type: type('mailCasesSendMail'),
				typeVersion: 1,
				position: [600, 150],
				parameters: {
					sendThrough: 'smtp',
					operation: 'send',
					to: recipient,
					subject: '={{ "Bearbeitet: " + $json.subject }}',
					emailFormat: 'text',
					text: '={{ "Eingang: " + $json.subject + " (Message-ID " + $json.messageId + ")" }}',
				},
				credentials: { mailCasesSmtp: smtp },
			},
		],
		connections: {
			'Mail Cases Trigger': { main: [[{ node: 'Subject Has FAIL', type: 'main', index: 0 }]] },
			'Subject Has FAIL': {
				main: [
					[{ node: 'Reject', type: 'main', index: 0 }],
					[{ node: 'Send Mail', type: 'main', index: 0 }],
				],
			},
		},
		settings: { executionOrder: 'v1' },
	};
}

/** Time limits of the tests (n8n's startup has its own, in beforeAll). */
const QUICK_TEST_MS = 60_000;
const WORKFLOW_TEST_MS = 180_000;

/** Defines the e2e tests of one n8n version. */
export function describeInN8n(version: N8nVersion): void {
	describe(`the packed package in a real n8n ${version}`, () => {
		let n8n: N8nServer | undefined;
		const server = (): N8nServer => {
			if (!n8n) throw new Error(`n8n ${version} did not start (see the beforeAll error)`);
			return n8n;
		};
		const parseFlatted = (text: string) =>
			requireFromHarness<{ parse: (t: string) => unknown }>(version, 'flatted').parse(text);

		/** Runs a test body; a failure carries the end of n8n's log. */
		const withLog = (fn: (n8n: N8nServer) => Promise<void>) => async () => {
			const s = server();
			try {
				await fn(s);
			} catch (error) {
				const e = error as Error;
				e.message += `\n--- n8n ${version} log (last lines) ---\n${s.logTail(80)}`;
				throw e;
			}
		};

		beforeAll(async () => {
			n8n = await startN8n({ version, tarball: packedTarball(), caFile: getStack().caFile });
			const t = n8n.timings;
			process.stderr.write(
				`e2e: n8n ${version} at ${n8n.baseUrl}: package installed in ${(t.packageInstallMs / 1000).toFixed(1)} s, ` +
					`ready in ${(t.startMs / 1000).toFixed(1)} s, owner set up in ${(t.loginMs / 1000).toFixed(1)} s\n`,
			);
		}, 300_000);

		afterAll(async () => {
			await n8n?.stop();
		}, 60_000);

		test(
			`n8n loads the package: every node and credential type it registers is listed as ${PACKAGE}.*`,
			withLog(async ({ rest }) => {
				const registered = packageNodeTypes();
				const nodes = await rest.request<Array<{ name: string; usableAsTool?: boolean }>>(
					'GET',
					'/types/nodes.json',
				);
				const listed = new Set(
					nodes.map((n) => n.name).filter((name) => name.startsWith(`${PACKAGE}.`)),
				);
				for (const name of Object.keys(registered)) expect(listed).toContain(name);
				// n8n adds "<node>Tool" variants for nodes that are usable as AI tools; nothing else may appear.
				const toolVariants = Object.entries(registered)
					.filter(([, cls]) => new cls().description.usableAsTool)
					.map(([name]) => `${name}Tool`);
				for (const name of listed)
					expect([...Object.keys(registered), ...toolVariants]).toContain(name);
				expect(listed).toContain(type('mailCasesTrigger'));
				expect(listed).toContain(type('mailCasesSendMail'));

				const credentials = await rest.request<Array<{ name: string }>>(
					'GET',
					'/types/credentials.json',
				);
				const credentialNames = credentials.map((c) => c.name);
				for (const cls of packageCredentialTypes())
					expect(credentialNames).toContain(new cls().name);
			}),
			QUICK_TEST_MS,
		);

		test(
			'R-OUT-7: the SMTP profile\'s "Test" through n8n\'s REST API sends a test mail; a wrong password is reported without the password',
			withLog(async ({ rest }) => {
				const login = claimUser();
				const recipient = claimUser();
				const good = smtpData(login, { testRecipient: address(recipient) });
				const saved = await rest.createCredential('E2E SMTP', 'mailCasesSmtp', good);
				const ok = await rest.testCredential(saved, 'mailCasesSmtp', good);
				const port = getStack().ports.submission;
				expect(ok.status).toBe('OK');
				expect(ok.message).toMatch(
					new RegExp(
						`^Connected to SMTP\\+STARTTLS 127\\.0\\.0\\.1:${port} as ${address(login).replace('.', '\\.')}; test mail sent to ${address(recipient).replace('.', '\\.')} \\(Message-ID <[^>]+>\\)\\.$`,
					),
				);
				const messageId = /Message-ID (<[^>]+>)/.exec(ok.message)![1];
				const mail = await waitForMail(recipient, (m) => m.messageId === messageId, 20_000);
				expect(mail.from).toBe(address(login));

				const wrongPassword = `wrong-${randomUUID()}`;
				const bad = smtpData(login, { password: wrongPassword });
				const savedBad = await rest.createCredential(
					'E2E SMTP wrong password',
					'mailCasesSmtp',
					bad,
				);
				const failed = await rest.testCredential(savedBad, 'mailCasesSmtp', bad);
				expect(failed.status).toBe('Error');
				expect(failed.message).toMatch(
					new RegExp(
						`^Authentication failed at .*127\\.0\\.0\\.1:${port}.*Check SMTP login and password\\.$`,
					),
				);
				expect(failed.message).not.toContain(wrongPassword);
			}),
			QUICK_TEST_MS,
		);

		test(
			'R-IN-3: the mailbox profile\'s "Test" through n8n\'s REST API counts the mails in the inbox',
			withLog(async ({ rest }) => {
				const user = claimUser();
				for (const n of [1, 2, 3]) {
					await deliver(
						user,
						await composeMail({
							from: 'kunde@extern.test',
							to: address(user),
							subject: `Zählmail ${n}`,
							text: 'x',
						}),
					);
				}
				const data = mailboxData(user);
				const saved = await rest.createCredential('E2E mailbox', 'mailCasesMailbox', data);
				const result = await rest.testCredential(saved, 'mailCasesMailbox', data);
				expect(result).toEqual({
					status: 'OK',
					message: `Connected to IMAPS 127.0.0.1:${getStack().ports.imaps} as ${address(user)}: 3 mails in INBOX`,
				});
			}),
			QUICK_TEST_MS,
		);

		test(
			'R-PROC-4, R-PLUS-1: an active workflow removes mail only after its run succeeded; a failing mail is retried by the n8n server and quarantined',
			withLog(async ({ rest }) => {
				const inbox = claimUser();
				const recipient = claimUser();
				const mailbox = await rest.createCredential(
					'E2E trigger mailbox',
					'mailCasesMailbox',
					mailboxData(inbox),
				);
				const smtp = await rest.createCredential(
					'E2E trigger SMTP',
					'mailCasesSmtp',
					smtpData(inbox),
				);
				const workflow = await rest.createWorkflow(
					rejectingWorkflow(mailbox, smtp, address(recipient)),
				);

				const good = [1, 2, 3, 4, 5].map((n) => `E2E Anfrage ${n} – Grüße aus Köln`);
				const bad = 'E2E FAIL Anfrage, die abgelehnt wird';
				// Three mails wait before the workflow is switched on, three arrive while it runs (IDLE).
				const plant = (subject: string) => plantMail(inbox, subject);
				for (const subject of [good[0], bad, good[1]]) await plant(subject);
				await rest.activateWorkflow(workflow);
				for (const subject of good.slice(2)) await plant(subject);

				const executions = () => rest.listExecutions(workflow.id);
				const state = async () =>
					`${describeExecutions(await executions())}; INBOX: ${(await listImap(inbox)).map((m) => m.subject).join(' | ') || 'empty'}`;
				// First the inbox empties (the bad mail leaves it only for Quarantine, after its second failed run).
				await waitFor(
					async () => {
						const list = await executions();
						return (
							list.length >= 6 &&
							list.every((e) => e.status === 'success' || e.status === 'error') &&
							(await listImap(inbox)).length === 0
						);
					},
					90_000,
					'an empty INBOX and 6 finished executions',
					state,
				);
				const quarantined = await listImap(inbox, 'Quarantine');
				expect(quarantined.map((m) => m.subject)).toEqual([bad]);
				expect(quarantined[0].flags).toContain('$MailCasesQuarantined');
				// 5 good runs + 2 failed runs of the bad mail + 1 run reporting its quarantine.
				await waitFor(
					async () => {
						const list = await executions();
						return (
							list.length >= 8 && list.every((e) => e.status === 'success' || e.status === 'error')
						);
					},
					20_000,
					'8 finished executions',
					state,
				);
				// Nothing runs any more: the quarantined mail is not retried again.
				await sleep(3_000);
				const list = await executions();
				expect(list.every((e) => e.mode === 'trigger')).toBe(true);
				expect(list.filter((e) => e.status === 'success')).toHaveLength(6);
				expect(list.filter((e) => e.status === 'error')).toHaveLength(2);
				expect(list).toHaveLength(8);
				expect(await listImap(inbox)).toEqual([]);

				// The copies Send Mail sent arrived, one per good mail.
				const sent = await waitFor(
					async () => {
						const arrived = await listImap(recipient);
						return arrived.length >= good.length ? arrived : undefined;
					},
					20_000,
					`${good.length} mails for ${address(recipient)}`,
				);
				expect(sent.map((m) => m.subject).sort()).toEqual(
					good.map((s) => `Bearbeitet: ${s}`).sort(),
				);
				expect(sent.every((m) => m.from === address(inbox))).toBe(true);

				// What n8n recorded for each run.
				const details = await Promise.all(list.map((e) => rest.getExecution(e.id, parseFlatted)));
				const failed = details.filter((e) => e.status === 'error');
				for (const e of failed) {
					expect(e.data.resultData.error?.message).toBe(
						'Rejected by the e2e workflow: subject contains FAIL',
					);
					expect(e.data.resultData.lastNodeExecuted).toBe('Reject');
					expect(outputOf(e, 'Mail Cases Trigger').map((i) => i.json.subject)).toEqual([bad]);
				}
				// The same mail (same IMAP UID) came back for the second attempt: the failed run left it on the server.
				const keys = failed.map(
					(e) => (outputOf(e, 'Mail Cases Trigger')[0].json.mailbox as { key: string }).key,
				);
				expect(keys[0]).toBe(keys[1]);

				const sending = details.filter(
					(e) => e.status === 'success' && e.data.resultData.runData['Send Mail'],
				);
				expect(
					sending
						.flatMap((e) => outputOf(e, 'Mail Cases Trigger').map((i) => i.json.subject))
						.sort(),
				).toEqual([...good].sort());
				const sentIds = sending.flatMap((e) =>
					outputOf(e, 'Send Mail').map((i) => i.json.messageId),
				);
				expect(sentIds.sort()).toEqual(sent.map((m) => m.messageId).sort());

				const reports = details.filter(
					(e) => e.status === 'success' && !e.data.resultData.runData['Send Mail'],
				);
				expect(reports).toHaveLength(1);
				const [report] = outputOf(reports[0], 'Mail Cases Trigger', 2);
				expect(report.json).toMatchObject({ key: keys[0], protocol: 'imap', folder: 'INBOX' });
				expect(report.json.reason).toMatch(
					/^Failed 2 times; last error: Rejected by the e2e workflow: subject contains FAIL/,
				);

				await rest.deactivateWorkflow(workflow);
			}),
			WORKFLOW_TEST_MS,
		);

		test(
			'R-PLUS-1: n8n killed (SIGKILL) while it processes mail and started again loses no mail',
			withLog(async (n8n) => {
				const inbox = claimUser();
				const recipient = claimUser();
				const mailbox = await n8n.rest.createCredential(
					'E2E crash mailbox',
					'mailCasesMailbox',
					mailboxData(inbox),
				);
				const smtp = await n8n.rest.createCredential(
					'E2E crash SMTP',
					'mailCasesSmtp',
					smtpData(inbox),
				);
				const workflow = await n8n.rest.createWorkflow(
					rejectingWorkflow(mailbox, smtp, address(recipient)),
				);
				const before = Array.from({ length: 12 }, (_, i) => `E2E vor dem Absturz ${i + 1}`);
				const whileDown = [1, 2, 3].map((n) => `E2E während n8n aus war ${n}`);
				const all = [...before, ...whileDown];
				for (const subject of before) await plantMail(inbox, subject);
				await n8n.rest.activateWorkflow(workflow);
				// Kill n8n as soon as the first mail went through: the others are waiting or in flight.
				await waitFor(
					async () => (await listImap(recipient)).length >= 1,
					60_000,
					'the first copy sent by the workflow',
				);
				await n8n.kill();
				for (const subject of whileDown) await plantMail(inbox, subject);
				expect((await listImap(inbox)).length).toBeGreaterThan(whileDown.length);

				await n8n.restart();
				const state = async () =>
					`${describeExecutions(await n8n.rest.listExecutions(workflow.id))}; INBOX: ${(await listImap(inbox)).map((m) => m.subject).join(' | ') || 'empty'}`;
				await waitFor(
					async () => (await listImap(inbox)).length === 0,
					90_000,
					'an empty INBOX after the restart',
					state,
				);
				const copies = await waitFor(
					async () => {
						const arrived = await listImap(recipient);
						const subjects = new Set(arrived.map((m) => m.subject));
						return all.every((s) => subjects.has(`Bearbeitet: ${s}`)) ? arrived : undefined;
					},
					30_000,
					'a copy of every mail',
				);
				expect(new Set(copies.map((m) => m.subject))).toEqual(
					new Set(all.map((s) => `Bearbeitet: ${s}`)),
				);
				// At least once: the one mail whose run was in flight at the kill may have run twice
				// (only the case store's ledger makes processing exactly-once, R-PLUS-2).
				expect(copies.length).toBeLessThanOrEqual(all.length + 1);
				expect(await listImap(inbox, 'Quarantine').catch(() => [])).toEqual([]);
				await n8n.rest.deactivateWorkflow(workflow);
			}),
			WORKFLOW_TEST_MS,
		);

		// The templates of templates/ imported, activated and fed real mail (template-suite.ts).
		templateTests({ version, server, withLog });
	});
}
