/**
 * #15.2 claims for every send, on both store backends against the real Postfix → Dovecot:
 *  - two processes (two "workers", each with its own store connections and SMTP pool) send the
 *    same Send Once Per mail 6 times at once each → exactly one mail arrives in Dovecot, one
 *    run reports it sent, every other call reports it already sent with the same Message-ID,
 *    and the case's history has one sent acknowledgement;
 *  - n8n's engine runs the same Send Mail workflow 6 times at once → one mail, the other runs
 *    say replayed.
 * Without the claim every caller passes the "sent before?" check at the same moment and sends.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { ICredentialDataDecryptedObject, IDataObject } from 'n8n-workflow';
import { closeAllStores, getStore, type Case, type Store } from '../../lib/store';
import { smtpProfileFrom } from '../../nodes/shared/profiles';
import { storeConfigFrom } from '../../nodes/shared/store';
import { EmitItems } from '../fixtures/nodes/EmitItems.node';
import { ManualTrigger } from '../fixtures/nodes/ManualTrigger.node';
import { smtpCredentialData } from '../support/credential-data';
import { claimUser, listImap, stackUser, waitForMail } from '../support/mail-stack';
import { runWorkflow, shutdownN8nEngine } from '../support/n8n';
import { itemsWorkflow } from '../support/n8n/items-workflow';
import { NODE, packageCredentialTypes, packageNodeTypes } from '../support/package-nodes';
import { testStore } from '../support/test-stores';

jest.setTimeout(180_000);

const nodeTypes = {
	...packageNodeTypes(),
	'n8n-nodes-base.manualTrigger': ManualTrigger,
	'test.emitItems': EmitItems,
};
const credentialTypes = packageCredentialTypes();
const cleanups: Array<() => Promise<void>> = [];
const tmp = mkdtempSync(join(tmpdir(), 'mc-claims-'));

afterAll(async () => {
	await closeAllStores();
	for (const cleanup of cleanups.splice(0)) await cleanup();
	rmSync(tmp, { recursive: true, force: true });
	await shutdownN8nEngine();
});

const systemUser = claimUser();
const addr = (user: string) => stackUser(user).address;

interface ChildResult {
	results?: Array<{ kind: string; messageId: string }>;
	error?: string;
}

/** Starts a sending process; resolves with a `go` to release it and its result. */
async function worker(spec: object, name: string) {
	const file = join(tmp, `${name}.json`);
	writeFileSync(file, JSON.stringify(spec));
	const child = spawn(process.execPath, [join(__dirname, '../support/send-once-child.js'), file], {
		stdio: ['pipe', 'pipe', 'inherit'],
	});
	const lines = createInterface({ input: child.stdout });
	const messages: ChildResult[] = [];
	let onLine: (() => void) | undefined;
	lines.on('line', (line) => {
		messages.push(JSON.parse(line) as ChildResult);
		onLine?.();
	});
	const next = () =>
		new Promise<ChildResult>((resolve, reject) => {
			const check = () => {
				const m = messages.shift();
				if (m) return resolve(m);
				onLine = check;
			};
			child.once('exit', (code) => {
				if (!messages.length) reject(new Error(`${name} exited with ${code} without a result`));
			});
			check();
		});
	const ready = await next();
	if (!('ready' in ready)) throw new Error(`${name}: ${JSON.stringify(ready)}`);
	return {
		go: () => child.stdin.write('go\n'),
		result: next,
	};
}

describe.each(['sqlite', 'postgres'] as const)('#15.2 send claims on %s', (backend) => {
	const test_ = testStore(backend, 'mc_claims');
	cleanups.push(test_.drop);
	let store: Store;
	let theCase: Case;

	beforeAll(async () => {
		store = await getStore(storeConfigFrom(test_.credential as ICredentialDataDecryptedObject));
		const wf = await store.workflows.create({ name: 'Anfrage', fields: [] });
		const unit = await store.orgUnits.create({ name: 'Support', kind: 'org_unit', members: [] });
		theCase = await store.cases.create({
			workflowId: wf.id,
			responsibleOrgUnitId: unit.id,
			title: 'Anfrage',
		});
	});

	const sentActivities = async (messageId: string) =>
		(await store.activities.listForCase(theCase.id)).filter(
			(a) => a.kind === 'outgoing_mail' && a.messageId === messageId.slice(1, -1),
		);

	test('#15.2 two processes, 6 concurrent sends each, the same key: exactly one mail in Dovecot', async () => {
		const rcpt = claimUser();
		const spec = {
			store: test_.config,
			smtp: smtpProfileFrom(smtpCredentialData(systemUser)),
			systemId: 'claims-test',
			caseNumber: theCase.number,
			key: `<zwei-prozesse-${backend}@kunde.test>`,
			to: addr(rcpt),
			concurrency: 6,
		};
		const workers = await Promise.all([worker(spec, `a-${backend}`), worker(spec, `b-${backend}`)]);
		for (const w of workers) w.go();
		const outcomes = await Promise.all(workers.map((w) => w.result()));
		for (const o of outcomes) expect(o.error).toBeUndefined();
		const results = outcomes.flatMap((o) => o.results!);
		expect(results).toHaveLength(12);
		const ids = new Set(results.map((r) => r.messageId));
		expect(ids.size).toBe(1);
		const [id] = ids;
		expect(results.filter((r) => r.kind === 'sent')).toHaveLength(1);
		expect(results.filter((r) => r.kind === 'alreadySent')).toHaveLength(11);
		await waitForMail(rcpt, (m) => m.messageId === id, 20_000);
		expect((await listImap(rcpt)).map((m) => m.messageId)).toEqual([id]);
		expect(await sentActivities(id)).toMatchObject([{ purpose: 'mail', outcome: 'sent' }]);
	});

	test('#15.2 n8n runs the same Send Mail workflow 6 times at once: one mail, the other runs replayed', async () => {
		const rcpt = claimUser();
		const item: IDataObject = {
			to: addr(rcpt),
			messageId: `<sechs-laeufe-${backend}@kunde.test>`,
			case: { number: theCase.number },
		};
		const workflow = itemsWorkflow([item], {
			name: 'Send Mail',
			type: NODE('mailCasesSendMail'),
			typeVersion: 1,
			position: [0, 0],
			parameters: {
				operation: 'send',
				to: '={{ $json.to }}',
				subject: 'Ihre Anfrage',
				emailFormat: 'text',
				text: 'Wir haben den Vorgang angelegt.',
				options: {
					caseNumber: '={{ $json.case.number }}',
					sendOnceKey: '={{ $json.messageId }}',
					replyToIncoming: true,
				},
			},
			credentials: {
				mailCasesSmtp: { id: 'smtp', name: 'SMTP' },
				mailCasesStore: { id: 'store', name: 'Store' },
			},
		});
		const runs = await Promise.all(
			Array.from({ length: 6 }, () =>
				runWorkflow({
					workflow,
					nodeTypes,
					credentialTypes,
					credentials: {
						mailCasesSmtp: { smtp: smtpCredentialData(systemUser) },
						mailCasesStore: { store: test_.credential as ICredentialDataDecryptedObject },
					},
					timeoutMs: 120_000,
				}),
			),
		);
		const outputs = runs.map((run) => {
			expect(run.error).toBeUndefined();
			return run.outputOf('Send Mail')[0].json;
		});
		expect(outputs.filter((o) => o.outcome === 'sent')).toHaveLength(1);
		expect(outputs.filter((o) => o.outcome === 'replayed')).toHaveLength(5);
		const id = outputs.find((o) => o.outcome === 'sent')!.messageId as string;
		for (const o of outputs) expect(o.messageId).toBe(id);
		await waitForMail(rcpt, (m) => m.messageId === id, 20_000);
		expect((await listImap(rcpt)).map((m) => m.messageId)).toEqual([id]);
		expect(await sentActivities(id)).toMatchObject([
			{ purpose: 'acknowledgement', outcome: 'sent' },
		]);
	});
});
