/**
 * Issue #16.1: the package installed, updated and uninstalled the way users do it — in n8n's
 * editor, Settings → Community nodes → Install — from a private npm registry on loopback
 * (Verdaccio, support/local-registry.ts), in each pinned n8n version.
 *
 * Why there is a gateway in front of Verdaccio: n8n has a setting for the registry,
 * N8N_COMMUNITY_PACKAGES_REGISTRY (1.123.81 and 2.41.1), but any value other than
 * https://registry.npmjs.org is an Enterprise feature: CommunityPackagesService.getNpmRegistry()
 * throws FeatureNotLicensedError('feat:communityNodes:customRegistry') without a license
 * (n8n/dist/modules/community-packages/community-packages.service.js). So n8n always runs
 * `npm pack <pkg>@<version> --registry=https://registry.npmjs.org`, `npm install
 * --registry=https://registry.npmjs.org` and GETs https://registry.npmjs.org/<pkg>/<version>
 * itself. The test sets n8n up as behind a company proxy: HTTPS_PROXY (n8n's own requests) and
 * `https-proxy` + `cafile` in the user's and the nodes folder's .npmrc (npm's requests), and a
 * loopback proxy that answers CONNECT registry.npmjs.org:443 with a certificate of a test CA
 * (which n8n and npm trust) and serves the registry from Verdaccio. Every other host
 * (api.n8n.io's package check, the vetted-packages list, …) is refused at once: nothing leaves
 * the machine, and n8n treats the failed package check as "OK" (checkNpmPackageStatus).
 */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { promisify } from 'node:util';

import { address, claimUser, getStack, listImap } from '../../support/mail-stack';
import { loadTemplate, readTemplate } from '../../support/templates';
import { launchBrowser, screenshot, signIn, type EditorBrowser } from './browser';
import { openNodesPanel, openWorkflow, searchNodesPanel } from './editor-canvas';
import { REPO_ROOT, type N8nVersion } from './harness-folder';
import { startLocalRegistry, type LocalRegistry } from './local-registry';
import type { CreatedWorkflow } from './n8n-rest';
import { OWNER, startN8n, type N8nServer } from './n8n-server';
import { packedTarball } from './package-tarball';
import { mailboxData, smtpData } from './profiles';
import {
	CASE_REF,
	claimPeople,
	closeAllStores,
	embeddedStoreConfig,
	getStore,
	seedStore,
	sendViaPostfix,
} from './ticket-world';
import { waitFor } from './wait';

const execFileAsync = promisify(execFile);

const PACKAGE = 'n8n-nodes-mail-cases';
const NPM_HOST = 'registry.npmjs.org';
const DOCS_VERSION: N8nVersion = '2.41.1';
const DOCS_DIR = path.join(REPO_ROOT, 'docs');
const TEST_MS = 300_000;
/** An install or update: npm pack + npm install of the dependency tree on a busy machine. */
const NPM_MS = 240_000;
const MAIL_MS = 90_000;
/** What 0.1.1 says about its trigger (the proof that n8n loaded the new code). */
const MARKER = '(e2e build 0.1.1)';

interface GatewayRequest {
	method: string;
	path: string;
	status: number;
}

interface RegistryGateway {
	/** http://127.0.0.1:<port> — HTTPS_PROXY / npm's https-proxy. */
	proxyUrl: string;
	/** The test CA's certificate (PEM file) that signed registry.npmjs.org's certificate. */
	caFile: string;
	/** Requests served from Verdaccio (decrypted), in order. */
	served: GatewayRequest[];
	/** Hosts whose CONNECT (or plain proxy request) was refused. */
	refused: string[];
	close(): Promise<void>;
}

async function openssl(args: string[], cwd: string): Promise<void> {
	await execFileAsync('openssl', args, { cwd, timeout: 30_000, killSignal: 'SIGKILL' });
}

/** A test CA and a certificate for registry.npmjs.org signed by it (openssl, in `dir`). */
async function issueCertificate(dir: string): Promise<{ ca: string; key: string; cert: string }> {
	await openssl(
		[
			'req',
			'-x509',
			'-newkey',
			'rsa:2048',
			'-nodes',
			'-days',
			'2',
			'-subj',
			'/CN=mail-cases e2e registry gateway CA',
			'-keyout',
			'ca.key',
			'-out',
			'ca.pem',
		],
		dir,
	);
	await openssl(
		[
			'req',
			'-newkey',
			'rsa:2048',
			'-nodes',
			'-subj',
			`/CN=${NPM_HOST}`,
			'-keyout',
			'host.key',
			'-out',
			'host.csr',
		],
		dir,
	);
	writeFileSync(path.join(dir, 'san.ext'), `subjectAltName=DNS:${NPM_HOST}\n`);
	await openssl(
		[
			'x509',
			'-req',
			'-in',
			'host.csr',
			'-CA',
			'ca.pem',
			'-CAkey',
			'ca.key',
			'-CAcreateserial',
			'-days',
			'2',
			'-extfile',
			'san.ext',
			'-out',
			'host.pem',
		],
		dir,
	);
	return {
		ca: path.join(dir, 'ca.pem'),
		key: readFileSync(path.join(dir, 'host.key'), 'utf8'),
		cert: readFileSync(path.join(dir, 'host.pem'), 'utf8'),
	};
}

/** The loopback proxy: registry.npmjs.org is served from Verdaccio, every other host refused. */
async function startRegistryGateway(registryUrl: string, dir: string): Promise<RegistryGateway> {
	const { ca, key, cert } = await issueCertificate(dir);
	const upstream = new URL(registryUrl);
	const served: GatewayRequest[] = [];
	const refused: string[] = [];
	const local = registryUrl.replace(/\/?$/, '/');

	// The decrypted side: requests to https://registry.npmjs.org/… go to Verdaccio.
	const inner = http.createServer((req, res) => {
		const forward = http.request(
			{
				host: upstream.hostname,
				port: upstream.port,
				method: req.method,
				path: req.url,
				headers: {
					...req.headers,
					host: NPM_HOST,
					'x-forwarded-proto': 'https',
					'accept-encoding': 'identity',
				},
				timeout: 60_000,
			},
			(answer) => {
				served.push({
					method: req.method ?? '?',
					path: req.url ?? '?',
					status: answer.statusCode ?? 0,
				});
				const json = /json/.test(String(answer.headers['content-type'] ?? ''));
				if (!json) {
					res.writeHead(answer.statusCode ?? 502, answer.headers);
					answer.pipe(res);
					return;
				}
				// Packuments name their tarballs by the registry's own address: point them at npm's.
				const chunks: Buffer[] = [];
				answer.on('data', (c: Buffer) => chunks.push(c));
				answer.on('end', () => {
					const body = Buffer.from(
						Buffer.concat(chunks).toString('utf8').split(local).join(`https://${NPM_HOST}/`),
					);
					const headers = { ...answer.headers, 'content-length': String(body.length) };
					delete headers['transfer-encoding'];
					delete headers.etag;
					res.writeHead(answer.statusCode ?? 502, headers);
					res.end(body);
				});
			},
		);
		forward.on('timeout', () => forward.destroy(new Error('Verdaccio did not answer in 60 s')));
		forward.on('error', (error) => {
			served.push({ method: req.method ?? '?', path: req.url ?? '?', status: 502 });
			res.writeHead(502).end(error.message);
		});
		req.pipe(forward);
	});

	const proxy = http.createServer((req, res) => {
		// A plain-HTTP proxy request (absolute URL): nothing is forwarded.
		refused.push(req.headers.host ?? req.url ?? '?');
		res.writeHead(403).end('refused by the e2e registry gateway');
	});
	proxy.on('connect', (req, socket) => {
		const [host] = (req.url ?? '').split(':');
		if (host !== NPM_HOST) {
			refused.push(host);
			socket.end('HTTP/1.1 403 Forbidden\r\n\r\n');
			return;
		}
		socket.write('HTTP/1.1 200 Connection Established\r\n\r\n', () => {
			const secure = new tls.TLSSocket(socket, { isServer: true, key, cert });
			secure.on('error', () => socket.destroy());
			inner.emit('connection', secure);
		});
		socket.on('error', () => undefined);
	});
	await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
	const { port } = proxy.address() as AddressInfo;
	return {
		proxyUrl: `http://127.0.0.1:${port}`,
		caFile: ca,
		served,
		refused,
		close: async () => {
			proxy.closeAllConnections();
			inner.closeAllConnections();
			await new Promise((resolve) => proxy.close(resolve));
			await new Promise((resolve) => inner.close(resolve));
		},
	};
}

/**
 * 0.1.1: the packed 0.1.0 with its version raised and the trigger's description extended by
 * MARKER, so the node types n8n serves after the update show which code it loaded.
 */
async function buildUpdate(tarball: string, dir: string): Promise<string> {
	const work = mkdtempSync(path.join(dir, 'update-'));
	await execFileAsync('tar', ['-xzf', tarball, '-C', work], { timeout: 60_000 });
	const [top] = readdirSync(work);
	const pkgFile = path.join(work, top, 'package.json');
	const pkg = JSON.parse(readFileSync(pkgFile, 'utf8')) as { version: string };
	pkg.version = '0.1.1';
	writeFileSync(pkgFile, `${JSON.stringify(pkg, null, 2)}\n`);
	const description = path.join(work, top, 'dist', 'nodes', 'MailCasesTrigger', 'description.js');
	writeFileSync(
		description,
		`${readFileSync(description, 'utf8')}\nexports.description.description += ' ${MARKER}';\n`,
	);
	const out = path.join(dir, `${PACKAGE}-0.1.1.tgz`);
	await execFileAsync('tar', ['-czf', out, '-C', work, top], { timeout: 60_000 });
	rmSync(work, { recursive: true, force: true });
	return out;
}

interface NodeTypeInfo {
	name: string;
	description?: string;
}

export function describeCommunityInstallInN8n(version: N8nVersion): void {
	describe(`n8n ${version}: install, update and uninstall through Settings → Community nodes, from a local registry`, () => {
		const dir = mkdtempSync(path.join(os.tmpdir(), `mail-cases-e2e-install-${version}-`));
		const artifactsDir = path.join(dir, 'screenshots');
		const docsShots = process.env.MAIL_CASES_SCREENSHOTS === 'docs' && version === DOCS_VERSION;
		const docs = (file: string) => (docsShots ? [path.join(DOCS_DIR, file)] : []);
		const people = claimPeople();
		let registry: LocalRegistry | undefined;
		let gateway: RegistryGateway | undefined;
		let n8n: N8nServer | undefined;
		let browser: EditorBrowser | undefined;
		let workflow: CreatedWorkflow | undefined;
		let seeded: Awaited<ReturnType<typeof seedStore>> | undefined;
		let inbox = '';
		const workflowName = `Ticket system (installed from the registry) ${randomUUID().slice(0, 4)}`;

		const ready = () => {
			if (!n8n || !browser || !registry || !gateway)
				throw new Error(`n8n ${version}, the registry or Chromium did not start (see beforeAll)`);
			return { n8n, b: browser, registry, gateway };
		};
		const step = (name: string, fn: (s: ReturnType<typeof ready>) => Promise<void>) => async () => {
			const s = ready();
			try {
				await fn(s);
			} catch (error) {
				const e = error as Error;
				const shot = await screenshot(s.b, `failed-${name}`).catch(
					(x: Error) => `(no screenshot: ${x.message})`,
				);
				e.message += `\n--- screenshot: ${shot}\n--- gateway served: ${s.gateway.served
					.slice(-15)
					.map((r) => `${r.method} ${r.path} ${r.status}`)
					.join(
						' | ',
					)}; refused: ${[...new Set(s.gateway.refused)].join(', ')}\n--- n8n ${version} log ---\n${s.n8n.logTail(60)}`;
				throw e;
			}
		};

		beforeAll(async () => {
			registry = await startLocalRegistry();
			await registry.publish(packedTarball());
			gateway = await startRegistryGateway(registry.url, dir);
			// n8n trusts the mail stack's CA (the mail servers) and the gateway's (the registry).
			const trusted = path.join(dir, 'trusted-cas.pem');
			writeFileSync(
				trusted,
				`${readFileSync(getStack().caFile, 'utf8')}\n${readFileSync(gateway.caFile, 'utf8')}`,
			);
			// npm as behind a company proxy. n8n 1.x runs `npm outdated` with only PATH/NODE_ENV in
			// its environment, so the nodes folder's own .npmrc carries the settings too.
			const npmrc = [
				`registry=https://${NPM_HOST}/`,
				`https-proxy=${gateway.proxyUrl}`,
				`cafile=${gateway.caFile}`,
				'noproxy=127.0.0.1,localhost',
				`cache=${path.join(dir, 'npm-cache')}`,
				'update-notifier=false',
				'audit=false',
				'fund=false',
				'',
			].join('\n');
			n8n = await startN8n({
				version,
				tarball: packedTarball(),
				caFile: trusted,
				withoutPackage: {
					files: {
						'.npmrc': npmrc,
						'.n8n/nodes/.npmrc': npmrc,
						'.n8n/nodes/package.json': JSON.stringify(
							{ name: 'installed-nodes', private: true, dependencies: {} },
							null,
							2,
						),
					},
				},
				env: { HTTPS_PROXY: gateway.proxyUrl, NO_PROXY: '127.0.0.1,localhost' },
			});
			browser = await launchBrowser(artifactsDir);
			await signIn(browser.page, n8n.baseUrl, OWNER);
		}, 420_000);

		afterAll(async () => {
			await closeAllStores().catch(() => undefined);
			try {
				await browser?.close();
			} finally {
				await n8n?.stop();
				await gateway?.close();
				await registry?.stop();
				process.stderr.write(`e2e: n8n ${version} install screenshots in ${artifactsDir}\n`);
			}
		}, 90_000);

		const nodeTypes = (s: ReturnType<typeof ready>) =>
			s.n8n.rest.request<NodeTypeInfo[]>('GET', '/types/nodes.json');
		const ours = (types: NodeTypeInfo[]) => types.filter((t) => t.name.startsWith(`${PACKAGE}.`));
		const card = (s: ReturnType<typeof ready>) =>
			s.b.page.locator('[data-test-id="community-package-card"]', { hasText: PACKAGE });
		const openSettings = async (s: ReturnType<typeof ready>) => {
			await s.b.page.goto(`${s.n8n.baseUrl}/settings/community-nodes`, {
				waitUntil: 'domcontentloaded',
			});
		};

		/** A request through Postfix; the customer's acknowledgement names the new case. */
		async function requestOpensCase(s: ReturnType<typeof ready>, label: string): Promise<string> {
			const [customer] = people.customers;
			const subject = `${label} ${randomUUID().slice(0, 6)}`;
			await sendViaPostfix({
				from: address(customer),
				to: address(inbox),
				subject,
				text: 'Bitte um Rückruf.',
			});
			const ack = await waitFor(
				async () =>
					(await listImap(customer)).find(
						(m) => CASE_REF.test(m.subject) && m.subject.endsWith(subject),
					),
				MAIL_MS,
				`the acknowledgement of "${subject}"`,
			);
			const number = CASE_REF.exec(ack.subject)![1];
			const store = await getStore(embeddedStoreConfig(s.n8n.userFolder));
			const created = await store.cases.requireByNumber(number);
			expect({ title: created.title, workflowId: created.workflowId }).toEqual({
				title: subject,
				workflowId: seeded!.workflow.id,
			});
			return number;
		}

		test(
			'install: Settings → Community nodes → Install, the package name and the risk checkbox; n8n fetches 0.1.0 from the local registry and the nodes appear in the nodes panel',
			step('install', async (s) => {
				expect(ours(await nodeTypes(s))).toEqual([]);
				await openSettings(s);
				// The empty page's button (1.x and 2.x: "Install a community node").
				await s.b.page.getByRole('button', { name: /Install a community node/i }).click();
				await s.b.page.locator('[data-test-id="package-name-input"]').fill(PACKAGE);
				await s.b.page.locator('[data-test-id="user-agreement-checkbox"]').click();
				await screenshot(s.b, 'install-community-node', docs('install-community-node.png'));
				await s.b.page.locator('[data-test-id="install-community-package-button"]').click();
				await card(s).waitFor({ timeout: NPM_MS });
				await card(s).getByText('v0.1.0').waitFor();

				// The tarball came through the gateway from Verdaccio; nothing went elsewhere.
				expect(s.gateway.served).toContainEqual({
					method: 'GET',
					path: `/${PACKAGE}/-/${PACKAGE}-0.1.0.tgz`,
					status: 200,
				});
				const installed = await s.n8n.rest.request<
					Array<{ packageName: string; installedVersion: string }>
				>('GET', '/rest/community-packages');
				expect(installed.map((p) => [p.packageName, p.installedVersion])).toEqual([
					[PACKAGE, '0.1.0'],
				]);
				const types = ours(await nodeTypes(s));
				expect(types.length).toBeGreaterThan(5);
				expect(
					types.find((t) => t.name === `${PACKAGE}.mailCasesTrigger`)?.description,
				).not.toContain(MARKER);

				// The nodes panel of a workflow lists the trigger as a community node.
				const panel = await s.n8n.rest.createWorkflow({
					...readTemplate('ticket-system'),
					name: 'Nodes panel after install',
				});
				await openWorkflow(s.b.page, s.n8n.baseUrl, panel.id);
				const search = await openNodesPanel(s.b.page);
				await expect(searchNodesPanel(s.b.page, search, 'Mail Cases Trigger')).resolves.toEqual({
					type: `${PACKAGE}.mailCasesTrigger`,
					badge: true,
				});
			}),
			TEST_MS,
		);

		test(
			'the ticket template runs on the installed package: a request through Postfix opens a case and is acknowledged',
			step('template', async (s) => {
				inbox = claimUser();
				const store = await getStore(embeddedStoreConfig(s.n8n.userFolder));
				seeded = await seedStore(store, people, `I-${version}-${randomUUID().slice(0, 4)}`);
				const mailbox = await s.n8n.rest.createCredential(
					'Install mailbox',
					'mailCasesMailbox',
					mailboxData(inbox),
				);
				const smtp = await s.n8n.rest.createCredential(
					'Install SMTP',
					'mailCasesSmtp',
					smtpData(inbox),
				);
				workflow = await s.n8n.rest.createWorkflow(
					loadTemplate('ticket-system', {
						credentials: { mailCasesMailbox: mailbox, mailCasesSmtp: smtp },
						name: workflowName,
						parameters: {
							'Mail Cases Trigger': { options: { pollIntervalSeconds: 5, retryDelaySeconds: 2 } },
							'Create Case From Mail': {
								workflow: seeded.workflow.name,
								inboundWorkplace: seeded.unit.name,
							},
						},
					}) as never,
				);
				await s.n8n.rest.activateWorkflow(workflow);
				await requestOpensCase(s, 'Anfrage nach der Installation');
			}),
			TEST_MS,
		);

		test(
			'update: 0.1.1 published, the card offers "Update", n8n installs it while the workflow stays active; the new code is loaded and the next request still opens a case',
			step('update', async (s) => {
				if (!workflow) throw new Error('the template test did not create the workflow');
				await s.registry.publish(await buildUpdate(packedTarball(), dir));
				await openSettings(s);
				// The list asks npm (`npm outdated`) for newer versions: the Update button.
				const update = card(s).getByRole('button', { name: 'Update' });
				await update.waitFor({ timeout: NPM_MS });
				await update.click();
				const confirm = s.b.page.getByRole('button', { name: /Confirm update/i });
				await confirm.waitFor();
				await screenshot(s.b, 'update-community-node', docs('update-community-node.png'));
				await confirm.click();
				await card(s).getByText('v0.1.1').waitFor({ timeout: NPM_MS });

				expect(s.gateway.served).toContainEqual({
					method: 'GET',
					path: `/${PACKAGE}/-/${PACKAGE}-0.1.1.tgz`,
					status: 200,
				});
				// n8n loaded the new code: the trigger's description is 0.1.1's.
				const trigger = ours(await nodeTypes(s)).find(
					(t) => t.name === `${PACKAGE}.mailCasesTrigger`,
				);
				expect(trigger?.description).toContain(MARKER);
				const onDisk = JSON.parse(
					readFileSync(
						path.join(s.n8n.userFolder, '.n8n', 'nodes', 'node_modules', PACKAGE, 'package.json'),
						'utf8',
					),
				) as { version: string };
				expect(onDisk.version).toBe('0.1.1');

				// The active workflow keeps working.
				const saved = await s.n8n.rest.request<{ active: boolean }>(
					'GET',
					`/rest/workflows/${workflow.id}`,
				);
				expect(saved.active).toBe(true);
				await requestOpensCase(s, 'Anfrage nach dem Update');
			}),
			TEST_MS,
		);

		test(
			'uninstall: the card\'s "Uninstall package" lists the workflows that use the nodes (the active ticket workflow); after confirming, the nodes are gone',
			step('uninstall', async (s) => {
				await openSettings(s);
				await card(s).waitFor({ timeout: NPM_MS });
				await card(s)
					.locator('[data-test-id="action-toggle"], .action-toggle, button')
					.last()
					.click();
				await s.b.page.getByText('Uninstall package', { exact: true }).last().click();
				const confirm = s.b.page.getByRole('button', { name: /Confirm uninstall/i });
				await confirm.waitFor();
				// n8n lists the workflows that use the package's nodes (the active ticket workflow).
				const modal = s.b.page.locator('.el-dialog, [role="dialog"]').filter({ has: confirm });
				await modal.getByText('The following workflows will be effected').waitFor();
				await modal.getByText(workflowName).waitFor();
				await screenshot(s.b, 'uninstall-community-node', docs('uninstall-community-node.png'));
				await confirm.click();
				await card(s).waitFor({ state: 'detached', timeout: NPM_MS });
				await waitFor(
					async () => ours(await nodeTypes(s)).length === 0,
					60_000,
					'the node types without the package',
				);
				const installed = await s.n8n.rest.request<unknown[]>('GET', '/rest/community-packages');
				expect(installed).toEqual([]);
				// Nothing left loopback: every host but registry.npmjs.org was refused by the gateway.
				expect(s.gateway.refused).not.toContain(NPM_HOST);
			}),
			TEST_MS,
		);
	});
}
