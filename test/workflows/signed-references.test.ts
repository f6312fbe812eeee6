/**
 * Issue #11.7, run by n8n's real engine against real Postfix/Dovecot and the real store
 * (SQLite and PostgreSQL): Send Mail (Record on Case) puts the signed reference
 * `[#number-tag]` into the subject it sends through Postfix; then Mail Cases Trigger (IMAP) →
 * Case Match version 2 (its default sender policy, signedOrParticipant) → Add to Case gets
 * the answers of a stranger and of the requester. R-PROC-1, R-PLUS-4, R-PLUS-5.
 */
import type { ICredentialDataDecryptedObject, IDataObject, INodeExecutionData } from 'n8n-workflow';
import { closeAllStores, getStore, type Case, type Store } from '../../lib/store';
import { storeConfigFrom } from '../../nodes/shared/store';
import { EmitItems } from '../fixtures/nodes/EmitItems.node';
import { ManualTrigger } from '../fixtures/nodes/ManualTrigger.node';
import { mailboxCredentialData, smtpCredentialData } from '../support/credential-data';
import { claimUser, composeMail, deliver, stackUser, waitForMail } from '../support/mail-stack';
import {
	runWorkflow,
	shutdownN8nEngine,
	startTrigger,
	type TriggerHandle,
	type WorkflowJson,
} from '../support/n8n';
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
const handles: TriggerHandle[] = [];

afterEach(async () => {
	for (const handle of handles.splice(0)) await handle.close();
});
afterAll(async () => {
	await closeAllStores();
	for (const cleanup of cleanups.splice(0)) await cleanup();
	await shutdownN8nEngine();
});

const systemUser = claimUser();
const addr = (user: string) => stackUser(user).address;
/** Strangers: each writes once (whoever had mail accepted on the case takes part in it after). */
const stranger = (name: string) => `${name}@angreifer.test`;
const STORE = { mailCasesStore: { id: 'store', name: 'Store' } };

/** Start → Items → Send Mail with Record on Case: the mail a customer gets for a case. */
function sendForCase(to: string, caseNumber: string): WorkflowJson {
	return itemsWorkflow([{ to, case: { number: caseNumber } }], {
		name: 'Send Mail',
		type: NODE('mailCasesSendMail'),
		typeVersion: 1,
		parameters: {
			operation: 'send',
			to: '={{ $json.to }}',
			subject: 'Ihre Anfrage',
			emailFormat: 'text',
			text: 'Wir melden uns.',
			options: { caseNumber: '={{ $json.case.number }}' },
		},
		credentials: { mailCasesSmtp: { id: 'smtp', name: 'SMTP' }, ...STORE },
	});
}

/** Trigger → Case Match (version 2, "Allowed Senders" not set: its default) → Add to Case. */
function processing(options: Record<string, string> = {}): WorkflowJson {
	return {
		nodes: [
			{
				name: 'Mail',
				type: NODE('mailCasesTrigger'),
				typeVersion: 1,
				position: [0, 0],
				parameters: { options: { pollIntervalSeconds: 1, mailsPerExecution: 1 } },
				credentials: { mailCasesMailbox: { id: 'box', name: 'Box' } },
			},
			{
				name: 'Case Match',
				type: NODE('caseMatch'),
				typeVersion: 2,
				position: [200, 0],
				parameters: { options },
				credentials: STORE,
			},
			{
				name: 'Add to Case',
				type: NODE('addToCase'),
				typeVersion: 1,
				position: [400, 0],
				parameters: { caseNumber: '={{ $json.case.number }}' },
				credentials: STORE,
			},
		],
		connections: {
			Mail: { main: [[{ node: 'Case Match', type: 'main', index: 0 }]] },
			'Case Match': { main: [[{ node: 'Add to Case', type: 'main', index: 0 }], []] },
		},
		settings: { executionOrder: 'v1' },
	};
}

describe.each(['sqlite', 'postgres'] as const)('#11.7 signed case references on %s', (backend) => {
	const site = testStore(backend, 'mc_signed');
	cleanups.push(site.drop);
	const credential = site.credential as ICredentialDataDecryptedObject;
	let store: Store;
	let kase: Case;

	/** Runs the processing workflow on `inbox` until `count` mails went through it. */
	async function processAll(inbox: string, count: number, options: Record<string, string> = {}) {
		const handle = await startTrigger({
			workflow: processing(options),
			nodeTypes,
			credentialTypes,
			credentials: {
				mailCasesMailbox: { box: mailboxCredentialData(inbox) },
				mailCasesStore: { store: credential },
			},
			triggerNodeName: 'Mail',
			timeoutMs: 60_000,
		});
		handles.push(handle);
		return await handle.waitForExecutions(count, 90_000);
	}

	beforeAll(async () => {
		store = await getStore(storeConfigFrom(credential));
		const workflow = await store.workflows.create({ name: 'Reklamation', fields: [] });
		const unit = await store.orgUnits.create({ name: 'Support', members: ['agent@firma.test'] });
		await store.cases.create({ workflowId: workflow.id, responsibleOrgUnitId: unit.id }); // not the one
		kase = await store.cases.create({
			workflowId: workflow.id,
			responsibleOrgUnitId: unit.id,
			requesterAddress: 'kunde@kunde.test',
			title: 'Heizung',
		});
	});

	test('#11.7 acceptance: signed reference accepted from a stranger, guessed bare number and forged tag from a stranger go to unmatched, the requester with a bare number matches, a reply to our mail matches', async () => {
		// 1. Send Mail (Record on Case) through Postfix: the customer gets the signed reference.
		const customer = claimUser();
		const sent = await runWorkflow({
			workflow: sendForCase(addr(customer), kase.number),
			nodeTypes,
			credentialTypes,
			credentials: {
				mailCasesSmtp: { smtp: smtpCredentialData(systemUser) },
				mailCasesStore: { store: credential },
			},
			timeoutMs: 60_000,
		});
		expect(sent.error).toBeUndefined();
		const sentId = sent.outputOf('Send Mail')[0].json.messageId as string;
		const got = await waitForMail(customer, (m) => m.messageId === sentId, 30_000);
		const signed = new RegExp(`^\\[#${kase.number}-([0-9a-z]{6})\\] Ihre Anfrage$`).exec(
			got.subject,
		);
		expect(signed).not.toBeNull();
		const tag = signed![1];
		const forged = `${tag.startsWith('0') ? '1' : '0'}${tag.slice(1)}`;

		// 2. Five answers reach the support mailbox (real Dovecot), one per execution.
		const inbox = claimUser();
		const mails: Array<{ id: string; from: string; subject: string; inReplyTo?: string }> = [
			{
				id: `<signed-${backend}@angreifer.test>`,
				from: stranger('signed'),
				subject: `AW: ${got.subject}`,
			},
			{
				id: `<bare-${backend}@angreifer.test>`,
				from: stranger('rate'),
				subject: `Vorgang ${kase.number} – Frage`,
			},
			{
				id: `<forged-${backend}@angreifer.test>`,
				from: stranger('faelscher'),
				subject: `AW: [#${kase.number}-${forged}] Ihre Anfrage`,
			},
			{
				id: `<requester-${backend}@kunde.test>`,
				from: '"Kunde" <kunde@kunde.test>',
				subject: `Vorgang ${kase.number} – Nachtrag`,
			},
			{
				id: `<reply-${backend}@angreifer.test>`,
				from: stranger('antwort'),
				subject: 'AW: Ihre Anfrage',
				inReplyTo: sentId,
			},
		];
		for (const m of mails) {
			await deliver(
				inbox,
				await composeMail({
					from: m.from,
					to: addr(inbox),
					subject: m.subject,
					messageId: m.id,
					...(m.inReplyTo ? { inReplyTo: m.inReplyTo, references: [m.inReplyTo] } : {}),
					text: 'Hallo',
				}),
			);
		}
		const executions = await processAll(inbox, mails.length);
		for (const e of executions) expect(e.status).toBe('success');
		const out = (output: number) =>
			new Map(
				executions
					.flatMap((e) => e.outputOf('Case Match', output))
					.map((item: INodeExecutionData) => [item.json.messageId as string, item.json]),
			);
		const matched = out(0);
		const unmatched = out(1);

		const senderReason = (id: string) =>
			((matched.get(id)?.caseMatch as IDataObject | undefined)?.sender as IDataObject | undefined)
				?.reason;
		expect(matched.get(mails[0].id)).toMatchObject({
			case: { number: kase.number, reference: `[#${kase.number}-${tag}]` },
			caseMatch: { via: 'subject', reference: { kind: 'reference', signature: 'valid' } },
		});
		expect(senderReason(mails[0].id)).toBe('signed-reference');
		expect(unmatched.get(mails[1].id)).toMatchObject({
			reason: 'unsigned-reference-from-stranger',
			caseNumber: kase.number,
		});
		expect(unmatched.get(mails[2].id)).toMatchObject({
			reason: 'invalid-reference-tag',
			caseNumber: kase.number,
		});
		expect(senderReason(mails[3].id)).toBe('requester');
		expect(matched.get(mails[4].id)).toMatchObject({
			caseMatch: { via: 'thread', repliesToOurMail: true },
		});
		expect(senderReason(mails[4].id)).toBe('reply-to-our-mail');
		expect([...matched.keys()].sort()).toEqual([mails[0].id, mails[3].id, mails[4].id].sort());
		expect([...unmatched.keys()].sort()).toEqual([mails[1].id, mails[2].id].sort());

		// What the store holds: only the three accepted mails are on the case.
		const onCase = (await store.activities.listForCase(kase.id)).filter(
			(a) => a.kind === 'incoming_mail',
		);
		expect(onCase.map((a) => a.messageId).sort()).toEqual(
			[mails[0].id, mails[3].id, mails[4].id].map((id) => id.slice(1, -1)).sort(),
		);
	});

	test('#11.7 Authentication-Results: with our server trusted, a requester From that fails DMARC goes to unmatched; one that passes matches', async () => {
		const inbox = claimUser();
		const ours = 'mx.firma.test';
		const mails = [
			{ id: `<dmarc-fail-${backend}@kunde.test>`, result: 'fail' },
			{ id: `<dmarc-pass-${backend}@kunde.test>`, result: 'pass' },
		];
		for (const m of mails) {
			await deliver(
				inbox,
				await composeMail({
					from: 'kunde@kunde.test',
					to: addr(inbox),
					subject: `Vorgang ${kase.number} – Adresse geändert`,
					messageId: m.id,
					headers: {
						'Authentication-Results': `${ours}; spf=none; dmarc=${m.result} (p=reject) header.from=kunde.test`,
					},
					text: 'Hallo',
				}),
			);
		}
		const executions = await processAll(inbox, mails.length, { trustedAuthservId: ours });
		const items = (output: number) =>
			executions.flatMap((e) => e.outputOf('Case Match', output)).map((i) => i.json);
		expect(items(1)).toEqual([
			expect.objectContaining({ messageId: mails[0].id, reason: 'from-failed-dmarc' }),
		]);
		expect(items(0)).toEqual([
			expect.objectContaining({
				messageId: mails[1].id,
				caseMatch: expect.objectContaining({
					dmarc: 'pass',
					sender: expect.objectContaining({ reason: 'requester' }),
				}),
			}),
		]);
	});
});
