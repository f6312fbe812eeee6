/**
 * Issue #18's acceptance in a real n8n (test/e2e/n8n-<version>-desk.test.ts call
 * `describeDeskInN8n`): the agent desk as a person uses it. The ticket-system template (real
 * Postfix → Dovecot, embedded SQLite store) opens a case from a real customer mail whose subject,
 * sender name and body carry script and markup; the case-board and case-reply-form templates are
 * imported and activated behind n8n's basic auth. Headless Chromium (signed in with the basic
 * auth credential) opens the board, finds the case, opens it, sees the history (the hostile
 * mail shown as text, its HTML only in the sandboxed frame), follows "Reply to customer" to the
 * n8n form, answers; the customer's Dovecot mailbox receives the reply with the signed
 * reference, and the customer's answer to it lands back on the case (seen on the case page).
 *
 * With MAIL_CASES_SCREENSHOTS=docs the 2.41.1 run writes docs/case-board.png and
 * docs/case-page.png.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import type { BrowserContext } from 'playwright-core';

import { address, claimUser, getStack, listImap, waitForMail } from '../../support/mail-stack';
import { loadTemplate, readTemplate } from '../../support/templates';
import { launchBrowser, screenshot, type EditorBrowser } from './browser';
import { describeExecutions } from './executions';
import { REPO_ROOT, type N8nVersion } from './harness-folder';
import type { CreatedWorkflow } from './n8n-rest';
import { startN8n, type N8nServer } from './n8n-server';
import { packedTarball } from './package-tarball';
import { mailboxData, smtpData } from './profiles';
import {
	CASE_REF,
	closeAllStores,
	embeddedStoreConfig,
	getStore,
	seedStore,
	sendViaPostfix,
} from './ticket-world';
import { waitFor } from './wait';

const TEST_MS = 420_000;
const MAIL_MS = 90_000;
const DOCS_VERSION: N8nVersion = '2.41.1';
const DOCS_DIR = path.join(REPO_ROOT, 'docs');

interface Ref {
	id: string;
	name: string;
}

/** A desk template with its credential placeholders replaced by type. */
function deskWorkflow(
	name: 'case-board' | 'case-reply-form',
	refs: Record<string, Ref>,
	suffix: string,
) {
	const wf = JSON.parse(
		readFileSync(path.join(REPO_ROOT, 'templates', `${name}.json`), 'utf8'),
	) as { name: string; nodes: Array<{ credentials?: Record<string, Ref> }> };
	for (const node of wf.nodes)
		for (const type of Object.keys(node.credentials ?? {})) {
			if (!refs[type]) throw new Error(`template ${name}: no credential for ${type}`);
			node.credentials![type] = refs[type];
		}
	wf.name = `${wf.name} (${suffix})`;
	return wf;
}

/** Defines issue #18's e2e acceptance for one n8n version (own n8n server and browser). */
export function describeDeskInN8n(version: N8nVersion): void {
	describe(`agent desk in a real n8n ${version}`, () => {
		let n8n: N8nServer | undefined;
		let browser: EditorBrowser | undefined;
		let artifactsDir = '';
		const docsShots = process.env.MAIL_CASES_SCREENSHOTS === 'docs' && version === DOCS_VERSION;
		const docs = (file: string) => (docsShots ? [path.join(DOCS_DIR, file)] : []);

		beforeAll(async () => {
			artifactsDir = mkdtempSync(path.join(os.tmpdir(), `mail-cases-e2e-desk-${version}-`));
			n8n = await startN8n({ version, tarball: packedTarball(), caFile: getStack().caFile });
			browser = await launchBrowser(artifactsDir);
		}, 360_000);

		afterAll(async () => {
			try {
				await browser?.close();
				await closeAllStores();
			} finally {
				await n8n?.stop();
				if (artifactsDir)
					process.stderr.write(`e2e: n8n ${version} desk screenshots in ${artifactsDir}\n`);
			}
		}, 60_000);

		test(
			'#18: a real mail opens a case; in Chromium the board lists it, its page shows the history (script and markup as text), the reply form answers the customer, whose Dovecot mailbox gets the reply with the signed reference; the answer lands back on the case',
			async () => {
				if (!n8n || !browser)
					throw new Error(`n8n ${version} or Chromium did not start (see the beforeAll error)`);
				const server = n8n;
				const b = browser;
				let desk: BrowserContext | undefined;
				try {
					desk = await scenario(server, b);
				} catch (error) {
					const e = error as Error;
					const page = b.browser.contexts().at(-1)?.pages()[0];
					if (page) await screenshot({ ...b, page }, 'failed-desk').catch(() => undefined);
					e.message += `\n--- screenshots: ${artifactsDir}\n--- n8n ${version} log (last lines) ---\n${server.logTail(80)}`;
					throw e;
				} finally {
					await desk?.close().catch(() => undefined);
				}
			},
			TEST_MS,
		);

		async function scenario(server: N8nServer, b: EditorBrowser): Promise<BrowserContext> {
			const { rest, baseUrl } = server;
			const inbox = claimUser();
			const people = {
				agentA: claimUser(),
				agentB: claimUser(),
				customers: [claimUser()],
				backOffice: claimUser(),
			};
			const [customer] = people.customers;
			const token = randomUUID().slice(0, 6);
			const store = await getStore(embeddedStoreConfig(server.userFolder));
			const seeded = await seedStore(store, people, `D-${version}-${token}`);

			const mailbox = await rest.createCredential(
				`Desk ${token} mailbox`,
				'mailCasesMailbox',
				mailboxData(inbox),
			);
			const smtp = await rest.createCredential(
				`Desk ${token} SMTP`,
				'mailCasesSmtp',
				smtpData(inbox, { isDefault: true }),
			);
			const login = { user: `agent-${token}`, password: `pw-${randomUUID()}` };
			const basic = await rest.createCredential(`Desk ${token} login`, 'httpBasicAuth', login);

			const ticket = loadTemplate('ticket-system', {
				name: `${readTemplate('ticket-system').name} (desk ${token})`,
				credentials: { mailCasesMailbox: mailbox, mailCasesSmtp: smtp },
				parameters: {
					'Mail Cases Trigger': { options: { pollIntervalSeconds: 5, retryDelaySeconds: 2 } },
					'Create Case From Mail': {
						workflow: seeded.workflow.name,
						inboundWorkplace: seeded.unit.name,
					},
					'Alert Admin': { to: address(people.backOffice) },
				},
			});
			const workflows: CreatedWorkflow[] = [];
			for (const wf of [
				ticket,
				deskWorkflow('case-board', { httpBasicAuth: basic }, token),
				deskWorkflow('case-reply-form', { httpBasicAuth: basic, mailCasesSmtp: smtp }, token),
			]) {
				const created = await rest.createWorkflow(wf as never);
				await rest.activateWorkflow(created);
				workflows.push(created);
			}
			const why = async () =>
				`${(
					await Promise.all(
						workflows.map(async (w) => describeExecutions(await rest.listExecutions(w.id))),
					)
				).join(
					' / ',
				)}; INBOX: ${(await listImap(inbox)).map((m) => m.subject).join(' | ') || 'empty'}`;

			// 1. A real mail from a stranger opens a case: script and markup in subject, name and body.
			const hostileSubject = `<script>alert('s')</script>"><img src=x onerror=alert(1)> Heizung ${token}`;
			const hostileName = `Eve <b onmouseover=alert(2)>Schulz</b>`;
			await sendViaPostfix({
				from: { name: hostileName, address: address(customer) },
				to: address(inbox),
				subject: hostileSubject,
				text: `Unsere Heizung läuft nicht <script>alert(3)</script> ${token}`,
				html: `<p>Unsere <b>Heizung</b> läuft nicht ${token}</p><script>alert(4)</script><img src=x onerror=alert(5)><a href="javascript:alert(6)">hier</a>`,
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

			// 2. The board, as an agent signed in with the desk's basic auth.
			const context = await b.browser.newContext({
				viewport: { width: 1280, height: 900 },
				locale: 'en-US',
				httpCredentials: { username: login.user, password: login.password },
			});
			context.setDefaultTimeout(30_000);
			const page = await context.newPage();
			const dialogs: string[] = [];
			page.on('dialog', (d) => {
				dialogs.push(d.message());
				void d.dismiss();
			});
			const shot = (name: string, extra: string[] = []) => screenshot({ ...b, page }, name, extra);
			const unauthorised = await fetch(`${baseUrl}/webhook/cases`);
			expect(unauthorised.status).toBe(401);

			await page.goto(`${baseUrl}/webhook/cases`, { waitUntil: 'load' });
			await page.getByRole('heading', { name: /Cases \(open\)/ }).waitFor();
			const row = page.locator('tr', { hasText: number });
			await row.getByText(hostileSubject).waitFor();
			await shot('case-board', docs('case-board.png'));

			// 3. The case page: the history, the hostile mail as text, its HTML only in the sandboxed frame.
			await row.getByRole('link', { name: number }).click();
			await page.waitForURL(`**/webhook/case?number=${number}`);
			await page.getByText('Incoming mail', { exact: false }).first().waitFor();
			await page.getByText(hostileSubject).first().waitFor();
			await page.getByText(hostileName, { exact: false }).first().waitFor();
			await page.getByText('Outgoing mail (acknowledgement) — sent', { exact: false }).waitFor();
			expect(await page.locator('body script, body img').count()).toBe(0);
			const frame = page.locator('iframe[sandbox=""]').first();
			expect(await frame.getAttribute('src')).toBeNull();
			await page
				.frameLocator('iframe[sandbox=""]')
				.first()
				.getByText(`Heizung läuft nicht ${token}`)
				.waitFor();
			expect(
				await page.frameLocator('iframe[sandbox=""]').first().locator('script, img').count(),
			).toBe(0);
			await shot('case-page', docs('case-page.png'));

			// 4. Reply through the form the case page links to.
			await page.getByRole('link', { name: 'Reply to customer' }).click();
			await page.waitForURL((url) => url.pathname.endsWith('/form/case-reply'));
			await expect(page.locator('#field-0').inputValue()).resolves.toBe(number);
			await page.locator('#field-1').fill(`agent-${token}@example.test`);
			const answer = `Der Techniker kommt morgen ${token}.`;
			await page.locator('#field-2').fill(answer);
			await shot('reply-form');
			await page.locator('button[type="submit"]').first().click();

			// 5. The customer's mailbox gets the reply: signed reference, quoting the mail, threaded.
			const reply = await waitForMail(customer, (m) => m.text.includes(answer), MAIL_MS).catch(
				async (error: Error) => {
					error.message += `; ${await why()}`;
					throw error;
				},
			);
			expect(reply.subject).toMatch(new RegExp(`^Re: \\[#${number}-[0-9a-z]{6}\\] `));
			expect(reply.text).toContain(`> Unsere Heizung läuft nicht`);

			// 6. The customer answers the reply; the answer lands back on the case.
			const back = `Danke, passt ${token}-zurück`;
			await sendViaPostfix({
				from: { name: 'Eve Schulz', address: address(customer) },
				to: address(inbox),
				subject: `Re: ${reply.subject}`,
				inReplyTo: reply.messageId,
				references: [reply.messageId!],
				text: back,
			});
			const caseId = (await store.cases.requireByNumber(number)).id;
			await waitFor(
				async () =>
					(await store.activities.listForCase(caseId)).some(
						(a) => a.kind === 'incoming_mail' && a.text?.includes(back),
					),
				MAIL_MS,
				"the customer's answer on the case",
				why,
			);
			await page.goto(`${baseUrl}/webhook/case?number=${encodeURIComponent(number)}`, {
				waitUntil: 'load',
			});
			await page.getByText(back).first().waitFor();
			await page.getByText(answer).first().waitFor();
			expect(dialogs).toEqual([]);
			for (const w of workflows) await rest.deactivateWorkflow(w);
			return context;
		}
	});
}
