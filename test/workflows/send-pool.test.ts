/**
 * #17.5 run by n8n's real engine against the real Postfix → Dovecot: the sending nodes lease the
 * process's SMTP pool of their profile (lib/protocols/smtp/smtp-pool.ts) and send an execution's
 * items over its connections at once (nodes/shared/run-per-item.ts `concurrency`). A TCP relay in
 * front of Postfix counts the SMTP connections.
 *  - two executions with two Send Mail nodes each: one set of connections (the pool's 4), and
 *    more than one used by an execution (the items went at once);
 *  - accepted, permanently refused (550) and deferred (451) recipients in one execution: the
 *    outputs in item order, each paired with its item; without Continue On Fail the first failed
 *    item's error ends the run;
 *  - Send Once Per: keys that come twice in one execution are sent once each (claims per item).
 */
import type { ICredentialDataDecryptedObject, IDataObject, INodeParameters } from 'n8n-workflow';
import { SMTP_POOL_DEFAULTS } from '../../lib/protocols/smtp/smtp-pool';
import { closeAllStores, getStore } from '../../lib/store';
import { storeConfigFrom } from '../../nodes/shared/store';
import { EmitItems } from '../fixtures/nodes/EmitItems.node';
import { ManualTrigger } from '../fixtures/nodes/ManualTrigger.node';
import { smtpCredentialData } from '../support/credential-data';
import { claimUser, listImap, STACK_DOMAIN, stackUser } from '../support/mail-stack';
import { DEFERRED_LOCAL_PART } from '../support/mail-stack/postfix';
import {
	runWorkflow,
	shutdownN8nEngine,
	type WorkflowJson,
	type WorkflowNodeJson,
} from '../support/n8n';
import { itemsWorkflow } from '../support/n8n/items-workflow';
import { NODE, packageCredentialTypes, packageNodeTypes } from '../support/package-nodes';
import { startTcpRelay, type TcpRelay } from '../support/tcp-relay';
import { sqliteTestStore } from '../support/test-stores';

jest.setTimeout(120_000);

const nodeTypes = {
	...packageNodeTypes(),
	'n8n-nodes-base.manualTrigger': ManualTrigger,
	'test.emitItems': EmitItems,
};
const credentialTypes = packageCredentialTypes();
const relays: TcpRelay[] = [];
const cleanups: Array<() => Promise<void>> = [];

afterAll(async () => {
	for (const relay of relays.splice(0)) await relay.close();
	await closeAllStores();
	for (const cleanup of cleanups.splice(0)) await cleanup();
	await shutdownN8nEngine();
});

const systemUser = claimUser();
const addr = (user: string) => stackUser(user).address;
const refused = (n: number) => `nobody-pool-${n}-${Date.now()}@${STACK_DOMAIN}`;
const deferred = `${DEFERRED_LOCAL_PART}@${STACK_DOMAIN}`;

/** The system user's SMTP credential, through a relay of its own (a pool of its own). */
async function relayedCredential(): Promise<{
	relay: TcpRelay;
	credential: ICredentialDataDecryptedObject;
}> {
	const credential = smtpCredentialData(systemUser);
	const relay = await startTcpRelay(credential.port as number);
	relays.push(relay);
	return { relay, credential: { ...credential, port: relay.port } };
}

function sendNode(
	name: string,
	extra: Partial<WorkflowNodeJson> = {},
	options: INodeParameters = {},
): WorkflowNodeJson {
	return {
		name,
		type: NODE('mailCasesSendMail'),
		typeVersion: 1,
		position: [400, 0] as [number, number],
		parameters: {
			operation: 'send',
			to: '={{ $json.to }}',
			subject: `=${name} {{ $json.n }}`,
			emailFormat: 'text',
			text: 'Pool\n',
			options,
		},
		credentials: {
			mailCasesSmtp: { id: 'smtp', name: 'SMTP' },
			mailCasesStore: { id: 'store', name: 'Store' },
		},
		...extra,
	};
}

/** Start → Items → Send A and Send B (both get every item). */
function twoNodes(items: IDataObject[]): WorkflowJson {
	const wf = itemsWorkflow(items, sendNode('Send A'));
	wf.nodes.push({ ...sendNode('Send B'), position: [400, 200] });
	wf.connections.Items.main[0]!.push({ node: 'Send B', type: 'main', index: 0 });
	return wf;
}

async function run(
	wf: WorkflowJson,
	smtp: ICredentialDataDecryptedObject,
	store?: ICredentialDataDecryptedObject,
) {
	return await runWorkflow({
		workflow: wf,
		nodeTypes,
		credentialTypes,
		credentials: {
			mailCasesSmtp: { smtp },
			...(store ? { mailCasesStore: { store } } : {}),
		},
		timeoutMs: 60_000,
	});
}

/** The user's INBOX once it holds `count` mails (listed again until then, bounded). */
async function inboxOf(user: string, count: number) {
	const deadline = Date.now() + 30_000;
	let inbox = await listImap(user);
	while (inbox.length < count && Date.now() < deadline) inbox = await listImap(user);
	return inbox;
}

describe('#17.5 sending nodes over the SMTP pool of the process', () => {
	test('two executions with two Send Mail nodes: one set of connections, the items of a node at once, outputs in order', async () => {
		const { relay, credential } = await relayedCredential();
		const rcpt = claimUser();
		const items = Array.from({ length: 8 }, (_, n) => ({ n, to: addr(rcpt) }));
		for (const execution of [1, 2]) {
			const result = await run(twoNodes(items), credential);
			expect(result.error).toBeUndefined();
			for (const node of ['Send A', 'Send B']) {
				expect(
					result.outputOf(node).map((o) => [o.pairedItem, o.json.outcome, o.json.subject]),
				).toEqual(items.map(({ n }) => [{ item: n }, 'sent', `${node} ${n}`]));
			}
			// the first execution's first node opened the pool's connections, nobody else opened one
			expect({ execution, connections: relay.connections }).toEqual({
				execution,
				connections: SMTP_POOL_DEFAULTS.maxConnections,
			});
		}
		const inbox = await inboxOf(rcpt, 32);
		expect(inbox.filter((m) => /^Send [AB] \d$/.test(String(m.subject)))).toHaveLength(32);
	});

	test('accepted, refused (550) and deferred (451) with Continue On Fail: every item in its place, paired with it', async () => {
		const { credential } = await relayedCredential();
		const ok = addr(claimUser());
		const to = [ok, refused(1), ok, deferred, ok, refused(5), ok, ok];
		const wf = itemsWorkflow(
			to.map((rcpt, n) => ({ n, to: rcpt })),
			sendNode(
				'Send Mail',
				{ onError: 'continueRegularOutput' },
				{ onPermanentRejection: 'recordAndContinue' },
			),
		);
		const result = await run(wf, credential);
		expect(result.error).toBeUndefined();
		const out = result.outputOf('Send Mail');
		expect(out.map((o) => [o.pairedItem, o.json.outcome ?? o.json.code])).toEqual([
			[{ item: 0 }, 'sent'],
			[{ item: 1 }, 'rejected'],
			[{ item: 2 }, 'sent'],
			[{ item: 3 }, 'RECIPIENT_REJECTED'],
			[{ item: 4 }, 'sent'],
			[{ item: 5 }, 'rejected'],
			[{ item: 6 }, 'sent'],
			[{ item: 7 }, 'sent'],
		]);
		expect(out[1].json).toMatchObject({ subject: 'Send Mail 1', rejected: [to[1]] });
		expect(out[3].json).toMatchObject({
			n: 3,
			error: expect.stringMatching(/refused the recipient\(s\) \(451\): 451 4\.3\.0/),
		});
		expect(out[5].json).toMatchObject({ subject: 'Send Mail 5', rejected: [to[5]] });
	});

	test('without Continue On Fail the first failed item ends the run (451 of item 2, not the 550 of item 4)', async () => {
		const { credential } = await relayedCredential();
		const ok = addr(claimUser());
		const to = [ok, ok, deferred, ok, refused(4), ok, ok, ok];
		const wf = itemsWorkflow(
			to.map((rcpt, n) => ({ n, to: rcpt })),
			sendNode('Send Mail'),
		);
		const result = await run(wf, credential);
		expect(result.status).toBe('error');
		expect(result.error?.message).toMatch(/refused the recipient\(s\) \(451\)/);
		expect(result.nodeError('Send Mail')).toMatchObject({ context: { itemIndex: 2 } });
	});

	test('Send Once Per: each key that comes twice in one execution goes out once', async () => {
		const { credential } = await relayedCredential();
		const storeOf = sqliteTestStore('mc_pool');
		cleanups.push(storeOf.drop);
		const store = await getStore(
			storeConfigFrom(storeOf.credential as ICredentialDataDecryptedObject),
		);
		const wfRow = await store.workflows.create({ name: 'Pool', fields: [] });
		const unit = await store.orgUnits.create({ name: 'Pool', kind: 'org_unit', members: [] });
		const theCase = await store.cases.create({
			workflowId: wfRow.id,
			responsibleOrgUnitId: unit.id,
			title: 'Pool',
		});
		const rcpt = claimUser();
		const keys = ['k0', 'k1', 'k2', 'k3', 'k0', 'k1', 'k2', 'k3'];
		const wf = itemsWorkflow(
			keys.map((key, n) => ({ n, to: addr(rcpt), key, caseNumber: theCase.number })),
			sendNode(
				'Send Mail',
				{},
				{ caseNumber: '={{ $json.caseNumber }}', sendOnceKey: '={{ $json.key }}' },
			),
		);
		const result = await run(wf, credential, storeOf.credential as ICredentialDataDecryptedObject);
		expect(result.error).toBeUndefined();
		const out = result.outputOf('Send Mail');
		expect(out.map((o) => o.pairedItem)).toEqual(keys.map((_, item) => ({ item })));
		const byKey = new Map<string, Array<{ outcome: unknown; messageId: unknown }>>();
		out.forEach((o, i) => {
			const list = byKey.get(keys[i]) ?? [];
			list.push({ outcome: o.json.outcome, messageId: o.json.messageId });
			byKey.set(keys[i], list);
		});
		for (const [key, sends] of byKey) {
			expect({ key, outcomes: sends.map((s) => s.outcome).sort() }).toEqual({
				key,
				outcomes: ['replayed', 'sent'],
			});
			expect(sends[0].messageId).toBe(sends[1].messageId);
		}
		const ids = [...byKey.values()].map((s) => s[0].messageId as string);
		const inbox = await inboxOf(rcpt, 4);
		expect(inbox.map((m) => m.messageId).sort()).toEqual([...ids].sort());
		const outgoing = (await store.activities.listForCase(theCase.id)).filter(
			(a) => a.kind === 'outgoing_mail',
		);
		expect(outgoing.map((a) => a.outcome)).toEqual(['sent', 'sent', 'sent', 'sent']);
	});
});
