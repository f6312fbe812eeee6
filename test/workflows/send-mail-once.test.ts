/**
 * Send Mail with "Record on Case" and "Send Once Per", run by n8n's real engine against the real
 * Postfix → Dovecot and the real case store (SQLite and PostgreSQL):
 *  - R-PLUS-2: an acknowledgement for the same mail and case goes out once, however often the
 *    workflow runs again (a deterministic Message-ID, recorded for the case after sending);
 *  - R-PLUS-4: the sent Message-ID is linked to the case, so a reply to it finds the case;
 *  - without these options Send Mail touches no store at all.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { InstanceSettings } from 'n8n-core';
import type { ICredentialDataDecryptedObject, IDataObject, INodeParameters } from 'n8n-workflow';
import { subjectReference } from '../../lib/cases/case-number';
import { onceMessageId } from '../../lib/mail/once-message-id';
import { closeAllStores, getStore, type Store } from '../../lib/store';
import type { Case } from '../../lib/store/types';
import { defaultStoreConfig, storeConfigFrom } from '../../nodes/shared/store';
import { EmitItems } from '../fixtures/nodes/EmitItems.node';
import { ManualTrigger } from '../fixtures/nodes/ManualTrigger.node';
import { smtpCredentialData } from '../support/credential-data';
import { testStore } from '../support/test-stores';
import { claimUser, listImap, stackUser, waitForMail } from '../support/mail-stack';
import {
	runWorkflow,
	shutdownN8nEngine,
	type WorkflowJson,
	type WorkflowNodeJson,
} from '../support/n8n';
import { Container } from '../support/n8n/engine';
import { itemsWorkflow } from '../support/n8n/items-workflow';
import { NODE, packageCredentialTypes, packageNodeTypes } from '../support/package-nodes';

jest.setTimeout(120_000);

const nodeTypes = {
	...packageNodeTypes(),
	'n8n-nodes-base.manualTrigger': ManualTrigger,
	'test.emitItems': EmitItems,
};
const credentialTypes = packageCredentialTypes();
const cleanups: Array<() => Promise<void>> = [];

afterAll(async () => {
	await closeAllStores();
	for (const cleanup of cleanups.splice(0)) await cleanup();
	await shutdownN8nEngine();
});

const systemUser = claimUser();
const addr = (user: string) => stackUser(user).address;

function smtpCredential(): ICredentialDataDecryptedObject {
	return smtpCredentialData(systemUser);
}

/** A fresh store per backend: SQLite file in a temp dir, or a fresh PostgreSQL schema. */
function storeCredential(backend: 'sqlite' | 'postgres'): ICredentialDataDecryptedObject {
	const store = testStore(backend, 'mc_once');
	cleanups.push(store.drop);
	return store.credential;
}

function systemId(): string {
	return Container.get(InstanceSettings).instanceId;
}

/** The options the ticket-system template uses for its acknowledgement. */
const ONCE = { caseNumber: '={{ $json.case.number }}', sendOnceKey: '={{ $json.messageId }}' };

/** Start → Items (the given items, as Create Case from Mail would output them) → Send Mail. */
function workflow(
	items: IDataObject[],
	options: IDataObject,
	{ store = true, extra = {} }: { store?: boolean; extra?: Partial<WorkflowNodeJson> } = {},
	parameters: INodeParameters = {},
): WorkflowJson {
	return itemsWorkflow(items, {
		name: 'Send Mail',
		type: NODE('mailCasesSendMail'),
		typeVersion: 1,
		parameters: {
			operation: 'send',
			to: '={{ $json.to }}',
			subject: '={{ "[#" + $json.case.number + "] " + $json.subject }}',
			emailFormat: 'text',
			text: '=Wir haben den Vorgang {{ $json.case.number }} angelegt.',
			options: { inReplyTo: '={{ $json.messageId }}', ...options },
			...parameters,
		},
		credentials: {
			mailCasesSmtp: { id: 'smtp', name: 'SMTP' },
			...(store ? { mailCasesStore: { id: 'store', name: 'Store' } } : {}),
		},
		...extra,
	});
}

/** Mails in the INBOX of `user` with this Message-ID. */
async function countById(user: string, messageId: string): Promise<number> {
	return (await listImap(user)).filter((m) => m.messageId === messageId).length;
}

describe('Send Mail without Record on Case', () => {
	test('touches no store: the embedded SQLite file is not created', async () => {
		const rcpt = claimUser();
		const result = await runWorkflow({
			workflow: workflow(
				[
					{
						to: addr(rcpt),
						subject: 'Ohne Vorgang',
						case: { number: '-' },
						messageId: '<x@kunde.test>',
					},
				],
				{},
				{ store: false },
			),
			nodeTypes,
			credentialTypes,
			credentials: { mailCasesSmtp: { smtp: smtpCredential() } },
			timeoutMs: 60_000,
		});
		expect(result.error).toBeUndefined();
		const [out] = result.outputOf('Send Mail');
		expect(out.json).toMatchObject({ sent: true, replayed: false });
		expect(out.json).not.toHaveProperty('caseNumber');
		await waitForMail(rcpt, (m) => m.messageId === out.json.messageId, 20_000);
		// the harness points N8N_USER_FOLDER at a fresh temp folder for this test file
		expect(existsSync(join(process.env.N8N_USER_FOLDER!, '.n8n', 'mail-cases.sqlite'))).toBe(false);
	});

	test('R-PLUS-2: without a store credential, Record on Case + Send Once Per use the embedded store', async () => {
		const store = await getStore(defaultStoreConfig());
		const wf = await store.workflows.create({ name: 'Eingebettet', fields: [] });
		const unit = await store.orgUnits.create({ name: 'Team', kind: 'org_unit', members: [] });
		const c = await store.cases.create({
			workflowId: wf.id,
			responsibleOrgUnitId: unit.id,
			title: 'Eingebettet',
		});
		const rcpt = claimUser();
		const items = [
			{
				to: addr(rcpt),
				subject: 'Eingebettet',
				case: { number: c.number },
				messageId: '<emb@kunde.test>',
			},
		];
		const run = () =>
			runWorkflow({
				workflow: workflow(items, ONCE, { store: false }),
				nodeTypes,
				credentialTypes,
				credentials: { mailCasesSmtp: { smtp: smtpCredential() } },
				timeoutMs: 60_000,
			});
		const first = await run();
		expect(first.error).toBeUndefined();
		const id = first.outputOf('Send Mail')[0].json.messageId as string;
		expect(first.outputOf('Send Mail')[0].json).toMatchObject({ sent: true, caseNumber: c.number });
		const second = await run();
		expect(second.outputOf('Send Mail')[0].json).toMatchObject({
			sent: false,
			replayed: true,
			messageId: id,
		});
		expect(await store.cases.isOutgoingMessageId(id)).toBe(true);
		await waitForMail(rcpt, (m) => m.messageId === id, 20_000);
		expect(await countById(rcpt, id)).toBe(1);
	});
});

describe.each(['sqlite', 'postgres'] as const)(
	'Send Mail: Record on Case and Send Once Per on %s',
	(backend) => {
		const credential = storeCredential(backend);
		let store: Store;
		let theCase: Case;
		let otherCase: Case;

		const run = (wf: WorkflowJson) =>
			runWorkflow({
				workflow: wf,
				nodeTypes,
				credentialTypes,
				credentials: {
					mailCasesSmtp: { smtp: smtpCredential() },
					mailCasesStore: { store: credential },
				},
				timeoutMs: 60_000,
			});

		beforeAll(async () => {
			store = await getStore(storeConfigFrom(credential));
			const wf = await store.workflows.create({ name: 'Anfrage', fields: [] });
			const unit = await store.orgUnits.create({ name: 'Support', kind: 'org_unit', members: [] });
			theCase = await store.cases.create({
				workflowId: wf.id,
				responsibleOrgUnitId: unit.id,
				title: 'Anfrage',
			});
			otherCase = await store.cases.create({
				workflowId: wf.id,
				responsibleOrgUnitId: unit.id,
				title: 'Andere',
			});
		});

		const item = (rcpt: string, messageId: string, c: Case = theCase): IDataObject => ({
			to: addr(rcpt),
			subject: 'Ihre Anfrage',
			messageId,
			case: { number: c.number },
		});

		test('R-PLUS-2, R-PLUS-4: the same key twice → one mail in Dovecot; the second run says replayed; the id is linked to the case', async () => {
			const rcpt = claimUser();
			const incoming = `<anfrage-1-${backend}@kunde.test>`;
			const first = await run(workflow([item(rcpt, incoming)], ONCE));
			expect(first.error).toBeUndefined();
			const [sent] = first.outputOf('Send Mail');
			expect(sent.pairedItem).toEqual({ item: 0 });
			const id = sent.json.messageId as string;
			expect(sent.json).toMatchObject({
				sent: true,
				replayed: false,
				caseNumber: theCase.number,
				caseId: theCase.id,
				accepted: [addr(rcpt)],
				rejected: [],
				from: addr(systemUser),
				// #11.7: the [#number] of the subject expression is signed
				subject: `${subjectReference(theCase.number, await store.caseReferenceKey())} Ihre Anfrage`,
				sentThrough: 'smtp',
			});
			// derived from this n8n instance, the case, the key and the sender's domain
			expect(id).toBe(
				onceMessageId({
					systemId: systemId(),
					scope: 'send',
					caseId: theCase.id,
					key: incoming,
					fromAddress: addr(systemUser),
				}),
			);
			expect(id).toMatch(/^<mail-cases\.send\.[0-9a-f]{32}@example\.test>$/);
			expect(await store.cases.isOutgoingMessageId(id)).toBe(true);
			expect((await store.cases.findCaseByMessageIds([id]))?.id).toBe(theCase.id);

			const second = await run(workflow([item(rcpt, incoming)], ONCE));
			expect(second.error).toBeUndefined();
			const [replayed] = second.outputOf('Send Mail');
			expect(replayed.pairedItem).toEqual({ item: 0 });
			expect(replayed.json).toMatchObject({
				sent: false,
				replayed: true,
				messageId: id,
				reason: expect.stringMatching(/sent .* before/),
				caseNumber: theCase.number,
				caseId: theCase.id,
			});
			expect(replayed.json).not.toHaveProperty('accepted');

			const got = await waitForMail(rcpt, (m) => m.messageId === id, 20_000);
			expect(got.parsed.inReplyTo).toBe(incoming);
			// A different key sends again (a later mail of the same case): wait for it, then the first
			// id is still there once only.
			const later = `<anfrage-2-${backend}@kunde.test>`;
			const third = await run(workflow([item(rcpt, later)], ONCE));
			const thirdId = third.outputOf('Send Mail')[0].json.messageId as string;
			expect(third.outputOf('Send Mail')[0].json).toMatchObject({ sent: true, replayed: false });
			expect(thirdId).not.toBe(id);
			await waitForMail(rcpt, (m) => m.messageId === thirdId, 20_000);
			expect(await countById(rcpt, id)).toBe(1);
			expect((await listImap(rcpt)).map((m) => m.messageId).sort()).toEqual([id, thirdId].sort());
			expect((await store.cases.findCaseByMessageIds([thirdId]))?.id).toBe(theCase.id);

			// The same key for another case is another mail.
			const forOther = await run(workflow([item(rcpt, incoming, otherCase)], ONCE));
			const otherId = forOther.outputOf('Send Mail')[0].json.messageId as string;
			expect(forOther.outputOf('Send Mail')[0].json).toMatchObject({
				sent: true,
				caseNumber: otherCase.number,
			});
			expect(otherId).not.toBe(id);
			expect((await store.cases.findCaseByMessageIds([otherId]))?.id).toBe(otherCase.id);
			await waitForMail(rcpt, (m) => m.messageId === otherId, 20_000);
		});

		test('R-PLUS-2: the same key twice in one execution → the second item is replayed', async () => {
			const rcpt = claimUser();
			const incoming = `<doppelt-${backend}@kunde.test>`;
			const result = await run(workflow([item(rcpt, incoming), item(rcpt, incoming)], ONCE));
			expect(result.error).toBeUndefined();
			const out = result.outputOf('Send Mail');
			expect(out.map((i) => [i.pairedItem, i.json.sent, i.json.replayed])).toEqual([
				[{ item: 0 }, true, false],
				[{ item: 1 }, false, true],
			]);
			expect(out[1].json.messageId).toBe(out[0].json.messageId);
			await waitForMail(rcpt, (m) => m.messageId === out[0].json.messageId, 20_000);
			expect(await countById(rcpt, out[0].json.messageId as string)).toBe(1);
		});

		test('R-PLUS-4: Record on Case alone sends every time and links every Message-ID to the case', async () => {
			const rcpt = claimUser();
			const ids: string[] = [];
			for (let n = 0; n < 2; n++) {
				const result = await run(
					workflow([item(rcpt, `<ohne-schluessel-${backend}@kunde.test>`)], {
						caseNumber: '={{ $json.case.number }}',
					}),
				);
				expect(result.error).toBeUndefined();
				const [out] = result.outputOf('Send Mail');
				expect(out.json).toMatchObject({
					sent: true,
					replayed: false,
					caseNumber: theCase.number,
					caseId: theCase.id,
				});
				ids.push(out.json.messageId as string);
			}
			expect(ids[0]).not.toBe(ids[1]);
			for (const id of ids) {
				expect(id).not.toMatch(/mail-cases\.send\./);
				expect(await store.cases.isOutgoingMessageId(id)).toBe(true);
				expect((await store.cases.findCaseByMessageIds([id]))?.id).toBe(theCase.id);
				await waitForMail(rcpt, (m) => m.messageId === id, 20_000);
			}
			// a Message-ID of one's own is recorded as well
			const own = `<eigene-${backend}-${Date.now()}@example.test>`;
			const result = await run(
				workflow([item(rcpt, '<egal@kunde.test>')], { caseNumber: theCase.number, messageId: own }),
			);
			expect(result.outputOf('Send Mail')[0].json).toMatchObject({ sent: true, messageId: own });
			expect((await store.cases.findCaseByMessageIds([own]))?.id).toBe(theCase.id);
			await waitForMail(rcpt, (m) => m.messageId === own, 20_000);
		});

		test('a case number that does not exist: an error naming it, nothing sent; continueOnFail gives an error item', async () => {
			const rcpt = claimUser();
			const missing = '2099-999999';
			const failed = await run(
				workflow([{ ...item(rcpt, '<fehlt@kunde.test>'), case: { number: missing } }], ONCE),
			);
			expect(failed.status).toBe('error');
			expect(failed.error?.message).toMatch(
				new RegExp(`case ${missing} does not exist.*nothing was sent`),
			);
			const continued = await run(
				workflow(
					[
						{ ...item(rcpt, '<fehlt@kunde.test>'), case: { number: missing } },
						item(rcpt, '<da@kunde.test>'),
					],
					{ caseNumber: '={{ $json.case.number }}' },
					{ extra: { onError: 'continueRegularOutput' } },
				),
			);
			expect(continued.status).toBe('success');
			const [error, ok] = continued.outputOf('Send Mail');
			expect(error.pairedItem).toEqual({ item: 0 });
			expect(error.json.error).toMatch(new RegExp(`case ${missing} does not exist`));
			expect(ok.pairedItem).toEqual({ item: 1 });
			// Only the second item's mail arrives.
			await waitForMail(rcpt, (m) => m.messageId === ok.json.messageId, 20_000);
			expect(await listImap(rcpt)).toHaveLength(1);
		});

		test('Send Once Per without Record on Case, Message-ID with Send Once Per, empty values: clear errors, nothing sent', async () => {
			const rcpt = claimUser();
			const cases: Array<[IDataObject, RegExp]> = [
				[{ sendOnceKey: '={{ $json.messageId }}' }, /"Send Once Per" needs "Record on Case"/],
				[
					{ ...ONCE, messageId: '<eigene@example.test>' },
					/"Message-ID" and "Send Once Per" cannot be used together/,
				],
				[{ caseNumber: '={{ $json.nothing }}' }, /"Record on Case" is empty/],
				[{ ...ONCE, sendOnceKey: '={{ $json.nothing }}' }, /"Send Once Per" is empty/],
			];
			for (const [options, message] of cases) {
				const result = await run(workflow([item(rcpt, '<fehler@kunde.test>')], options));
				expect({ options, status: result.status }).toEqual({ options, status: 'error' });
				expect(result.error?.message).toMatch(message);
			}
			// A marker mail proves the mailbox is reachable and got nothing else.
			const marker = await run(workflow([item(rcpt, '<marker@kunde.test>')], {}));
			await waitForMail(
				rcpt,
				(m) => m.messageId === marker.outputOf('Send Mail')[0].json.messageId,
				20_000,
			);
			expect(await listImap(rcpt)).toHaveLength(1);
		});
	},
);
