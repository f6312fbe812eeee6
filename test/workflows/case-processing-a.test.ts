/**
 * Case processing, part A, run by n8n's real engine: Mail Cases Trigger (IMAP, real Dovecot) →
 * Case Match → Add to Case (with "Apply Field Lines"), and Case Match's Unmatched output →
 * Contact Lookup → Parse Fields — against the real store on SQLite and on PostgreSQL.
 * R-PROC-1, R-PROC-2, R-PROC-5, R-PLUS-2, R-PLUS-4, R-PLUS-5, R-PLUS-6.
 */
import type {
	ICredentialDataDecryptedObject,
	INodeExecutionData,
	INodeParameters,
} from 'n8n-workflow';
import {
	closeAllStores,
	type Case,
	type Store,
	type Workflow,
	type OrgUnit,
	type Contact,
} from '../../lib/store';
import { EmitItems } from '../fixtures/nodes/EmitItems.node';
import { ManualTrigger } from '../fixtures/nodes/ManualTrigger.node';
import { BACKENDS, StoreSite } from '../integration/store/support/backends';
import { claimUser, composeMail, deliver, listImap, stackUser } from '../support/mail-stack';
import {
	runWorkflow,
	shutdownN8nEngine,
	startTrigger,
	type TriggerHandle,
	type WorkflowJson,
} from '../support/n8n';
import { mailboxCredentialData } from '../support/credential-data';
import { itemsWorkflow } from '../support/n8n/items-workflow';
import { NODE, packageCredentialTypes, packageNodeTypes } from '../support/package-nodes';

jest.setTimeout(120_000);

const nodeTypes = {
	...packageNodeTypes(),
	'n8n-nodes-base.manualTrigger': ManualTrigger,
	'test.emitItems': EmitItems,
};
const credentialTypes = packageCredentialTypes();
const STORE_CREDENTIAL = { mailCasesStore: { id: 'store', name: 'Case Store' } };

afterAll(async () => {
	await shutdownN8nEngine();
});

function mailboxCredential(user: string) {
	return mailboxCredentialData(user);
}

/** The "Mail Cases Store" credential pointing at the test site (what a user enters). */
function storeCredential(site: StoreSite): ICredentialDataDecryptedObject {
	const c = site.config;
	if (c.kind === 'sqlite') return { kind: 'sqlite', path: c.path ?? '' };
	return {
		kind: 'postgres',
		host: c.host,
		port: c.port ?? 5432,
		database: c.database,
		user: c.user,
		password: c.password ?? '',
		schema: c.schema ?? '',
		ssl: 'off',
	};
}

interface Policies {
	match?: string[];
	fields?: string[];
}

function processingWorkflow(policies: Policies = {}): WorkflowJson {
	const store = { credentials: STORE_CREDENTIAL };
	const params = (p: INodeParameters) => p;
	return {
		nodes: [
			{
				name: 'Mail',
				type: NODE('mailCasesTrigger'),
				typeVersion: 1,
				position: [0, 0],
				parameters: params({ options: { pollIntervalSeconds: 1, mailsPerExecution: 1 } }),
				credentials: { mailCasesMailbox: { id: 'box', name: 'Box' } },
			},
			{
				name: 'Case Match',
				type: NODE('caseMatch'),
				typeVersion: 1,
				position: [200, 0],
				parameters: params({ senderPolicy: policies.match ?? ['anyone'], options: {} }),
				...store,
			},
			{
				name: 'Add to Case',
				type: NODE('addToCase'),
				typeVersion: 1,
				position: [400, 0],
				parameters: params({
					caseNumber: '={{ $json.case.number }}',
					applyFields: true,
					fieldSenderPolicy: policies.fields ?? ['caseParticipant'],
					fieldOptions: {},
				}),
				...store,
			},
			{
				name: 'Contact Lookup',
				type: NODE('contactLookup'),
				typeVersion: 1,
				position: [400, 200],
				parameters: params({ email: '={{ $json.from.address }}' }),
				...store,
			},
			{
				name: 'Parse Fields',
				type: NODE('parseFields'),
				typeVersion: 1,
				position: [600, 200],
				parameters: params({ text: '={{ $json.text }}', html: '={{ $json.html }}' }),
			},
		],
		connections: {
			Mail: { main: [[{ node: 'Case Match', type: 'main', index: 0 }]] },
			'Case Match': {
				main: [
					[{ node: 'Add to Case', type: 'main', index: 0 }],
					[{ node: 'Contact Lookup', type: 'main', index: 0 }],
				],
			},
			'Contact Lookup': { main: [[{ node: 'Parse Fields', type: 'main', index: 0 }]] },
		},
		settings: { executionOrder: 'v1' },
	};
}

/** Items a node put on an output, over all finished executions (nodes that did not run: none). */
function outputs(handle: TriggerHandle, node: string, output = 0): INodeExecutionData[] {
	return handle.executions
		.filter((e) => e.executedNodes.includes(node))
		.flatMap((e) => e.outputOf(node, output));
}

describe.each(BACKENDS)('case processing with the %s store', (backend) => {
	let site: StoreSite;
	let store: Store;
	let workflow: Workflow;
	let service: OrgUnit;
	let customer: Contact;
	const handles: TriggerHandle[] = [];

	beforeAll(async () => {
		site = new StoreSite(backend);
		store = await site.open();
		workflow = await store.workflows.create({
			name: 'Reklamation',
			fields: [
				{ name: 'Name', type: 'text' },
				{ name: 'Straße', type: 'text', optional: true },
				{ name: 'Betrag', type: 'number', optional: true },
				{ name: 'Fällig', type: 'date', optional: true },
			],
		});
		service = await store.orgUnits.create({ name: 'Kundenservice', members: ['agent@firma.test'] });
		customer = await store.contacts.create({
			email: 'joerg.mueller@kunde.test',
			firstName: 'Jörg',
			lastName: 'Müller',
			company: 'Müller & Söhne',
		});
	});

	afterEach(async () => {
		for (const handle of handles.splice(0)) await handle.close();
	});

	afterAll(async () => {
		await closeAllStores();
		await site.cleanup();
	});

	async function start(user: string, policies: Policies = {}) {
		const handle = await startTrigger({
			workflow: processingWorkflow(policies),
			nodeTypes,
			credentialTypes,
			credentials: {
				mailCasesMailbox: { box: mailboxCredential(user) },
				mailCasesStore: { store: storeCredential(site) },
			},
			triggerNodeName: 'Mail',
			timeoutMs: 60_000,
		});
		handles.push(handle);
		return handle;
	}

	/** A case of the customer, responsible: Kundenservice, Name = Erika. */
	async function newCase(): Promise<Case> {
		return await store.cases.create({
			workflowId: workflow.id,
			responsibleOrgUnitId: service.id,
			contactId: customer.id,
			requesterAddress: customer.email,
			title: 'Reklamation Waschmaschine',
			fields: { Name: 'Erika' },
		});
	}

	const incoming = async (caseId: number) =>
		(await store.activities.listForCase(caseId)).filter((a) => a.kind === 'incoming_mail');
	const fieldChanges = async (caseId: number) =>
		(await store.activities.listForCase(caseId)).filter((a) => a.kind === 'field_change');

	test('R-PROC-1/2/5, R-PLUS-6: a reply to case N is stored with its attachments, Name = Mustermann sets the field, the change is recorded', async () => {
		const user = claimUser();
		const kase = await newCase();
		const pdf = Buffer.from('%PDF-1.4 Prüfbericht\n%%EOF\n');
		const png = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex');
		await deliver(
			user,
			await composeMail({
				from: '"Jörg Müller" <joerg.mueller@kunde.test>',
				to: stackUser(user).address,
				subject: `AW: [#${kase.number}] Reklamation – Größe passt nicht`,
				text: [
					'Guten Tag,',
					'',
					'Name = Mustermann',
					'Straße = Königsallee 5',
					'Farbe = grün',
					'Betrag = viel',
					'',
					'Am 01.03.2026 um 10:00 schrieb Kundenservice <service@firma.test>:',
					'> Name = Alt',
				].join('\n'),
				html: '<p>Guten Tag,</p><p>Name = Mustermann<br>Straße = Königsallee 5</p><img src="cid:logo@kunde.test"><script>alert(1)</script><img src="https://tracker.example/p.gif">',
				attachments: [
					{ filename: 'Prüfbericht Straße №5.pdf', content: pdf, contentType: 'application/pdf' },
					{ filename: 'logo.png', content: png, contentType: 'image/png', cid: 'logo@kunde.test' },
				],
			}),
		);
		const handle = await start(user);
		const [execution] = await handle.waitForExecutions(1, 30_000);
		expect(execution.status).toBe('success');

		const [matched] = execution.outputOf('Case Match', 0);
		expect(matched.json).toMatchObject({
			case: { id: kase.id, number: kase.number },
			caseMatch: { via: 'subject', caseNumbers: [kase.number] },
		});
		expect(matched.pairedItem).toEqual({ item: 0 });
		const [added] = execution.outputOf('Add to Case');
		expect(added.pairedItem).toEqual({ item: 0 });
		expect(added.json).toMatchObject({
			replayed: false,
			case: { number: kase.number, fields: { Name: 'Mustermann', Straße: 'Königsallee 5' } },
			fields: {
				changed: [
					{
						field: 'Name',
						oldValue: 'Erika',
						newValue: 'Mustermann',
						changedBy: 'joerg.mueller@kunde.test',
					},
					{
						field: 'Straße',
						oldValue: null,
						newValue: 'Königsallee 5',
						changedBy: 'joerg.mueller@kunde.test',
					},
				],
				unknown: ['Farbe'],
				invalid: [{ field: 'Betrag', value: 'viel' }],
				rejected: [],
				sender: { allowed: true, reason: 'case-contact' },
			},
		});

		// What the store holds: the mail as an activity with both files, the field and its history.
		const [activity] = await incoming(kase.id);
		expect(activity).toMatchObject({
			id: (added.json.activity as { id: number }).id,
			subject: `AW: [#${kase.number}] Reklamation – Größe passt nicht`,
			from: '"Jörg Müller" <joerg.mueller@kunde.test>',
		});
		expect(activity.text).toContain('Name = Mustermann');
		expect(activity.html).toContain('src="cid:logo@kunde.test"');
		expect(activity.html).not.toMatch(/<script|tracker\.example/);
		// (in MIME order: nodemailer puts the inline image into multipart/related before the file)
		const files = Object.fromEntries(activity.attachments.map((a) => [a.fileName, a]));
		expect(
			Object.values(files)
				.map((a) => [a.fileName, a.contentType, a.contentId, a.hasContent])
				.sort(),
		).toEqual([
			['Prüfbericht Straße №5.pdf', 'application/pdf', null, true],
			['logo.png', 'image/png', 'logo@kunde.test', true],
		]);
		expect(
			await store.activities.getAttachmentContent(files['Prüfbericht Straße №5.pdf'].id),
		).toEqual(pdf);
		expect(await store.activities.getAttachmentContent(files['logo.png'].id)).toEqual(png);
		expect((await store.cases.require(kase.id)).fields).toEqual({
			Name: 'Mustermann',
			Straße: 'Königsallee 5',
		});
		expect(
			(await fieldChanges(kase.id)).map((a) => [a.fieldName, a.oldValue, a.newValue, a.changedBy]),
		).toEqual([
			['Name', 'Erika', 'Mustermann', 'joerg.mueller@kunde.test'],
			['Straße', null, 'Königsallee 5', 'joerg.mueller@kunde.test'],
		]);
		// R-PROC-4: the run succeeded, so the mail left the inbox.
		await waitUntilInboxEmpty(user);
	});

	test('R-PLUS-4: a reply that lost the number is matched through In-Reply-To of our notification', async () => {
		const user = claimUser();
		const kase = await newCase();
		await newCase(); // another case, so that "the only case" cannot pass by accident
		const notificationId = `<notify-${kase.number}-${backend}@firma.test>`;
		await store.activities.add({
			caseId: kase.id,
			kind: 'outgoing_mail',
			messageId: notificationId,
			from: 'service@firma.test',
			to: [customer.email],
			subject: `[#${kase.number}] Neue Nachricht`,
		});
		await deliver(
			user,
			await composeMail({
				from: customer.email,
				to: stackUser(user).address,
				subject: 'AW: Neue Nachricht',
				inReplyTo: notificationId,
				references: [`<root-${backend}@firma.test>`, notificationId],
				text: 'Danke!\nName = Thread',
			}),
		);
		const handle = await start(user);
		const [execution] = await handle.waitForExecutions(1, 30_000);
		expect(execution.status).toBe('success');
		expect(execution.outputOf('Case Match', 0)[0].json).toMatchObject({
			case: { id: kase.id },
			caseMatch: { via: 'thread', caseNumbers: [] },
		});
		expect((await incoming(kase.id)).map((a) => a.subject)).toEqual(['AW: Neue Nachricht']);
		expect((await store.cases.require(kase.id)).fields.Name).toBe('Thread');
	});

	test('R-PROC-1: mails for no existing case leave on the Unmatched output; Contact Lookup takes the oldest contact, Parse Fields reads the lines', async () => {
		const user = claimUser();
		const older = await store.contacts.create({
			email: `anna.${backend}@kunde.test`,
			firstName: 'Anna',
			lastName: 'Älter',
		});
		await store.contacts.create({
			email: `Anna.${backend}@Kunde.test`,
			firstName: 'Anna',
			lastName: 'Jünger',
		});
		const casesBefore = await store.countCases();
		await deliver(
			user,
			await composeMail({
				from: `"Anna Älter" <anna.${backend}@kunde.test>`,
				to: stackUser(user).address,
				subject: 'Neue Anfrage: Lieferung beschädigt',
				text: 'Name = Anna Älter\nFällig = 29.11.2026\n\n-- \nSignatur = egal',
			}),
		);
		await deliver(
			user,
			await composeMail({
				from: 'unbekannt@irgendwo.test',
				to: stackUser(user).address,
				subject: 'AW: [#1999-000999] Alter Vorgang',
				text: 'Name = Niemand',
			}),
		);
		const handle = await start(user);
		await handle.waitForExecutions(2, 30_000);
		expect(handle.executions.every((e) => e.status === 'success')).toBe(true);
		expect(outputs(handle, 'Case Match', 0)).toEqual([]);
		const unmatched = outputs(handle, 'Parse Fields');
		const bySubject = Object.fromEntries(unmatched.map((i) => [i.json.subject as string, i.json]));
		expect(bySubject['Neue Anfrage: Lieferung beschädigt']).toMatchObject({
			reason: 'no-case-reference',
			contact: { id: older.id, lastName: 'Älter' },
			contactMatches: 2,
			fields: { Name: 'Anna Älter', Fällig: '29.11.2026' },
		});
		expect(bySubject['AW: [#1999-000999] Alter Vorgang']).toMatchObject({
			reason: 'case-not-found',
			caseNumbers: ['1999-000999'],
			contact: {
				id: null,
				email: null,
				firstName: null,
				lastName: null,
				company: null,
				phone: null,
			},
			contactMatches: 0,
			fields: { Name: 'Niemand' },
		});
		expect(handle.executions.some((e) => e.executedNodes.includes('Add to Case'))).toBe(false);
		expect(await store.countCases()).toBe(casesBefore);
	});

	test('R-PLUS-5: a stranger cannot change fields; with a matching policy his mail does not even reach the case', async () => {
		const kase = await newCase();
		const strangerMail = async (user: string, tag: string) =>
			deliver(
				user,
				await composeMail({
					from: 'fremder@evil.test',
					to: stackUser(user).address,
					subject: `[#${kase.number}] ${tag}`,
					text: 'Name = Hacker\nStraße = Nirgendwo 1',
				}),
			);

		// Case Match lets anyone add mail; Add to Case lets only case participants set fields.
		const open = claimUser();
		await strangerMail(open, 'Hinweis');
		const first = await start(open);
		const [run] = await first.waitForExecutions(1, 30_000);
		expect(run.status).toBe('success');
		expect(run.outputOf('Add to Case')[0].json).toMatchObject({
			replayed: false,
			fields: {
				requested: {},
				changed: [],
				rejected: [
					{ field: 'Name', reason: 'the sender is not allowed to change this case by e-mail' },
					{ field: 'Straße', reason: 'the sender is not allowed to change this case by e-mail' },
				],
				sender: { allowed: false, reason: 'not-allowed' },
			},
		});
		expect((await incoming(kase.id)).map((a) => a.subject)).toEqual([`[#${kase.number}] Hinweis`]);
		expect((await store.cases.require(kase.id)).fields).toEqual({ Name: 'Erika' });
		expect(await fieldChanges(kase.id)).toEqual([]);

		// Case Match restricted to case participants: the stranger's mail goes to Unmatched.
		const strict = claimUser();
		await strangerMail(strict, 'Zweiter Versuch');
		const second = await start(strict, { match: ['caseParticipant'] });
		const [run2] = await second.waitForExecutions(1, 30_000);
		expect(run2.status).toBe('success');
		expect(run2.outputOf('Case Match', 0)).toEqual([]);
		expect(run2.outputOf('Case Match', 1)[0].json).toMatchObject({
			reason: 'sender-not-allowed',
			caseNumber: kase.number,
			reasonMessage: expect.stringContaining(kase.number),
		});
		expect(await incoming(kase.id)).toHaveLength(1);
	});

	test('R-PLUS-2: the same mail delivered twice changes nothing the second time, even after the field was edited in between', async () => {
		const user = claimUser();
		const kase = await newCase();
		const raw = await composeMail({
			from: '"Jörg Müller" <joerg.mueller@kunde.test>',
			to: stackUser(user).address,
			subject: `AW: [#${kase.number}] Zweimal`,
			messageId: `<twice-${kase.number}-${backend}@kunde.test>`,
			text: 'Name = Mustermann',
			attachments: [
				{
					filename: 'Foto Übergabe.jpg',
					content: Buffer.from('jpeg bytes'),
					contentType: 'image/jpeg',
				},
			],
		});
		await deliver(user, raw);
		const handle = await start(user);
		const [first] = await handle.waitForExecutions(1, 30_000);
		expect(first.status).toBe('success');
		const firstActivity = first.outputOf('Add to Case')[0].json.activity as { id: number };
		expect((await store.cases.require(kase.id)).fields.Name).toBe('Mustermann');

		// A person edits the field in the case; then the same message arrives again.
		await store.cases.update(
			kase.id,
			{ fields: { Name: 'Manuell' } },
			{ changedBy: 'agent@firma.test' },
		);
		const changesBefore = await fieldChanges(kase.id);
		await deliver(user, raw);
		const [, second] = await handle.waitForExecutions(2, 30_000);
		expect(second.status).toBe('success');
		expect(second.outputOf('Case Match', 0)[0].json).toMatchObject({
			caseMatch: { via: 'ledger' },
		});
		expect(second.outputOf('Add to Case')[0].json).toMatchObject({
			replayed: true,
			activity: { id: firstActivity.id },
			fields: { changed: [] },
		});

		expect(await incoming(kase.id)).toHaveLength(1);
		expect((await incoming(kase.id))[0].attachments).toHaveLength(1);
		expect((await store.cases.require(kase.id)).fields.Name).toBe('Manuell');
		expect(await fieldChanges(kase.id)).toEqual(changesBefore);
	});

	async function waitUntilInboxEmpty(user: string) {
		const deadline = Date.now() + 15_000;
		while ((await listImap(user)).length > 0) {
			if (Date.now() > deadline) throw new Error(`inbox of ${user} not empty`);
			await new Promise((r) => setTimeout(r, 200));
		}
	}
});

describe('the nodes alone (no mailbox): options and errors', () => {
	let site: StoreSite;
	let kase: Case;

	beforeAll(async () => {
		site = new StoreSite('sqlite');
		const store = await site.open();
		const workflow = await store.workflows.create({
			name: 'Anfrage',
			fields: [{ name: 'Name', type: 'text' }],
		});
		const unit = await store.orgUnits.create({ name: 'Team', members: ['team@firma.test'] });
		kase = await store.cases.create({ workflowId: workflow.id, responsibleOrgUnitId: unit.id });
	});
	afterAll(async () => {
		await closeAllStores();
		await site.cleanup();
	});

	/** Start → items → the node under test. */
	async function run(items: unknown[], node: WorkflowJson['nodes'][number]) {
		return await runWorkflow({
			workflow: itemsWorkflow(items, { ...node, typeVersion: 1 }),
			nodeTypes,
			credentialTypes,
			credentials: { mailCasesStore: { store: storeCredential(site) } },
		});
	}

	test('R-PROC-5 Parse Fields: HTML-only mails, "Field: Value" as an option, an allowed-field list, umlauts (R-PLUS-6)', async () => {
		const html = '<p>Name: Müller</p><p>Ort = Köln</p><blockquote>Name = Zitat</blockquote>';
		const result = await run([{ text: '', html }], {
			name: 'Parse Fields',
			type: NODE('parseFields'),
			parameters: {
				options: { colonSeparator: true, allowedFields: 'Name, Straße', outputProperty: 'werte' },
			},
		});
		expect(result.status).toBe('success');
		expect(result.outputOf('Parse Fields')[0].json.werte).toEqual({ Name: 'Müller' });
		const plain = await run([{ text: 'Name: Müller\nOrt = Köln', html: null }], {
			name: 'Parse Fields',
			type: NODE('parseFields'),
			parameters: {},
		});
		expect(plain.outputOf('Parse Fields')[0].json.fields).toEqual({ Ort: 'Köln' });
	});

	test('Add to Case names a case that does not exist; with "continue" the error becomes the item', async () => {
		const mail = {
			messageId: '<x1@kunde.test>',
			subject: 'Hallo',
			from: { address: 'a@kunde.test', name: '' },
			text: 'Name = X',
		};
		const node = {
			name: 'Add to Case',
			type: NODE('addToCase'),
			parameters: { caseNumber: '2026-999999' },
			credentials: STORE_CREDENTIAL,
		};
		const failed = await run([mail], node);
		expect(failed.status).toBe('error');
		// #14.4: the error names the mail it concerns
		expect(failed.error?.message).toBe(
			'Case 2026-999999 does not exist. Mail: "Hallo" from a@kunde.test (Message-ID <x1@kunde.test>).',
		);
		const continued = await run([mail], { ...node, onError: 'continueRegularOutput' });
		expect(continued.status).toBe('success');
		expect(continued.outputOf('Add to Case')).toEqual([
			{
				json: {
					...mail,
					error:
						'Case 2026-999999 does not exist. Mail: "Hallo" from a@kunde.test (Message-ID <x1@kunde.test>).',
					code: 'NOT_FOUND',
				},
				pairedItem: { item: 0 },
			},
		]);
	});

	test('Add to Case refuses an item that is no mail, and one without Message-ID or raw hash', async () => {
		const node = {
			name: 'Add to Case',
			type: NODE('addToCase'),
			parameters: { caseNumber: kase.number },
			credentials: STORE_CREDENTIAL,
		};
		expect((await run([{ foo: 1 }], node)).error?.message).toMatch(/not a mail/);
		expect(
			(await run([{ subject: 'x', from: { address: 'a@b.test' } }], node)).error?.message,
		).toMatch(/no Message-ID and no raw hash/);
	});

	test('Case Match: an extra pattern with the wrong number of groups is an error that says so', async () => {
		const result = await run(
			[{ messageId: '<p@x>', subject: 'Schaden 12', from: { address: 'a@b.test' } }],
			{
				name: 'Case Match',
				type: NODE('caseMatch'),
				parameters: { options: { patterns: 'Schaden (\\d+) (\\d+)' } },
				credentials: STORE_CREDENTIAL,
			},
		);
		expect(result.status).toBe('error');
		expect(result.error?.message).toMatch(/must have exactly one capturing group \(it has 2\)/);
	});

	test('R-PROC-1 Case Match: an extra pattern finds an existing case; a number it finds that names no case is unmatched', async () => {
		const mails = [
			{
				messageId: '<p2@x>',
				subject: `Schaden ${kase.number} gemeldet`,
				from: { address: 'a@b.test' },
			},
			{
				messageId: '<p3@x>',
				subject: 'Schaden 1999-000001 gemeldet',
				from: { address: 'a@b.test' },
			},
			{ messageId: '<p4@x>', subject: `Anruf ${kase.number}`, from: { address: 'a@b.test' } },
		];
		const result = await run(mails, {
			name: 'Case Match',
			type: NODE('caseMatch'),
			parameters: { options: { patterns: 'Schaden\\s+(\\d{4}-\\d{6})', bareNumbers: false } },
			credentials: STORE_CREDENTIAL,
		});
		expect(result.status).toBe('success');
		expect(
			result
				.outputOf('Case Match', 0)
				.map((i) => [i.json.subject, (i.json.case as Case).number, i.pairedItem]),
		).toEqual([[`Schaden ${kase.number} gemeldet`, kase.number, { item: 0 }]]);
		// without the pattern's keyword and with bare numbers off, "Anruf <number>" names no case
		expect(
			result
				.outputOf('Case Match', 1)
				.map((i) => [i.json.reason, i.json.caseNumbers, i.pairedItem]),
		).toEqual([
			['case-not-found', ['1999-000001'], { item: 1 }],
			['no-case-reference', [], { item: 2 }],
		]);
	});
});
