/**
 * Case processing, part B, run by n8n's real engine with the real case store (SQLite and
 * PostgreSQL) and the real Dovecot/Postfix: Mail Cases Trigger → Create Case from Mail
 * (R-PROC-6b) → Notify Responsible (R-PROC-3), Forward (R-PROC-6a), replays (R-PLUS-2),
 * auto-replies and our own mail coming back (R-PLUS-3), threading (R-PLUS-4) and the default
 * profile for system mails (R-OUT-6).
 */

import { InstanceSettings } from 'n8n-core';
import type {
	ICredentialDataDecryptedObject,
	IDataObject,
	ILoadOptionsFunctions,
	INodeExecutionData,
	INodeParameters,
} from 'n8n-workflow';
import { subjectReference } from '../../lib/cases/case-number';
import { forwardLedgerKey } from '../../lib/mail/compose-forward';
import { parseMessage } from '../../lib/mail/parse-message';
import { closeAllStores, type Store } from '../../lib/store';
import { CreateCaseFromMail } from '../../nodes/CreateCaseFromMail/CreateCaseFromMail.node';
import { storeConfigFrom } from '../../nodes/shared/store';
import { getStore } from '../../lib/store';
import { startWorld } from '../integration/graph/support';
import { mailboxCredentialData, smtpCredentialData } from '../support/credential-data';
import { testStore } from '../support/test-stores';
import {
	claimUser,
	composeMail,
	deliver,
	listImap,
	stackUser,
	waitForMail,
	type ListedMessage,
} from '../support/mail-stack';
import {
	runWorkflow,
	shutdownN8nEngine,
	startTrigger,
	type TriggerHandle,
	type WorkflowJson,
	type WorkflowNodeJson,
} from '../support/n8n';
import { Container } from '../support/n8n/engine';
import { NODE, packageCredentialTypes, packageNodeTypes } from '../support/package-nodes';

jest.setTimeout(120_000);

const nodeTypes = packageNodeTypes();
const credentialTypes = packageCredentialTypes();
const handles: TriggerHandle[] = [];
const cleanups: Array<() => Promise<void>> = [];

afterEach(async () => {
	for (const handle of handles.splice(0)) await handle.close();
});

/** Deactivates a trigger before the test ends (it is then not closed again). */
async function stop(handle: TriggerHandle): Promise<void> {
	handles.splice(handles.indexOf(handle), 1);
	await handle.close();
}
afterAll(async () => {
	await closeAllStores();
	for (const cleanup of cleanups.splice(0)) await cleanup();
	await shutdownN8nEngine();
});

// Mailboxes shared by both backends: the system sender, the two members of "Support" and the
// forwarding target. Assertions find their mails by Message-ID, never by position.
const systemUser = claimUser();
const agentA = claimUser();
const agentB = claimUser();
const backOffice = claimUser();
const addr = (user: string) => stackUser(user).address;

function smtpCredential(isDefault = true): ICredentialDataDecryptedObject {
	return smtpCredentialData(systemUser, { isDefault });
}

function mailboxCredential(user: string): ICredentialDataDecryptedObject {
	return mailboxCredentialData(user);
}

/** A fresh store per backend: SQLite file in a temp dir, or a fresh PostgreSQL schema. */
function storeCredential(backend: 'sqlite' | 'postgres'): ICredentialDataDecryptedObject {
	const store = testStore(backend, 'mc_b');
	cleanups.push(store.drop);
	return store.credential;
}

const STORE_CREDENTIAL = { mailCasesStore: { id: 'store', name: 'Store' } };
const SMTP_CREDENTIAL = { mailCasesSmtp: { id: 'smtp', name: 'SMTP' } };

function triggerNode(
	options: IDataObject = {},
	parameters: INodeParameters = {},
): WorkflowNodeJson {
	return {
		name: 'Mail',
		type: NODE('mailCasesTrigger'),
		typeVersion: 1,
		position: [0, 0],
		parameters: {
			...parameters,
			options: { includeRaw: true, pollIntervalSeconds: 1, retryDelaySeconds: 600, ...options },
		},
		credentials: { mailCasesMailbox: { id: 'box', name: 'Box' } },
	};
}

function createCaseNode(
	parameters: INodeParameters = {},
	extra: Partial<WorkflowNodeJson> = {},
): WorkflowNodeJson {
	return {
		name: 'Create Case',
		type: NODE('createCaseFromMail'),
		typeVersion: 1,
		position: [300, 0],
		parameters: { workflow: 'Reklamation', inboundWorkplace: 'Support', ...parameters },
		credentials: STORE_CREDENTIAL,
		...extra,
	};
}

function notifyNode(parameters: INodeParameters = {}): WorkflowNodeJson {
	return {
		name: 'Notify',
		type: NODE('notifyResponsible'),
		typeVersion: 1,
		position: [600, 0],
		parameters: { sendThrough: 'smtp', ...parameters },
		credentials: { ...SMTP_CREDENTIAL, ...STORE_CREDENTIAL },
	};
}

function forwardNode(
	parameters: INodeParameters = {},
	extra: Partial<WorkflowNodeJson> = {},
): WorkflowNodeJson {
	return {
		name: 'Forward',
		type: NODE('forwardMail'),
		typeVersion: 1,
		position: [300, 0],
		parameters: { sendThrough: 'smtp', forwardTo: addr(backOffice), ...parameters },
		credentials: { ...SMTP_CREDENTIAL, ...STORE_CREDENTIAL },
		...extra,
	};
}

/** Nodes in a chain: each node's first output feeds the next. */
function chain(...nodes: WorkflowNodeJson[]): WorkflowJson {
	const connections: WorkflowJson['connections'] = {};
	for (let i = 0; i + 1 < nodes.length; i++)
		connections[nodes[i].name] = { main: [[{ node: nodes[i + 1].name, type: 'main', index: 0 }]] };
	return { nodes, connections, settings: { executionOrder: 'v1' } };
}

function systemId(): string {
	return Container.get(InstanceSettings).instanceId;
}

async function waitUntilAsync(
	what: string,
	check: () => Promise<boolean>,
	timeoutMs = 20_000,
): Promise<void> {
	const end = Date.now() + timeoutMs;
	for (;;) {
		if (await check()) return;
		if (Date.now() > end) throw new Error(`timed out waiting for: ${what}`);
		await new Promise((r) => setTimeout(r, 200));
	}
}

/** The bytes of the first message/rfc822 part of a multipart message, as they are on the wire. */
function rfc822Part(raw: Buffer): Buffer {
	const text = raw.toString('latin1');
	const head = text.slice(0, text.indexOf('\r\n\r\n'));
	const boundary = /boundary="?([^";\r\n]+)"?/i.exec(head)?.[1];
	if (!boundary) throw new Error('not a multipart message');
	for (const part of text.split(`\r\n--${boundary}`).slice(1)) {
		const split = part.indexOf('\r\n\r\n');
		if (/content-type:\s*message\/rfc822/i.test(part.slice(0, split)))
			return Buffer.from(part.slice(split + 4), 'latin1');
	}
	throw new Error('no message/rfc822 part');
}

describe.each(['sqlite', 'postgres'] as const)('case processing B on %s', (backend) => {
	const credential = storeCredential(backend);
	let store: Store;
	let seeded: { contactFirst: number };
	/** The signed reference our mails carry for case `number` (issue #11.7). */
	const signedRef = async (number: string) =>
		subjectReference(number, await store.caseReferenceKey());

	const credentials = (inbox: string, smtp = smtpCredential()) => ({
		mailCasesMailbox: { box: mailboxCredential(inbox) },
		mailCasesSmtp: { smtp },
		mailCasesStore: { store: credential },
	});

	async function start(inbox: string, workflow: WorkflowJson): Promise<TriggerHandle> {
		const handle = await startTrigger({
			workflow,
			nodeTypes,
			credentialTypes,
			credentials: credentials(inbox),
			triggerNodeName: 'Mail',
			timeoutMs: 60_000,
		});
		handles.push(handle);
		return handle;
	}

	/** Runs a workflow as if the trigger had emitted `items` (no mailbox involved). */
	async function runWith(
		workflow: WorkflowJson,
		items: INodeExecutionData[],
		smtp = smtpCredential(),
	) {
		return runWorkflow({
			workflow,
			nodeTypes,
			credentialTypes,
			credentials: credentials(systemUser, smtp),
			mode: 'trigger',
			startNodeName: 'Mail',
			triggerData: [items],
			timeoutMs: 60_000,
		});
	}

	beforeAll(async () => {
		store = await getStore(storeConfigFrom(credential));
		await store.workflows.create({
			name: 'Reklamation',
			fields: [
				{ name: 'Name', type: 'text' },
				{ name: 'Betrag', type: 'number', optional: true },
				{ name: 'Dringend', type: 'boolean', optional: true },
			],
		});
		await store.workflows.create({ name: 'Alter Prozess', active: false, fields: [] });
		await store.orgUnits.create({
			name: 'Support',
			kind: 'org_unit',
			members: [addr(agentA), addr(agentB)],
		});
		await store.orgUnits.create({ name: 'Leer', kind: 'role', members: [] });
		// Two contacts share the sender's address: the one created first is used (R-PROC-6b).
		const first = await store.contacts.create({
			email: 'Erika@Kunde.test',
			firstName: 'Erika',
			lastName: 'Müller',
			company: 'Kunde GmbH',
			phone: '+49 30 1',
		});
		await store.contacts.create({
			email: 'erika@kunde.test',
			firstName: 'Erika',
			lastName: 'Zweite',
		});
		seeded = { contactFirst: first.id };
	});

	async function complaint(
		messageId: string,
		extra: Record<string, unknown> = {},
	): Promise<Buffer> {
		return composeMail({
			from: '"Erika Müller" <erika@kunde.test>',
			to: 'reklamation@example.test',
			subject: 'WG: Reklamation Lieferung',
			messageId,
			text: 'Guten Tag,\ndie Lieferung ist unvollständig.\nName = Müller\nBetrag = 12,50\nFarbe = rot\nDringend = vielleicht\n\nAm 28.11.2026 um 10:00 schrieb Shop <shop@example.test>:\n> Name = Zitiert\n',
			attachments: [
				{
					filename: 'Foto März.jpg',
					content: Buffer.from('JPEG-Inhalt ÄÖÜ'),
					contentType: 'image/jpeg',
				},
			],
			...extra,
		});
	}

	test('R-PROC-6b, R-PROC-3: a new mail opens a case in the chosen workflow; the inbound workplace is notified in Dovecot', async () => {
		const inbox = claimUser();
		const messageId = `<reklamation-1-${backend}@kunde.test>`;
		await deliver(inbox, await complaint(messageId));
		const handle = await start(
			inbox,
			chain(triggerNode(), createCaseNode(), notifyNode({ options: { replyTo: addr(inbox) } })),
		);
		const [run] = await handle.waitForExecutions(1, 60_000);
		expect(run.status).toBe('success');

		const [created] = run.outputOf('Create Case', 0);
		expect(created.pairedItem).toEqual({ item: 0 });
		const c = created.json.case as IDataObject;
		expect(c.number).toMatch(/^\d{4}-\d{6}$/);
		expect(created.json).toMatchObject({
			replayed: false,
			workflow: { name: 'Reklamation' },
			responsible: { name: 'Support', kind: 'org_unit' },
			contact: { id: seeded.contactFirst, lastName: 'Müller', company: 'Kunde GmbH' },
			// the mail's own fields stay on the item for later nodes (e.g. an acknowledgement)
			messageId,
			from: { address: 'erika@kunde.test', name: 'Erika Müller' },
		});
		expect(c).toMatchObject({
			title: 'Reklamation Lieferung',
			requesterAddress: 'erika@kunde.test',
			contactId: seeded.contactFirst,
			fields: { Name: 'Müller', Betrag: 12.5 },
		});
		const fields = created.json.fields as IDataObject;
		expect(fields.unknown).toEqual(['Farbe']);
		expect(fields.invalid).toEqual([
			expect.objectContaining({ field: 'Dringend', value: 'vielleicht' }),
		]);

		// The store: the case, with the mail (and its attachment) as the first activity.
		const stored = await store.cases.requireByNumber(c.number as string);
		expect(stored.fields).toEqual({ Name: 'Müller', Betrag: 12.5 });
		const workflow = await store.workflows.getByName('Reklamation');
		const support = await store.orgUnits.getByName('Support');
		expect(stored.workflowId).toBe(workflow!.id);
		expect(stored.responsibleOrgUnitId).toBe(support!.id);
		const activities = await store.activities.listForCase(stored.id);
		// #14.1: the Field-line feedback and the notification are in the history too
		expect(activities.map((a) => a.kind)).toEqual(['incoming_mail', 'note', 'outgoing_mail']);
		expect(activities[2]).toMatchObject({ purpose: 'notification', outcome: 'sent' });
		expect(activities[0]).toMatchObject({
			kind: 'incoming_mail',
			messageId: messageId.slice(1, -1),
		});
		expect(activities[0].attachments.map((a) => a.fileName)).toEqual(['Foto März.jpg']);
		expect(
			(await store.activities.getAttachmentContent(activities[0].attachments[0].id))?.equals(
				Buffer.from('JPEG-Inhalt ÄÖÜ'),
			),
		).toBe(true);

		// R-PROC-3: both members of Support get the notification.
		const [notified] = run.outputOf('Notify');
		const notification = notified.json.notification as IDataObject;
		expect(notification).toMatchObject({
			notified: true,
			replayed: false,
			caseNumber: c.number,
			recipients: [addr(agentA), addr(agentB)],
			profileIsDefault: true,
		});
		const id = notification.messageId as string;
		for (const agent of [agentA, agentB]) {
			const got = await waitForMail(agent, (m) => m.messageId === id, 20_000);
			// #11.7: the signed reference of the case
			expect(got.subject).toBe(
				`${await signedRef(c.number as string)} New message: Reklamation Lieferung`,
			);
			expect(got.parsed.headers.get('auto-submitted')).toBe('auto-generated');
			expect(got.parsed.headers.get('x-auto-response-suppress')).toBe('All');
			expect(got.parsed.headers.get('x-mail-cases-loop')).toBe(systemId());
			expect(got.parsed.inReplyTo).toBe(messageId);
			expect(got.parsed.references).toEqual(messageId);
			expect(got.parsed.replyTo?.value[0].address).toBe(addr(inbox));
			expect(got.text).toContain('die Lieferung ist unvollständig.');
			expect(got.text).not.toContain('Zitiert');
			expect(got.text).toMatch(/Attachments:\s+1: Foto März\.jpg/);
		}
		// R-PLUS-4: the notification's Message-ID is recorded, so a reply to it finds the case.
		expect((await store.cases.findCaseByMessageIds([id]))?.id).toBe(stored.id);
	});

	test('R-PLUS-2: the same mail processed again creates nothing new and notifies nobody twice', async () => {
		const inbox = claimUser();
		const raw = await complaint(`<reklamation-2-${backend}@kunde.test>`);
		await deliver(inbox, raw);
		const handle = await start(inbox, chain(triggerNode(), createCaseNode(), notifyNode()));
		const [first] = await handle.waitForExecutions(1, 60_000);
		expect(first.status).toBe('success');
		const firstCase = first.outputOf('Create Case')[0].json.case as IDataObject;
		const firstId = (first.outputOf('Notify')[0].json.notification as IDataObject)
			.messageId as string;
		await waitForMail(agentA, (m) => m.messageId === firstId, 20_000);
		const casesBefore = await store.cases.count();

		await deliver(inbox, raw); // the same message again (a retry, another worker, a re-sent copy)
		const [, second] = await handle.waitForExecutions(2, 60_000);
		expect(second.status).toBe('success');
		const [again] = second.outputOf('Create Case');
		expect(again.json.replayed).toBe(true);
		expect((again.json.case as IDataObject).id).toBe(firstCase.id);
		expect((again.json.case as IDataObject).number).toBe(firstCase.number);
		expect(await store.cases.count()).toBe(casesBefore);
		// nothing new: the mail, its Field-line feedback and the one notification
		expect(await store.activities.listForCase(firstCase.id as number)).toHaveLength(3);
		const notification = second.outputOf('Notify')[0].json.notification as IDataObject;
		expect(notification).toMatchObject({ notified: false, replayed: true, messageId: firstId });
		const copies = (await listImap(agentA)).filter((m) => m.messageId === firstId);
		expect(copies).toHaveLength(1);
	});

	test('R-PLUS-3: a notification that comes back as an out-of-office reply opens no case', async () => {
		// A real notification first (Create Case → Notify), as agent A receives it.
		const inbox = claimUser();
		await deliver(inbox, await complaint(`<reklamation-3-${backend}@kunde.test>`));
		const handle = await start(inbox, chain(triggerNode(), createCaseNode(), notifyNode()));
		const [run] = await handle.waitForExecutions(1, 60_000);
		const notificationId = (run.outputOf('Notify')[0].json.notification as IDataObject)
			.messageId as string;
		const notification = await waitForMail(agentA, (m) => m.messageId === notificationId, 20_000);
		const casesBefore = await store.cases.count();

		// Agent A's out-of-office answers it into the case mailbox, copying our loop header.
		const outOfOffice = (id: string) =>
			composeMail({
				from: addr(agentA),
				to: addr(inbox),
				subject: `Abwesenheitsnotiz: ${notification.subject}`,
				messageId: id,
				inReplyTo: notificationId,
				references: [notificationId],
				headers: {
					'Auto-Submitted': 'auto-replied',
					'X-Mail-Cases-Loop': notification.parsed.headers.get('x-mail-cases-loop') as string,
				},
				text: 'Ich bin bis Montag nicht im Büro.\nName = Abwesend\n',
			});

		// With the trigger's defaults the reply never starts the workflow: it is skipped and removed.
		await deliver(inbox, await outOfOffice(`<ooo-1-${backend}@example.test>`));
		await waitUntilAsync(
			'the auto-reply removed from the inbox',
			async () => (await listImap(inbox)).length === 0,
		);
		expect(handle.executions).toHaveLength(1);
		expect(await store.cases.count()).toBe(casesBefore);
		await stop(handle);

		// Even when the trigger is told to pass such mail on, Create Case puts it on "Skipped".
		await deliver(inbox, await outOfOffice(`<ooo-2-${backend}@example.test>`));
		const passing = await start(
			inbox,
			chain(triggerNode({}, { autoReplyAction: 'emit', loopAction: 'emit' }), createCaseNode()),
		);
		const [skippedRun] = await passing.waitForExecutions(1, 60_000);
		expect(skippedRun.status).toBe('success');
		expect(skippedRun.outputOf('Create Case', 0)).toEqual([]);
		const [skipped] = skippedRun.outputOf('Create Case', 1);
		expect(skipped.json.skipped).toMatchObject({
			class: 'loop',
			reason: 'Automatic mail (loop) opens no case',
		});
		expect(skipped.pairedItem).toEqual({ item: 0 });
		expect(await store.cases.count()).toBe(casesBefore);
		expect(await store.ledger.lookup(`mid:ooo-2-${backend}@example.test`)).toBeUndefined();
	});

	test('R-PROC-6b: only active workflows: the dropdown lists them; an inactive or missing one is an error naming it', async () => {
		const data = credential;
		const context = {
			getNode: () => ({ name: 'Create Case', credentials: STORE_CREDENTIAL }),
			getCredentials: async () => data,
		} as unknown as ILoadOptionsFunctions;
		const node = new CreateCaseFromMail();
		const workflows = await node.methods.loadOptions.getActiveWorkflows.call(context);
		expect(workflows.map((w) => w.value)).toEqual(['Reklamation']);
		const units = await node.methods.loadOptions.getOrgUnits.call(context);
		expect(units.map((u) => [u.value, u.name])).toEqual([
			['Leer', 'Leer (Role)'],
			['Support', 'Support (Org Unit)'],
		]);

		const item = (n: number): INodeExecutionData => ({
			json: {
				messageId: `<param-${n}-${backend}@kunde.test>`,
				subject: 'Frage',
				from: { address: 'neu@kunde.test', name: '' },
				to: [],
				cc: [],
				text: 'Hallo',
				headers: {},
				classification: { class: 'normal', reasons: [] },
			},
		});
		const inactive = await runWith(
			chain(triggerNode(), createCaseNode({ workflow: 'Alter Prozess' })),
			[item(1)],
		);
		expect(inactive.status).toBe('error');
		expect(inactive.error?.message).toBe(
			`Workflow "Alter Prozess" is inactive; only active workflows can start cases. Activate it or choose another workflow. Mail: "Frage" from neu@kunde.test (Message-ID <param-1-${backend}@kunde.test>).`,
		);
		const missing = await runWith(
			chain(triggerNode(), createCaseNode({ workflow: 'Gibt es nicht' })),
			[item(2)],
		);
		expect(missing.error?.message).toBe(
			`Workflow "Gibt es nicht" does not exist in the case store. Mail: "Frage" from neu@kunde.test (Message-ID <param-2-${backend}@kunde.test>).`,
		);
		// required: n8n itself refuses to run without it; an expression that yields nothing is our error
		const noUnit = await runWith(chain(triggerNode(), createCaseNode({ inboundWorkplace: '' })), [
			item(3),
		]);
		expect(noUnit.error?.message).toMatch(/Parameter "Inbound Workplace Name or ID" is required/);
		const emptyUnit = await runWith(
			chain(triggerNode(), createCaseNode({ inboundWorkplace: '={{ $json.unit }}' })),
			[item(6)],
		);
		expect(emptyUnit.error?.message).toBe(
			`Choose the inbound workplace (org unit / role) the new case is assigned to. Mail: "Frage" from neu@kunde.test (Message-ID <param-6-${backend}@kunde.test>).`,
		);
		// continueOnFail: the error becomes an item of the Case output
		const continued = await runWith(
			chain(
				triggerNode(),
				createCaseNode({ workflow: 'Alter Prozess' }, { onError: 'continueRegularOutput' }),
			),
			[item(4)],
		);
		expect(continued.status).toBe('success');
		expect(continued.outputOf('Create Case')[0].json.error).toMatch(/"Alter Prozess" is inactive/);
		// no contact with this address → contact fields empty; nothing was stored for the failed items
		const ok = await runWith(chain(triggerNode(), createCaseNode()), [item(5)]);
		expect(ok.outputOf('Create Case')[0].json.contact).toEqual({
			id: null,
			email: null,
			firstName: null,
			lastName: null,
			company: null,
			phone: null,
		});
		for (const n of [1, 2, 3, 4, 6])
			expect(await store.ledger.lookup(`mid:param-${n}-${backend}@kunde.test`)).toBeUndefined();
	});

	test('R-PROC-6a: an unmatched mail is forwarded with the original attached byte for byte; a replay forwards nothing', async () => {
		const inbox = claimUser();
		const messageId = `<weiter-1-${backend}@kunde.test>`;
		const raw = await complaint(messageId, {
			subject: 'Anfrage ohne Vorgang – Größe',
			html: '<p>Grüße <b>HTML</b></p>',
		});
		await deliver(inbox, raw);
		const [original] = await listImap(inbox); // the bytes the trigger will read
		const handle = await start(
			inbox,
			chain(triggerNode(), forwardNode({ options: { note: 'Bitte übernehmen.' } })),
		);
		const [run] = await handle.waitForExecutions(1, 60_000);
		expect(run.status).toBe('success');
		const [out] = run.outputOf('Forward');
		const forward = out.json.forward as IDataObject;
		expect(forward).toMatchObject({
			forwarded: true,
			replayed: false,
			to: [addr(backOffice)],
			mode: 'attachment',
			profileIsDefault: true,
		});
		expect(out.pairedItem).toEqual({ item: 0 });

		const got: ListedMessage = await waitForMail(
			backOffice,
			(m) => m.messageId === forward.messageId,
			20_000,
		);
		expect(got.subject).toBe('Fwd: Anfrage ohne Vorgang – Größe');
		expect(rfc822Part(got.raw).equals(original.raw)).toBe(true);
		expect(got.parsed.headers.get('x-mail-cases-loop')).toBe(systemId());
		expect(got.parsed.headers.get('auto-submitted')).toBeUndefined();
		expect(got.parsed.headers.get('resent-to')).toBe(addr(backOffice));
		expect(got.parsed.headers.get('resent-from')).toBe(addr(systemUser));
		expect(got.parsed.headers.get('resent-message-id')).toBe(forward.messageId);
		expect(got.parsed.references).toEqual(messageId);
		expect(got.text).toContain('Bitte übernehmen.');
		// Recorded in the ledger under the forward's own key (R-PLUS-2); the mail's key stays free.
		const entry = await store.ledger.lookup(
			forwardLedgerKey(`mid:${messageId.slice(1, -1)}`, [addr(backOffice)]),
		);
		expect(entry).toMatchObject({ outcome: 'forwarded', caseId: null });
		expect(await store.ledger.lookup(`mid:${messageId.slice(1, -1)}`)).toBeUndefined();

		await deliver(inbox, raw);
		const [, second] = await handle.waitForExecutions(2, 60_000);
		expect(second.status).toBe('success');
		expect(second.outputOf('Forward')[0].json.forward).toMatchObject({
			forwarded: false,
			replayed: true,
		});
		const copies = (await listImap(backOffice)).filter(
			(m) =>
				m.subject === 'Fwd: Anfrage ohne Vorgang – Größe' &&
				rfc822Part(m.raw).includes(Buffer.from(messageId)),
		);
		expect(copies).toHaveLength(1);
	});

	test('R-PROC-6a: forwarding inline keeps text, HTML and attachments', async () => {
		const inbox = claimUser();
		const messageId = `<weiter-2-${backend}@kunde.test>`;
		await deliver(
			inbox,
			await complaint(messageId, {
				subject: 'Inline bitte',
				html: '<p>Grüße <b>HTML</b><script>x()</script></p>',
			}),
		);
		const handle = await start(
			inbox,
			chain(
				triggerNode(),
				forwardNode({ forwardAs: 'inline', options: { language: 'de', subjectPrefix: 'WG' } }),
			),
		);
		const [run] = await handle.waitForExecutions(1, 60_000);
		expect(run.status).toBe('success');
		const forward = run.outputOf('Forward')[0].json.forward as IDataObject;
		const got = await waitForMail(backOffice, (m) => m.messageId === forward.messageId, 20_000);
		expect(got.subject).toBe('WG: Inline bitte');
		expect(got.text).toMatch(
			/^---------- Weitergeleitete Nachricht ----------\nVon:\s+Erika Müller <erika@kunde\.test>/,
		);
		expect(got.text).toContain('die Lieferung ist unvollständig.');
		expect(got.parsed.html).toContain('Grüße <b>HTML</b>');
		expect(got.parsed.html).not.toContain('<script');
		expect(got.parsed.attachments.map((a) => [a.filename, a.content.toString()])).toEqual([
			['Foto März.jpg', 'JPEG-Inhalt ÄÖÜ'],
		]);
	});

	test('R-PROC-6a: forwarding to the mailbox the mail came from is refused; the mail stays on the server', async () => {
		const inbox = claimUser();
		const messageId = `<weiter-3-${backend}@kunde.test>`;
		await deliver(inbox, await complaint(messageId));
		const handle = await start(
			inbox,
			chain(triggerNode({ maxAttempts: 5 }), forwardNode({ forwardTo: addr(inbox).toUpperCase() })),
		);
		const [run] = await handle.waitForExecutions(1, 60_000);
		expect(run.status).toBe('error');
		expect(run.error?.message).toMatch(
			new RegExp(
				`^Refusing to forward to ${addr(inbox).toUpperCase()}: that is the mailbox the mail was read from or another address of this system\\. .* Choose another forwarding address\\. Mail: "WG: Reklamation Lieferung" from erika@kunde\\.test \\(Message-ID <weiter-3-${backend}@kunde\\.test>\\)\\.$`,
			),
		);
		await stop(handle);
		// R-PLUS-1: a failed run leaves the mail; nothing was sent into the mailbox.
		const left = await listImap(inbox);
		expect(left.map((m) => m.messageId)).toEqual([messageId]);

		// An alias listed under Own Addresses is refused the same way (no mailbox involved).
		const item: INodeExecutionData = {
			json: {
				messageId: '<x@kunde.test>',
				subject: 'x',
				from: { address: 'erika@kunde.test', name: '' },
				mailbox: { mailbox: 'IMAPS host:993 as support, folder INBOX' },
			},
		};
		const alias = await runWith(
			chain(
				triggerNode(),
				forwardNode({
					forwardTo: 'info@example.test',
					options: { ownAddresses: 'Info@example.test' },
				}),
			),
			[item],
		);
		expect(alias.error?.message).toMatch(/^Refusing to forward to info@example\.test:/);
	});

	test('R-PROC-6a: forwarding as attachment without the raw message is a clear error', async () => {
		const item: INodeExecutionData = {
			json: {
				messageId: '<raw-missing@kunde.test>',
				subject: 'Ohne Rohdaten',
				from: { address: 'erika@kunde.test', name: '' },
				text: 'x',
			},
		};
		const result = await runWith(chain(triggerNode(), forwardNode()), [item]);
		expect(result.status).toBe('error');
		expect(result.error?.message).toMatch(/needs the original message.*Include Raw Message/);
	});

	test('R-PROC-3: Notify Responsible sends through the Exchange profile (Microsoft Graph) as well', async () => {
		const world = await startWorld({ roles: ['Mail.Send', 'Mail.ReadWrite'] });
		try {
			const support = await store.orgUnits.getByName('Support');
			const workflow = await store.workflows.getByName('Reklamation');
			const c = await store.cases.create({
				workflowId: workflow!.id,
				responsibleOrgUnitId: support!.id,
				title: 'Über Exchange',
			});
			const incoming = `<exchange-${backend}@kunde.test>`;
			const item: INodeExecutionData = {
				json: {
					messageId: incoming,
					subject: `AW: [#${c.number}] Über Exchange`,
					from: { address: 'erika@kunde.test', name: 'Erika' },
					text: 'Neue Info',
					case: { number: c.number },
				},
			};
			const exchange = {
				tenantId: world.tenant.id,
				clientId: world.app.clientId,
				authentication: 'secret',
				clientSecret: world.secret,
				mailbox: world.mailbox.upn,
				cloud: 'custom',
				authorityHost: world.fake.origin,
				graphEndpoint: world.fake.origin,
				caCertificate: world.fake.caPem,
				isDefault: true,
			};
			const node = notifyNode({ sendThrough: 'exchange' });
			node.credentials = {
				mailCasesExchange: { id: 'exo', name: 'Exchange' },
				...STORE_CREDENTIAL,
			};
			const result = await runWorkflow({
				workflow: chain(triggerNode(), node),
				nodeTypes,
				credentialTypes,
				credentials: {
					mailCasesExchange: { exo: exchange },
					mailCasesStore: { store: credential },
				},
				mode: 'trigger',
				startNodeName: 'Mail',
				triggerData: [[item]],
				timeoutMs: 60_000,
			});
			expect(result.status).toBe('success');
			const notification = result.outputOf('Notify')[0].json.notification as IDataObject;
			expect(notification).toMatchObject({
				notified: true,
				sendThrough: 'exchange',
				profileIsDefault: true,
				recipients: [addr(agentA), addr(agentB)],
			});
			expect(world.mailbox.sent).toHaveLength(1);
			const sent = await parseMessage(world.mailbox.sent[0].mime!);
			expect(sent.messageId).toBe(notification.messageId);
			expect(sent.subject).toBe(`${await signedRef(c.number)} New message: Über Exchange`);
			expect(sent.from?.address).toBe(world.mailbox.upn);
			expect(sent.headers['auto-submitted']).toBe('auto-generated');
			expect(sent.headers['x-mail-cases-loop']).toBe(systemId());
			expect(sent.inReplyTo).toBe(incoming);
			expect((await store.cases.findCaseByMessageIds([notification.messageId as string]))?.id).toBe(
				c.id,
			);
		} finally {
			await world.fake.stop();
		}
	});

	test('R-OUT-6: a profile not marked as default still sends, and says so (output and warning)', async () => {
		const support = await store.orgUnits.getByName('Support');
		const workflow = await store.workflows.getByName('Reklamation');
		const c = await store.cases.create({
			workflowId: workflow!.id,
			responsibleOrgUnitId: support!.id,
			title: 'Manuell',
		});
		const item: INodeExecutionData = {
			json: {
				messageId: `<hint-${backend}@kunde.test>`,
				subject: `Re: [#${c.number}] Manuell`,
				from: { address: addr(agentB), name: 'Agent B' },
				text: 'Erledigt.',
				case: { number: c.number },
			},
		};
		const result = await runWith(chain(triggerNode(), notifyNode()), [item], smtpCredential(false));
		expect(result.status).toBe('success');
		const notification = result.outputOf('Notify')[0].json.notification as IDataObject;
		// the writer (agent B) is a member but not notified about his own mail
		expect(notification).toMatchObject({
			notified: true,
			profileIsDefault: false,
			recipients: [addr(agentA)],
		});
		const hints = result.run.data.resultData.runData.Notify[0].hints ?? [];
		expect(hints).toEqual([
			expect.objectContaining({
				type: 'warning',
				message: expect.stringContaining('is not marked "Default Profile for System Mails"'),
			}),
		]);
		await waitForMail(agentA, (m) => m.messageId === notification.messageId, 20_000);

		// An org unit without members: a clear error instead of a silent no-op.
		const empty = await store.orgUnits.getByName('Leer');
		const lonely = await store.cases.create({
			workflowId: workflow!.id,
			responsibleOrgUnitId: empty!.id,
		});
		const failed = await runWith(chain(triggerNode(), notifyNode({ caseNumber: lonely.number })), [
			{ json: { ...item.json, messageId: `<leer-${backend}@kunde.test>` } },
		]);
		expect(failed.error?.message).toMatch(
			new RegExp(
				`^Case ${lonely.number}: role "Leer" has no members with an e-mail address, so nobody can be notified\\. Add members or Additional Recipients\\. Mail: .* \\(Message-ID <leer-${backend}@kunde\\.test>\\)\\. Already done: case \\d{4}-\\d{6} found\\.$`,
			),
		);
	});
});
