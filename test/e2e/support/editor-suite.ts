/**
 * The browser e2e scenarios, run against each pinned n8n version (the version's test file calls
 * `describeEditorInN8n`): n8n's own editor in headless Debian Chromium (playwright-core), logged
 * in as the owner, showing what a user of the package sees — the imported ticket-system template
 * on the canvas, our nodes in the nodes panel, and our credential dialogs testing their
 * connection against the test Dovecot/Postfix (R-OUT-7, R-IN-3).
 *
 * Screenshots go to a temp folder (printed at the end); with MAIL_CASES_SCREENSHOTS=docs the
 * 2.41.1 run also writes docs/canvas-ticket-system.png and docs/credential-test.png.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import {
	address,
	claimUser,
	composeMail,
	deliver,
	getStack,
	waitForMail,
} from '../../support/mail-stack';
import { packageNodeTypes } from '../../support/package-nodes';
import { loadTemplate, readTemplate } from '../../support/templates';
import { launchBrowser, screenshot, signIn, type EditorBrowser } from './browser';
import {
	credentialField,
	openCredentialDialog,
	openNewCredentialDialog,
	saveAndTest,
	SUCCESS_TEXT,
} from './credential-dialog';
import {
	canvasNode,
	nodesWithMarkers,
	openNodesPanel,
	openWorkflow,
	renderedNodes,
	searchNodesPanel,
	waitForNodeIcons,
	zoomToFit,
} from './editor-canvas';
import { REPO_ROOT, type N8nVersion } from './harness-folder';
import { OWNER, startN8n, type N8nServer } from './n8n-server';
import { packedTarball } from './package-tarball';
import { mailboxData, smtpData } from './profiles';

/** Version whose screenshots go to docs/ when MAIL_CASES_SCREENSHOTS=docs. */
const DOCS_VERSION: N8nVersion = '2.41.1';
const DOCS_DIR = path.join(REPO_ROOT, 'docs');

/** Time limits of the tests (n8n's startup has its own, in beforeAll). */
const BROWSER_TEST_MS = 240_000;
/** Markers appear together with the nodes (see the negative test); a late one gets this long. */
const MARKER_SETTLE_MS = 2_000;

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Defines the browser tests of one n8n version. */
export function describeEditorInN8n(version: N8nVersion): void {
	describe(`n8n ${version}'s editor in a browser (Chromium)`, () => {
		let n8n: N8nServer | undefined;
		let browser: EditorBrowser | undefined;
		const storeDir = mkdtempSync(path.join(os.tmpdir(), `mail-cases-e2e-store-${version}-`));
		const artifactsDir = mkdtempSync(path.join(os.tmpdir(), `mail-cases-e2e-browser-${version}-`));
		const docsShots = process.env.MAIL_CASES_SCREENSHOTS === 'docs' && version === DOCS_VERSION;
		const docs = (file: string) => (docsShots ? [path.join(DOCS_DIR, file)] : []);

		const ready = (): { n8n: N8nServer; browser: EditorBrowser } => {
			if (!n8n || !browser)
				throw new Error(`n8n ${version} or Chromium did not start (see the beforeAll error)`);
			return { n8n, browser };
		};

		/** Runs a test body; a failure carries a screenshot's path and the end of n8n's log. */
		const inBrowser =
			(name: string, fn: (n8n: N8nServer, browser: EditorBrowser) => Promise<void>) => async () => {
				const s = ready();
				try {
					await fn(s.n8n, s.browser);
				} catch (error) {
					const e = error as Error;
					const shot = await screenshot(s.browser, `failed-${name}`).catch(
						(x: Error) => `(no screenshot: ${x.message})`,
					);
					e.message += `\n--- screenshot: ${shot}\n--- n8n ${version} log (last lines) ---\n${s.n8n.logTail(60)}`;
					throw e;
				}
			};

		beforeAll(async () => {
			n8n = await startN8n({ version, tarball: packedTarball(), caFile: getStack().caFile });
			browser = await launchBrowser(artifactsDir);
			await signIn(browser.page, n8n.baseUrl, OWNER);
		}, 360_000);

		afterAll(async () => {
			try {
				await browser?.close();
			} finally {
				await n8n?.stop();
				rmSync(storeDir, { recursive: true, force: true });
				process.stderr.write(`e2e: n8n ${version} editor screenshots in ${artifactsDir}\n`);
			}
		}, 60_000);

		test(
			'the imported ticket-system template: every node is drawn with its type, none marked "not installed" or with issues',
			inBrowser('template-canvas', async ({ rest, baseUrl }, b) => {
				const user = claimUser();
				const mailbox = await rest.createCredential(
					'Support mailbox',
					'mailCasesMailbox',
					mailboxData(user),
				);
				const smtp = await rest.createCredential('Support SMTP', 'mailCasesSmtp', smtpData(user));
				const template = loadTemplate('ticket-system', {
					credentials: { mailCasesMailbox: mailbox, mailCasesSmtp: smtp },
				});
				const workflow = await rest.createWorkflow(template);

				await openWorkflow(b.page, baseUrl, workflow.id);
				for (const node of template.nodes) await canvasNode(b.page, node.name).waitFor();
				await waitForNodeIcons(b.page, 60_000);
				await b.page.waitForTimeout(MARKER_SETTLE_MS);

				const expected = Object.fromEntries(template.nodes.map((n) => [n.name, n.type]));
				expect(await renderedNodes(b.page)).toEqual(expected);
				expect(await nodesWithMarkers(b.page)).toEqual([]);

				await zoomToFit(b.page);
				await b.page.waitForTimeout(1_000); // the zoom animates
				await screenshot(b, 'canvas-ticket-system', docs('canvas-ticket-system.png'));
			}),
			BROWSER_TEST_MS,
		);

		test(
			'the marker check sees problems: an unknown node type is marked "not installed", a node without its credential has issues',
			inBrowser('markers', async ({ rest, baseUrl }, b) => {
				const workflow = await rest.createWorkflow({
					name: 'Broken on purpose',
					nodes: [
						{
							name: 'Not Installed',
							type: 'n8n-nodes-not-installed.somethingElse',
							typeVersion: 1,
							position: [0, 0],
							parameters: {},
						},
						{
							name: 'Send Without Profile',
							type: 'n8n-nodes-mail-cases.mailCasesSendMail',
							typeVersion: 1,
							position: [300, 0],
							parameters: { sendThrough: 'smtp', operation: 'send' },
						},
						{
							name: 'Fine',
							type: 'n8n-nodes-base.noOp',
							typeVersion: 1,
							position: [600, 0],
							parameters: {},
						},
					],
					connections: {},
				});
				await openWorkflow(b.page, baseUrl, workflow.id);
				for (const name of ['Not Installed', 'Send Without Profile', 'Fine'])
					await canvasNode(b.page, name).waitFor();
				await waitForNodeIcons(b.page, 60_000);
				await b.page.waitForTimeout(MARKER_SETTLE_MS);

				expect((await nodesWithMarkers(b.page)).sort()).toEqual([
					'Not Installed',
					'Send Without Profile',
				]);
				await canvasNode(b.page, 'Not Installed')
					.locator('[data-test-id="node-not-installed"]')
					.waitFor();
				await canvasNode(b.page, 'Send Without Profile')
					.locator('[data-test-id="node-issues"]')
					.waitFor();
			}),
			BROWSER_TEST_MS,
		);

		test(
			"the nodes panel finds each of the package's nodes by its name, as a community node with the package badge",
			inBrowser('nodes-panel', async ({ rest, baseUrl }, b) => {
				// The panel of a workflow that has a trigger lists trigger and action nodes alike.
				const workflow = await rest.createWorkflow({
					...readTemplate('ticket-system'),
					name: 'Nodes panel',
				});
				await openWorkflow(b.page, baseUrl, workflow.id);
				const search = await openNodesPanel(b.page);
				const found: Record<string, { type: string; badge: boolean }> = {};
				const expected: typeof found = {};
				for (const [type, cls] of Object.entries(packageNodeTypes())) {
					const { displayName } = new cls().description;
					expected[displayName] = { type, badge: true };
					found[displayName] = await searchNodesPanel(b.page, search, displayName);
				}
				expect(found).toEqual(expected);
				expect(Object.keys(found)).toHaveLength(Object.keys(packageNodeTypes()).length);
				// The badge check tells community nodes from n8n's own: a built-in node has none.
				await expect(
					searchNodesPanel(b.page, search, 'No Operation, do nothing', 3_000),
				).resolves.toEqual({ type: 'n8n-nodes-base.noOp', badge: false });
			}),
			BROWSER_TEST_MS,
		);

		test(
			'R-OUT-7: the SMTP profile\'s dialog: Save runs the test, which sends a test mail; the user sees "Connection tested successfully"',
			inBrowser('smtp-dialog', async ({ rest, baseUrl }, b) => {
				const login = claimUser();
				const recipient = claimUser();
				const saved = await rest.createCredential('Support SMTP', 'mailCasesSmtp', smtpData(login));
				const modal = await openCredentialDialog(b.page, baseUrl, saved.id);
				// The user enters a test recipient and saves.
				await credentialField(modal, 'testRecipient').fill(address(recipient));
				const { result, banner } = await saveAndTest(b.page, modal, address(recipient));

				await expect(banner.innerText()).resolves.toContain(SUCCESS_TEXT);
				const port = getStack().ports.submission;
				expect(result.message).toMatch(
					new RegExp(
						`^Connected to SMTP\\+STARTTLS 127\\.0\\.0\\.1:${port} as ${escapeRegExp(address(login))}; ` +
							`test mail sent to ${escapeRegExp(address(recipient))} \\(Message-ID <[^>]+>\\)\\.$`,
					),
				);
				const messageId = /Message-ID (<[^>]+>)/.exec(result.message)![1];
				const mail = await waitForMail(recipient, (m) => m.messageId === messageId, 30_000);
				expect(mail.from).toBe(address(login));
				await screenshot(b, 'credential-test', docs('credential-test.png'));
			}),
			BROWSER_TEST_MS,
		);

		test(
			'R-IN-3: the mailbox profile\'s dialog: Save runs the test, which counts the mails in the inbox; the user sees "Connection tested successfully"',
			inBrowser('mailbox-dialog', async ({ rest, baseUrl }, b) => {
				const user = claimUser();
				for (const n of [1, 2]) {
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
				// Saved with a folder that does not exist (the test when the dialog opens fails); the
				// user corrects it to INBOX and saves.
				const saved = await rest.createCredential('Support mailbox', 'mailCasesMailbox', {
					...mailboxData(user),
					folder: 'Eingang-Tippfehler',
				});
				const modal = await openCredentialDialog(b.page, baseUrl, saved.id);
				await credentialField(modal, 'folder').fill('INBOX');
				const { result, banner } = await saveAndTest(b.page, modal, '"folder":"INBOX"');

				await expect(banner.innerText()).resolves.toContain(SUCCESS_TEXT);
				expect(result.message).toBe(
					`Connected to IMAPS 127.0.0.1:${getStack().ports.imaps} as ${address(user)}: 2 mails in INBOX`,
				);
			}),
			BROWSER_TEST_MS,
		);

		test(
			'the store profile\'s dialog: Save opens the SQLite file the user entered and reports its schema; the user sees "Connection tested successfully"',
			inBrowser('store-dialog', async ({ rest, baseUrl }, b) => {
				const file = path.join(storeDir, 'cases.sqlite');
				const saved = await rest.createCredential('Case store', 'mailCasesStore', {
					kind: 'sqlite',
					path: path.join(storeDir, 'first.sqlite'),
				});
				const modal = await openCredentialDialog(b.page, baseUrl, saved.id);
				await credentialField(modal, 'path').fill(file);
				const { result, banner } = await saveAndTest(b.page, modal, file);

				await expect(banner.innerText()).resolves.toContain(SUCCESS_TEXT);
				expect(result.message).toMatch(
					new RegExp(
						`^Connected to SQLite store ${escapeRegExp(file)}: schema version \\d+, 0 cases$`,
					),
				);
			}),
			BROWSER_TEST_MS,
		);

		test(
			'the Exchange profile\'s dialog opens from "Create credential" with its fields (not tested: Microsoft is out of reach here)',
			inBrowser('exchange-dialog', async ({ baseUrl }, b) => {
				const modal = await openNewCredentialDialog(b.page, baseUrl, 'Mail Cases Exchange Profile');
				for (const name of ['tenantId', 'clientId', 'authentication', 'mailbox', 'cloud'])
					await modal.locator(`[data-test-id="parameter-input-${name}"]`).waitFor();
				await screenshot(b, 'exchange-dialog');
			}),
			BROWSER_TEST_MS,
		);
	});
}
