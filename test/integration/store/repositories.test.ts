import { LATEST_SCHEMA_VERSION, messageKeyOf, type Store } from '../../../lib/store';
import { BACKENDS, seed, StoreSite } from './support/backends';

jest.setTimeout(30_000);

/** Fixed clock: 2026-03-01 10:00 local time, advancing one millisecond per call. */
function clock(start = new Date(2026, 2, 1, 10, 0, 0)) {
	let t = start.getTime();
	return () => new Date(t++);
}

describe.each(BACKENDS)('case store on %s', (backend) => {
	let site: StoreSite;
	let store: Store;
	let fx: Awaited<ReturnType<typeof seed>>;

	beforeEach(async () => {
		site = new StoreSite(backend);
		store = await site.open({ now: clock() });
		fx = await seed(store);
	});

	afterEach(async () => {
		await site.cleanup();
	});

	describe('schema', () => {
		test('R-PLUS-7: migrations are applied on first use and re-opening changes nothing', async () => {
			expect(await store.schemaVersion()).toBe(LATEST_SCHEMA_VERSION);
			expect(store.backend).toBe(backend);
			const again = await site.open();
			expect(await again.schemaVersion()).toBe(LATEST_SCHEMA_VERSION);
			expect(await again.workflows.getByName('Complaints')).toMatchObject({ id: fx.workflow.id });
		});

		test('store description names the place but never the password', async () => {
			expect(store.description).toContain(backend === 'sqlite' ? 'cases.sqlite' : site.schema!);
			if (backend === 'postgres') expect(store.description).not.toMatch(/password/i);
		});
	});

	describe('workflows', () => {
		test('R-PROC-6b: only active workflows are offered, fields are kept with their types', async () => {
			const active = await store.workflows.list({ activeOnly: true });
			expect(active.map((w) => w.name)).toEqual(['Complaints']);
			expect((await store.workflows.list()).map((w) => w.name)).toEqual([
				'Complaints',
				'Old process',
			]);
			expect(fx.workflow.fields).toEqual([
				{ name: 'Name', type: 'text', optional: false },
				{ name: 'Amount', type: 'number', optional: true },
				{ name: 'Due', type: 'date', optional: true },
				{ name: 'Urgent', type: 'boolean', optional: true },
			]);
			expect(fx.workflow.active).toBe(true);
			expect(fx.inactive.active).toBe(false);
		});

		test('names are unique and definitions are checked', async () => {
			await expect(store.workflows.create({ name: 'Complaints' })).rejects.toMatchObject({
				code: 'CONFLICT',
				message: expect.stringContaining('"Complaints"'),
			});
			await expect(
				store.workflows.create({ name: 'X', fields: [{ name: 'a', type: 'colour' as never }] }),
			).rejects.toMatchObject({ code: 'INVALID_INPUT', message: expect.stringContaining('"a"') });
			await expect(
				store.workflows.create({
					name: 'Y',
					fields: [
						{ name: 'Name', type: 'text' },
						{ name: 'name', type: 'text' },
					],
				}),
			).rejects.toMatchObject({ code: 'INVALID_INPUT' });
		});

		test('update and activate; a workflow with cases cannot be deleted', async () => {
			const updated = await store.workflows.update(fx.inactive.id, { active: true });
			expect(updated.active).toBe(true);
			await store.cases.create({ workflowId: fx.inactive.id, responsibleOrgUnitId: fx.support.id });
			await expect(store.workflows.delete(fx.inactive.id)).rejects.toMatchObject({
				code: 'CONFLICT',
			});
			const spare = await store.workflows.create({ name: 'Spare' });
			await store.workflows.delete(spare.id);
			expect(await store.workflows.get(spare.id)).toBeUndefined();
			await expect(store.workflows.update(9999, { active: true })).rejects.toMatchObject({
				code: 'NOT_FOUND',
			});
		});
	});

	describe('org units', () => {
		test('R-PROC-3: members are kept for notification and found case-insensitively', async () => {
			const unit = await store.orgUnits.update(fx.support.id, {
				members: ['Agent1@Example.com', 'agent2@example.com', 'agent2@EXAMPLE.com'],
			});
			expect(unit.members).toEqual(['Agent1@Example.com', 'agent2@example.com']);
			expect((await store.orgUnits.get(fx.support.id))!.members).toEqual([
				'Agent1@Example.com',
				'agent2@example.com',
			]);
			expect((await store.orgUnits.findByMember('AGENT2@example.COM')).map((u) => u.name)).toEqual([
				'Support',
			]);
			expect((await store.orgUnits.getByName('Back office'))!.kind).toBe('role');
			expect((await store.orgUnits.list()).map((u) => u.name)).toEqual(['Back office', 'Support']);
		});

		test('bad input and duplicates are refused with actionable messages', async () => {
			await expect(store.orgUnits.create({ name: 'Support' })).rejects.toMatchObject({
				code: 'CONFLICT',
			});
			await expect(
				store.orgUnits.create({ name: 'Z', members: ['not an address'] }),
			).rejects.toMatchObject({
				code: 'INVALID_ADDRESS',
				message: expect.stringContaining('not an address'),
			});
			await expect(
				store.orgUnits.create({ name: 'Z', kind: 'team' as never }),
			).rejects.toMatchObject({
				code: 'INVALID_INPUT',
			});
		});

		test('an org unit responsible for cases cannot be deleted', async () => {
			const c = await store.cases.create({
				workflowId: fx.workflow.id,
				responsibleOrgUnitId: fx.support.id,
			});
			await expect(store.orgUnits.delete(fx.support.id)).rejects.toMatchObject({
				code: 'CONFLICT',
				message: expect.stringContaining(c.number),
			});
			await store.orgUnits.delete(fx.backOffice.id);
			expect(await store.orgUnits.get(fx.backOffice.id)).toBeUndefined();
		});
	});

	describe('contacts', () => {
		test('R-PROC-6b: e-mail lookup ignores case; with several contacts the oldest wins', async () => {
			const first = await store.contacts.create({
				email: 'Erika.Mustermann@Example.de',
				firstName: 'Erika',
				lastName: 'Mustermann',
				company: 'Müller & Söhne GmbH',
				phone: '+49 30 1234',
			});
			const second = await store.contacts.create({
				email: 'erika.mustermann@example.de',
				firstName: 'E.',
			});
			expect(await store.contacts.findByEmail('ERIKA.MUSTERMANN@example.DE')).toEqual(first);
			expect(
				(await store.contacts.findAllByEmail(' erika.mustermann@example.de ')).map((c) => c.id),
			).toEqual([first.id, second.id]);
			expect(await store.contacts.findByEmail('nobody@example.de')).toBeUndefined();
			expect(first.company).toBe('Müller & Söhne GmbH');
		});

		test('update and delete; a deleted contact is unlinked from its cases', async () => {
			const contact = await store.contacts.create({ email: 'a@example.com' });
			const updated = await store.contacts.update(contact.id, {
				email: 'b@example.com',
				lastName: 'Bee',
			});
			expect(updated).toMatchObject({ email: 'b@example.com', lastName: 'Bee' });
			expect(await store.contacts.findByEmail('a@example.com')).toBeUndefined();
			const c = await store.cases.create({
				workflowId: fx.workflow.id,
				responsibleOrgUnitId: fx.support.id,
				contactId: contact.id,
			});
			await store.contacts.delete(contact.id);
			expect((await store.cases.get(c.id))!.contactId).toBeNull();
			await expect(store.contacts.delete(contact.id)).rejects.toMatchObject({ code: 'NOT_FOUND' });
		});
	});

	describe('cases', () => {
		test('R-PROC-1: numbers follow the default format and a case is found by its number', async () => {
			const a = await store.cases.create({
				workflowId: fx.workflow.id,
				responsibleOrgUnitId: fx.support.id,
			});
			const b = await store.cases.create({
				workflowId: fx.workflow.id,
				responsibleOrgUnitId: fx.support.id,
			});
			expect([a.number, b.number]).toEqual(['2026-000001', '2026-000002']);
			expect(await store.cases.getByNumber('2026-000002')).toEqual(b);
			expect(await store.cases.getByNumber('2026-000003')).toBeUndefined();
			await expect(store.cases.requireByNumber('2026-000003')).rejects.toMatchObject({
				code: 'NOT_FOUND',
				message: 'Case 2026-000003 does not exist',
			});
			expect(await store.countCases()).toBe(2);
		});

		test('the sequence restarts each year and a custom format is honoured', async () => {
			let now = new Date(2025, 11, 31, 23, 59);
			const custom = await site.open({ now: () => now }, { caseNumberFormat: 'VG-{YY}/{SEQ:4}' });
			const a = await custom.cases.create({
				workflowId: fx.workflow.id,
				responsibleOrgUnitId: fx.support.id,
			});
			now = new Date(2026, 0, 1, 0, 1);
			const b = await custom.cases.create({
				workflowId: fx.workflow.id,
				responsibleOrgUnitId: fx.support.id,
			});
			const c = await custom.cases.create({
				workflowId: fx.workflow.id,
				responsibleOrgUnitId: fx.support.id,
			});
			expect([a.number, b.number, c.number]).toEqual(['VG-25/0001', 'VG-26/0001', 'VG-26/0002']);
		});

		test('a wider sequence after a format change continues the count instead of repeating numbers', async () => {
			const a = await store.cases.create({
				workflowId: fx.workflow.id,
				responsibleOrgUnitId: fx.support.id,
			});
			const wider = await site.open({ now: clock() }, { caseNumberFormat: '{YYYY}-{SEQ:7}' });
			const b = await wider.cases.create({
				workflowId: fx.workflow.id,
				responsibleOrgUnitId: fx.support.id,
			});
			expect([a.number, b.number]).toEqual(['2026-000001', '2026-0000002']);
		});

		test('R-PROC-6b: an inactive workflow cannot start a case; org unit is required and must exist', async () => {
			await expect(
				store.cases.create({ workflowId: fx.inactive.id, responsibleOrgUnitId: fx.support.id }),
			).rejects.toMatchObject({
				code: 'WORKFLOW_INACTIVE',
				message: expect.stringContaining('"Old process"'),
			});
			await expect(
				store.cases.create({ workflowId: fx.workflow.id, responsibleOrgUnitId: 4242 }),
			).rejects.toMatchObject({
				code: 'NOT_FOUND',
				message: expect.stringContaining('org unit 4242'),
			});
			await expect(
				store.cases.create({ workflowId: fx.workflow.id } as never),
			).rejects.toMatchObject({ code: 'INVALID_INPUT' });
			expect(await store.countCases()).toBe(0);
		});

		test('R-PROC-5: field values are type-checked against the workflow form', async () => {
			const c = await store.cases.create({
				workflowId: fx.workflow.id,
				responsibleOrgUnitId: fx.support.id,
				fields: { Name: 'Jürgen Groß', Amount: 12.5, Due: '2026-02-28', Urgent: true },
			});
			expect((await store.cases.get(c.id))!.fields).toEqual({
				Name: 'Jürgen Groß',
				Amount: 12.5,
				Due: '2026-02-28',
				Urgent: true,
			});
			const bad: Array<[Record<string, unknown>, string]> = [
				[{ Amount: '12' }, 'Amount'],
				[{ Due: '2026-02-30' }, 'Due'],
				[{ Urgent: 'yes' }, 'Urgent'],
				[{ Colour: 'red' }, 'Colour'],
			];
			for (const [fields, name] of bad) {
				await expect(store.cases.update(c.id, { fields: fields as never })).rejects.toMatchObject({
					code: 'FIELD_INVALID',
					message: expect.stringContaining(`"${name}"`),
				});
			}
		});

		test('R-PROC-6b: the requester is kept and its contact is looked up unless given', async () => {
			const older = await store.contacts.create({ email: 'kunde@example.de', lastName: 'Älter' });
			await store.contacts.create({ email: 'KUNDE@example.de', lastName: 'Jünger' });
			const found = await store.cases.create({
				workflowId: fx.workflow.id,
				responsibleOrgUnitId: fx.support.id,
				requesterAddress: 'Kunde@Example.de',
			});
			expect(found).toMatchObject({ requesterAddress: 'Kunde@Example.de', contactId: older.id });
			const none = await store.cases.create({
				workflowId: fx.workflow.id,
				responsibleOrgUnitId: fx.support.id,
				requesterAddress: 'stranger@example.org',
			});
			expect(none.contactId).toBeNull();
			const explicit = await store.cases.create({
				workflowId: fx.workflow.id,
				responsibleOrgUnitId: fx.support.id,
				requesterAddress: 'kunde@example.de',
				contactId: null,
			});
			expect(explicit.contactId).toBeNull();
		});

		test('updates record field changes with old value, new value and who changed them', async () => {
			const c = await store.cases.create({
				workflowId: fx.workflow.id,
				responsibleOrgUnitId: fx.support.id,
				fields: { Name: 'Alt' },
			});
			const { case: updated, changes } = await store.cases.update(
				c.id,
				{
					fields: { Name: 'Neu', Amount: 3 },
					status: 'in progress',
					responsibleOrgUnitId: fx.backOffice.id,
				},
				{ changedBy: 'kunde@example.de' },
			);
			expect(updated).toMatchObject({
				fields: { Name: 'Neu', Amount: 3 },
				status: 'in progress',
				responsibleOrgUnitId: fx.backOffice.id,
			});
			expect(
				changes.map((a) => [a.kind, a.fieldName, a.oldValue, a.newValue, a.changedBy]),
			).toEqual([
				['field_change', 'Name', 'Alt', 'Neu', 'kunde@example.de'],
				['field_change', 'Amount', null, 3, 'kunde@example.de'],
				['field_change', '@status', 'open', 'in progress', 'kunde@example.de'],
				[
					'field_change',
					'@responsibleOrgUnitId',
					fx.support.id,
					fx.backOffice.id,
					'kunde@example.de',
				],
			]);
			// setting the same values again changes nothing and records nothing
			const again = await store.cases.update(c.id, {
				fields: { Name: 'Neu' },
				status: 'in progress',
			});
			expect(again.changes).toEqual([]);
			expect((await store.activities.listForCase(c.id)).length).toBe(4);
			await expect(store.cases.update(99999, { status: 'x' })).rejects.toMatchObject({
				code: 'NOT_FOUND',
			});
		});

		test('list filters by status and org unit, newest first', async () => {
			const a = await store.cases.create({
				workflowId: fx.workflow.id,
				responsibleOrgUnitId: fx.support.id,
			});
			const b = await store.cases.create({
				workflowId: fx.workflow.id,
				responsibleOrgUnitId: fx.backOffice.id,
			});
			await store.cases.update(a.id, { status: 'closed' });
			expect((await store.cases.list()).map((c) => c.id)).toEqual([b.id, a.id]);
			expect((await store.cases.list({ status: 'closed' })).map((c) => c.id)).toEqual([a.id]);
			expect(
				(await store.cases.list({ responsibleOrgUnitId: fx.backOffice.id })).map((c) => c.id),
			).toEqual([b.id]);
			expect((await store.cases.list({ limit: 1, offset: 1 })).map((c) => c.id)).toEqual([a.id]);
		});

		test('delete removes the case with its activities and links; its mail is not read in again', async () => {
			const created = await store.ledger.createCaseFromMail({
				messageKey: messageKeyOf({ messageId: '<del-1@customer>' }),
				workflowId: fx.workflow.id,
				responsibleOrgUnitId: fx.support.id,
				mail: { messageId: '<del-1@customer>', from: 'kunde@example.de', subject: 'x', text: 'x' },
			});
			const id = created.case!.id;
			await store.cases.recordOutgoingMessageId(id, '<our-notification-1@example.com>');
			const deleted = await store.cases.delete(id);
			expect(deleted.number).toBe(created.case!.number);
			expect(await store.cases.get(id)).toBeUndefined();
			expect(await store.activities.listForCase(id)).toEqual([]);
			expect(
				await store.cases.findCaseByMessageIds(['<our-notification-1@example.com>']),
			).toBeUndefined();
			// The ledger still knows the mail: a replay creates nothing.
			expect(
				await store.ledger.lookup(messageKeyOf({ messageId: '<del-1@customer>' })),
			).toMatchObject({ caseId: null });
			await expect(store.cases.delete(id)).rejects.toMatchObject({ code: 'NOT_FOUND' });
		});
	});

	describe('activities', () => {
		test('R-PROC-2 / R-PLUS-6: mail content, sanitised HTML and attachments are stored as given', async () => {
			const c = await store.cases.create({
				workflowId: fx.workflow.id,
				responsibleOrgUnitId: fx.support.id,
			});
			const pdf = Buffer.from([0x25, 0x50, 0x44, 0x46, 0x00, 0xff, 0x10]);
			const activity = await store.activities.add({
				caseId: c.id,
				kind: 'incoming_mail',
				messageId: '<abc@mail.example>',
				from: 'kunde@example.de',
				to: ['support@example.com'],
				cc: ['chef@example.com', 'zweite@example.com'],
				subject: 'Reklamation Größe — 2026-000001',
				text: 'Grüße aus Köln',
				html: '<p>Grüße aus <b>Köln</b></p>',
				attachments: [
					{ fileName: 'Rechnung März.pdf', contentType: 'application/pdf', content: pdf },
					{
						fileName: 'logo.png',
						contentType: 'image/png',
						content: new Uint8Array([1, 2, 3]),
						contentId: '<logo@x>',
					},
					{ fileName: 'huge.iso', size: 123456789, content: null },
				],
			});
			const [listed] = await store.activities.listForCase(c.id);
			expect(listed).toEqual(activity);
			expect(listed).toMatchObject({
				kind: 'incoming_mail',
				messageId: 'abc@mail.example',
				from: 'kunde@example.de',
				to: ['support@example.com'],
				cc: ['chef@example.com', 'zweite@example.com'],
				subject: 'Reklamation Größe — 2026-000001',
				text: 'Grüße aus Köln',
				html: '<p>Grüße aus <b>Köln</b></p>',
			});
			expect(
				listed.attachments.map((a) => [
					a.fileName,
					a.contentType,
					a.size,
					a.contentId,
					a.hasContent,
				]),
			).toEqual([
				['Rechnung März.pdf', 'application/pdf', 7, null, true],
				['logo.png', 'image/png', 3, 'logo@x', true],
				['huge.iso', 'application/octet-stream', 123456789, null, false],
			]);
			expect(await store.activities.getAttachmentContent(listed.attachments[0].id)).toEqual(pdf);
			expect(await store.activities.getAttachmentContent(listed.attachments[1].id)).toEqual(
				Buffer.from([1, 2, 3]),
			);
			expect(await store.activities.getAttachmentContent(listed.attachments[2].id)).toBeNull();
			await expect(store.activities.getAttachmentContent(987654)).rejects.toMatchObject({
				code: 'NOT_FOUND',
			});
			expect(await store.activities.get(activity.id)).toEqual(activity);
		});

		test('attachment content above maxAttachmentBytesPerMail is refused, naming the case and limit', async () => {
			const small = await site.open({ now: clock() }, { maxAttachmentBytesPerMail: 1000 });
			const c = await small.cases.create({
				workflowId: fx.workflow.id,
				responsibleOrgUnitId: fx.support.id,
			});
			await expect(
				small.activities.add({
					caseId: c.id,
					kind: 'incoming_mail',
					attachments: [
						{ fileName: 'a', content: Buffer.alloc(600) },
						{ fileName: 'b', content: Buffer.alloc(600) },
					],
				}),
			).rejects.toMatchObject({
				code: 'MESSAGE_TOO_LARGE',
				message: expect.stringMatching(new RegExp(`Case ${c.number}.*1200 bytes.*1000 bytes`)),
			});
			expect(await small.activities.listForCase(c.id)).toEqual([]);
			await small.activities.add({
				caseId: c.id,
				kind: 'note',
				author: 'agent1@example.com',
				text: 'metadata only',
				attachments: [
					{ fileName: 'a', size: 600, content: null },
					{ fileName: 'b', content: Buffer.alloc(1000) },
				],
			});
			expect((await small.activities.listForCase(c.id))[0]).toMatchObject({
				kind: 'note',
				from: 'agent1@example.com',
			});
		});

		test('field_change activities cannot be added directly', async () => {
			const c = await store.cases.create({
				workflowId: fx.workflow.id,
				responsibleOrgUnitId: fx.support.id,
			});
			await expect(
				store.activities.add({ caseId: c.id, kind: 'field_change' as never }),
			).rejects.toMatchObject({
				code: 'INVALID_INPUT',
			});
			await expect(store.activities.add({ caseId: 777, kind: 'note' })).rejects.toMatchObject({
				code: 'NOT_FOUND',
			});
		});
	});

	describe('thread matching', () => {
		test('R-PLUS-4: replies find the case through our outgoing and the stored incoming Message-IDs', async () => {
			const a = await store.cases.create({
				workflowId: fx.workflow.id,
				responsibleOrgUnitId: fx.support.id,
			});
			const b = await store.cases.create({
				workflowId: fx.workflow.id,
				responsibleOrgUnitId: fx.support.id,
			});
			await store.cases.recordOutgoingMessageId(a.id, '<ack-1@mail-cases>');
			await store.activities.add({
				caseId: b.id,
				kind: 'outgoing_mail',
				messageId: '<reply-7@mail-cases>',
				to: ['k@x.de'],
			});
			await store.activities.add({
				caseId: b.id,
				kind: 'incoming_mail',
				messageId: 'orig-3@customer.example',
			});

			expect(
				(await store.cases.findCaseByMessageIds(['<unknown@x>', '<ack-1@mail-cases>']))!.number,
			).toBe(a.number);
			expect((await store.cases.findCaseByMessageIds(['reply-7@mail-cases']))!.number).toBe(
				b.number,
			);
			expect((await store.cases.findCaseByMessageIds(['<orig-3@customer.example>']))!.number).toBe(
				b.number,
			);
			// the first id in the list that matches decides
			expect(
				(await store.cases.findCaseByMessageIds([
					'<orig-3@customer.example>',
					'<ack-1@mail-cases>',
				]))!.id,
			).toBe(b.id);
			expect(await store.cases.findCaseByMessageIds(['<none@x>'])).toBeUndefined();
			expect(await store.cases.findCaseByMessageIds([])).toBeUndefined();

			expect(await store.cases.isOutgoingMessageId('<reply-7@mail-cases>')).toBe(true);
			expect(await store.cases.isOutgoingMessageId('<orig-3@customer.example>')).toBe(false);
			// recording again for the same case is fine, for another case a conflict
			await store.cases.recordOutgoingMessageId(a.id, 'ack-1@mail-cases');
			await expect(
				store.cases.recordOutgoingMessageId(b.id, '<ack-1@mail-cases>'),
			).rejects.toMatchObject({
				code: 'CONFLICT',
				message: expect.stringContaining(a.number),
			});
		});
	});

	describe('ledger (R-PLUS-2)', () => {
		const mail = (id: string, extra: Record<string, unknown> = {}) => ({
			messageId: `<${id}>`,
			from: 'Kunde@Example.de',
			to: ['support@example.com'],
			subject: 'Beschwerde',
			text: 'Name = Muster',
			attachments: [
				{ fileName: 'foto.jpg', contentType: 'image/jpeg', content: Buffer.from('jpeg') },
			],
			...extra,
		});

		test('R-PROC-6b: a case is created from a mail in one go: case, activity, requester, contact, ledger', async () => {
			const contact = await store.contacts.create({ email: 'kunde@example.de' });
			const result = await store.ledger.createCaseFromMail({
				messageKey: messageKeyOf({ messageId: '<m1@customer>' }),
				workflowId: fx.workflow.id,
				responsibleOrgUnitId: fx.support.id,
				title: 'Beschwerde',
				fields: { Name: 'Muster' },
				mail: mail('m1@customer'),
			});
			expect(result.replayed).toBe(false);
			expect(result.case).toMatchObject({
				number: '2026-000001',
				requesterAddress: 'Kunde@Example.de',
				contactId: contact.id,
				fields: { Name: 'Muster' },
				title: 'Beschwerde',
			});
			expect(result.activity).toMatchObject({
				kind: 'incoming_mail',
				messageId: 'm1@customer',
				caseId: result.case!.id,
			});
			expect(result.entry).toMatchObject({
				messageKey: 'mid:m1@customer',
				outcome: 'case_created',
				caseId: result.case!.id,
				activityId: result.activity!.id,
			});
			expect(await store.ledger.lookup('mid:m1@customer')).toEqual(result.entry);
		});

		test('replaying the same Message-ID returns the earlier case and writes nothing', async () => {
			const input = {
				messageKey: messageKeyOf({ messageId: '<m2@customer>' }),
				workflowId: fx.workflow.id,
				responsibleOrgUnitId: fx.support.id,
				mail: mail('m2@customer'),
			};
			const first = await store.ledger.createCaseFromMail(input);
			const second = await store.ledger.createCaseFromMail(input);
			expect(second.replayed).toBe(true);
			expect(second.case).toEqual(first.case);
			expect(second.activity).toEqual(first.activity);
			expect(second.entry).toEqual(first.entry);
			// the same mail offered as an addition to the case is a replay too
			const third = await store.ledger.addMailToCase({
				messageKey: input.messageKey,
				caseId: first.case!.id,
				mail: mail('m2@customer'),
			});
			expect(third).toMatchObject({ replayed: true, entry: first.entry });
			expect(await store.countCases()).toBe(1);
			expect(await store.activities.listForCase(first.case!.id)).toHaveLength(1);
		});

		test('a failed creation leaves no trace, so the retry can succeed', async () => {
			const key = messageKeyOf({ messageId: '<m3@customer>' });
			await expect(
				store.ledger.createCaseFromMail({
					messageKey: key,
					workflowId: fx.inactive.id,
					responsibleOrgUnitId: fx.support.id,
					mail: mail('m3@customer'),
				}),
			).rejects.toMatchObject({ code: 'WORKFLOW_INACTIVE' });
			expect(await store.ledger.lookup(key)).toBeUndefined();
			const retry = await store.ledger.createCaseFromMail({
				messageKey: key,
				workflowId: fx.workflow.id,
				responsibleOrgUnitId: fx.support.id,
				mail: mail('m3@customer'),
			});
			// the failed attempt did not use up a number
			expect(retry).toMatchObject({ replayed: false, case: { number: '2026-000001' } });
		});

		test('R-PROC-1/5: a mail is added to a case with its Field = Value updates, once', async () => {
			const created = await store.ledger.createCaseFromMail({
				messageKey: 'mid:m4@customer',
				workflowId: fx.workflow.id,
				responsibleOrgUnitId: fx.support.id,
				fields: { Name: 'Alt' },
				mail: mail('m4@customer'),
			});
			const input = {
				messageKey: messageKeyOf({ messageId: 'm5@customer' }),
				caseId: created.case!.id,
				mail: mail('m5@customer', { text: 'Name = Neu\nAmount = 7' }),
				fieldUpdates: { Name: 'Neu', Amount: 7 },
			};
			const added = await store.ledger.addMailToCase(input);
			expect(added.replayed).toBe(false);
			expect(added.case!.fields).toEqual({ Name: 'Neu', Amount: 7 });
			expect(
				added.fieldChanges.map((a) => [a.fieldName, a.oldValue, a.newValue, a.changedBy]),
			).toEqual([
				['Name', 'Alt', 'Neu', 'Kunde@Example.de'],
				['Amount', null, 7, 'Kunde@Example.de'],
			]);
			expect(added.entry).toMatchObject({
				outcome: 'activity_added',
				caseId: created.case!.id,
				activityId: added.activity!.id,
			});

			const replay = await store.ledger.addMailToCase({
				...input,
				fieldUpdates: { Name: 'Anders' },
			});
			expect(replay).toMatchObject({ replayed: true, fieldChanges: [] });
			expect(replay.activity).toEqual(added.activity);
			expect(replay.case!.fields).toEqual({ Name: 'Neu', Amount: 7 });
			expect((await store.activities.listForCase(created.case!.id)).map((a) => a.kind)).toEqual([
				'incoming_mail',
				'incoming_mail',
				'field_change',
				'field_change',
			]);
		});

		test('an invalid field update rolls back the whole mail', async () => {
			const c = await store.cases.create({
				workflowId: fx.workflow.id,
				responsibleOrgUnitId: fx.support.id,
			});
			await expect(
				store.ledger.addMailToCase({
					messageKey: 'mid:m6@customer',
					caseId: c.id,
					mail: mail('m6@customer'),
					fieldUpdates: { Amount: 'viel' },
				}),
			).rejects.toMatchObject({
				code: 'FIELD_INVALID',
				message: expect.stringContaining(c.number),
			});
			expect(await store.ledger.lookup('mid:m6@customer')).toBeUndefined();
			expect(await store.activities.listForCase(c.id)).toEqual([]);
			await expect(
				store.ledger.addMailToCase({
					messageKey: 'mid:m7@customer',
					caseId: 55555,
					mail: mail('m7@customer'),
				}),
			).rejects.toMatchObject({ code: 'NOT_FOUND' });
			expect(await store.ledger.lookup('mid:m7@customer')).toBeUndefined();
		});

		test('mails without Message-ID are keyed by a hash of the raw message', async () => {
			const raw = Buffer.from('From: a@b\r\nSubject: x\r\n\r\nbody');
			const key = messageKeyOf({ messageId: undefined, raw });
			expect(key).toMatch(/^sha256:[0-9a-f]{64}$/);
			const input = {
				messageKey: key,
				workflowId: fx.workflow.id,
				responsibleOrgUnitId: fx.support.id,
				mail: { from: 'a@b', subject: 'x' },
			};
			const first = await store.ledger.createCaseFromMail(input);
			const second = await store.ledger.createCaseFromMail({
				...input,
				messageKey: messageKeyOf({ raw }),
			});
			expect(second).toMatchObject({ replayed: true, case: { id: first.case!.id } });
		});

		test('R-PROC-6a / R-PROC-7: forwarded, ignored and quarantined mails are recorded once; only those can be forgotten', async () => {
			const r1 = await store.ledger.recordOutcome({
				messageKey: 'mid:f1@x',
				outcome: 'forwarded',
				detail: 'to fwd@example.com',
			});
			expect(r1).toMatchObject({
				recorded: true,
				entry: { outcome: 'forwarded', detail: 'to fwd@example.com' },
			});
			const r2 = await store.ledger.recordOutcome({ messageKey: 'mid:f1@x', outcome: 'ignored' });
			expect(r2).toMatchObject({ recorded: false, entry: { outcome: 'forwarded' } });
			expect(await store.ledger.forget('mid:f1@x')).toBe(true);
			expect(await store.ledger.forget('mid:f1@x')).toBe(false);
			const created = await store.ledger.createCaseFromMail({
				messageKey: 'mid:f2@x',
				workflowId: fx.workflow.id,
				responsibleOrgUnitId: fx.support.id,
				mail: mail('f2@x'),
			});
			await expect(store.ledger.forget('mid:f2@x')).rejects.toMatchObject({
				code: 'CONFLICT',
				message: expect.stringContaining(created.case!.number),
			});
			await expect(store.ledger.lookup('f2@x')).rejects.toMatchObject({ code: 'INVALID_INPUT' });
		});
	});
});
