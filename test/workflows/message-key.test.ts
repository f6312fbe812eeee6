/**
 * Issue #13 items 1 and 2, run as the ticket-system template (templates/ticket-system.json) in
 * n8n's real engine with the real Dovecot (LMTP in, IMAP out), Postfix (the acknowledgements)
 * and the real case store (SQLite and PostgreSQL):
 *  - 1: a mail without Message-ID opens its case and is acknowledged once; the same bytes
 *    delivered again (Dovecot adds another Received header) are a replay: no second case, no
 *    second acknowledgement (Send Once Per = {{ $json.messageKey }});
 *  - 2: the same mail delivered twice is one mail; another mail under the same Message-ID (other
 *    From, Date, Subject, body) opens a case of its own, its content stored, and a note on the
 *    case says that the Message-ID was reused.
 */
import type { ICredentialDataDecryptedObject, IDataObject } from 'n8n-workflow';
import { closeAllStores, getStore, type Store } from '../../lib/store';
import { storeConfigFrom } from '../../nodes/shared/store';
import { mailboxCredentialData, smtpCredentialData } from '../support/credential-data';
import { claimUser, deliver, listImap, stackUser, waitForMail } from '../support/mail-stack';
import { shutdownN8nEngine, startTrigger, type TriggerHandle } from '../support/n8n';
import { packageCredentialTypes, packageNodeTypes } from '../support/package-nodes';
import {
	outputsOf as outputOf,
	runsUntilCases as processed,
	ticketSystemWorkflow,
	TICKET,
} from '../support/ticket-template';
import { testStore } from '../support/test-stores';

jest.setTimeout(180_000);

const nodeTypes = packageNodeTypes();
const credentialTypes = packageCredentialTypes();
const handles: TriggerHandle[] = [];
const cleanups: Array<() => Promise<void>> = [];

afterEach(async () => {
	for (const handle of handles.splice(0)) await handle.close();
});
afterAll(async () => {
	await closeAllStores();
	for (const cleanup of cleanups.splice(0)) await cleanup();
	await shutdownN8nEngine();
});

const systemUser = claimUser();
const agent = claimUser();
const addr = (user: string) => stackUser(user).address;

const { trigger: TRIGGER, create: CREATE, acknowledgement: ACK } = TICKET;

/** A raw mail as written, with the header lines given (e.g. a Received of a relay). */
function rawMail(fields: {
	from: string;
	subject: string;
	date: string;
	body: string;
	messageId?: string;
	trace?: string[];
}): Buffer {
	return Buffer.from(
		[
			...(fields.trace ?? []),
			`From: ${fields.from}`,
			'To: support@example.test',
			`Subject: ${fields.subject}`,
			`Date: ${fields.date}`,
			...(fields.messageId ? [`Message-ID: ${fields.messageId}`] : []),
			'MIME-Version: 1.0',
			'Content-Type: text/plain; charset=utf-8',
			'Content-Transfer-Encoding: 8bit',
			'',
			fields.body,
			'',
		].join('\r\n'),
	);
}

describe.each(['sqlite', 'postgres'] as const)('#13 message keys on %s', (backend) => {
	const site = testStore(backend, 'mc_key');
	cleanups.push(site.drop);
	let store: Store;

	beforeAll(async () => {
		store = await getStore(storeConfigFrom(site.credential as ICredentialDataDecryptedObject));
		await store.workflows.create({ name: 'Allgemeine Anfrage', fields: [] });
		await store.orgUnits.create({
			name: 'Kundenservice',
			kind: 'org_unit',
			members: [addr(agent)],
		});
	});

	async function start(
		inbox: string,
		acknowledgement: Record<string, unknown> = {},
	): Promise<TriggerHandle> {
		const handle = await startTrigger({
			// one mail per run, in the order delivered
			workflow: ticketSystemWorkflow(1, acknowledgement),
			nodeTypes,
			credentialTypes,
			credentials: {
				mailCasesMailbox: { box: mailboxCredentialData(inbox) },
				mailCasesSmtp: { smtp: smtpCredentialData(systemUser, { isDefault: true }) },
				mailCasesStore: { store: site.credential as ICredentialDataDecryptedObject },
			},
			triggerNodeName: TRIGGER,
			timeoutMs: 90_000,
		});
		handles.push(handle);
		return handle;
	}

	test('#13.1 a mail without Message-ID: case opened, acknowledged once; the same bytes again are a replay', async () => {
		const inbox = claimUser();
		const customer = claimUser();
		const raw = rawMail({
			from: `"Kundin" <${addr(customer)}>`,
			subject: `Ohne Kennung ${backend}`,
			date: 'Fri, 04 Dec 2026 10:00:00 +0000',
			body: 'Grüße aus Köln, bitte um Rückruf.',
		});
		expect(raw.toString()).not.toMatch(/^Message-ID:/im);
		await deliver(inbox, raw);
		const handle = await start(inbox);
		const first = await processed(handle, 1);

		const [trigger] = first[0].outputOf(TRIGGER, 0);
		expect(trigger.json.messageId).toBeNull();
		expect(trigger.json.messageKey).toMatch(/^sha256:[0-9a-f]{64}$/);
		const [created] = outputOf(first, CREATE);
		expect(created.json).toMatchObject({ replayed: false, messageKey: trigger.json.messageKey });
		const caseNumber = (created.json.case as IDataObject).number as string;
		const [ack] = outputOf(first, ACK);
		expect(ack.json).toMatchObject({ sent: true, replayed: false, caseNumber });
		await waitForMail(customer, (m) => m.messageId === ack.json.messageId, 20_000);

		// the same bytes once more: Dovecot's LMTP gives them another Received header
		await deliver(inbox, raw);
		const all = await processed(handle, 2);
		const second = all.slice(first.length);
		const [again] = second[second.length - 1].outputOf(TRIGGER, 0);
		expect(again.json.rawHash).not.toBe(trigger.json.rawHash);
		expect(again.json.messageKey).toBe(trigger.json.messageKey);
		expect(outputOf(second, CREATE).map((i) => i.json)).toEqual([
			expect.objectContaining({
				replayed: true,
				case: expect.objectContaining({ number: caseNumber }),
			}),
		]);
		expect(outputOf(second, ACK).map((i) => i.json)).toEqual([
			expect.objectContaining({ sent: false, replayed: true, messageId: ack.json.messageId }),
		]);
		expect(
			(await store.cases.list()).filter((c) => c.title === `Ohne Kennung ${backend}`),
		).toHaveLength(1);
		expect(await listImap(customer)).toHaveLength(1);
	});

	test('#13.1 an empty Send Once Per takes the incoming messageKey: one acknowledgement for a mail without Message-ID delivered twice', async () => {
		const inbox = claimUser();
		const customer = claimUser();
		const raw = rawMail({
			from: `"Kunde" <${addr(customer)}>`,
			subject: `Leerer Schlüssel ${backend}`,
			date: 'Fri, 04 Dec 2026 11:00:00 +0000',
			body: 'Bitte um Rückruf.',
		});
		await deliver(inbox, raw);
		const handle = await start(inbox, { sendOnceKey: '' });
		const first = await processed(handle, 1);
		const [ack] = outputOf(first, ACK);
		expect(ack.json).toMatchObject({ sent: true });
		await deliver(inbox, raw);
		const second = (await processed(handle, 2)).slice(first.length);
		expect(outputOf(second, ACK).map((i) => i.json)).toEqual([
			expect.objectContaining({ sent: false, replayed: true, messageId: ack.json.messageId }),
		]);
		await waitForMail(customer, (m) => m.messageId === ack.json.messageId, 20_000);
		expect(await listImap(customer)).toHaveLength(1);
	});

	test('#13.2 the same mail twice is one mail; another mail under its Message-ID opens its own case, noted', async () => {
		const inbox = claimUser();
		const customer = claimUser();
		const stranger = claimUser();
		const messageId = `<geteilt-${backend}@kunde.test>`;
		const original = {
			from: `"Kunde" <${addr(customer)}>`,
			subject: `Geteilte ID ${backend}`,
			date: 'Fri, 04 Dec 2026 10:00:00 +0000',
			body: 'Die erste Anfrage.',
			messageId,
		};
		await deliver(
			inbox,
			rawMail({
				...original,
				trace: ['Received: from mx1.example.test; Fri, 04 Dec 2026 10:00:01 +0000'],
			}),
		);
		await deliver(
			inbox,
			rawMail({
				...original,
				trace: ['Received: from mx2.example.test; Fri, 04 Dec 2026 10:00:07 +0000'],
			}),
		);
		const otherMail = rawMail({
			from: `"Jemand anderes" <${addr(stranger)}>`,
			subject: `Andere Mail ${backend}`,
			date: 'Sat, 05 Dec 2026 08:30:00 +0000',
			body: 'Eine ganz andere Anfrage.',
			messageId,
		});
		await deliver(inbox, otherMail);
		const handle = await start(inbox);
		const runs = await processed(handle, 3);

		const created = outputOf(runs, CREATE).map((i) => i.json);
		expect(created).toHaveLength(3);
		const [a, copy, b] = created;
		const caseA = a.case as IDataObject;
		const caseB = b.case as IDataObject;
		expect(a).toMatchObject({ replayed: false });
		expect(a).not.toHaveProperty('messageIdReused');
		expect(copy).toMatchObject({ replayed: true, case: { number: caseA.number } });
		expect(b).toMatchObject({
			replayed: false,
			subject: `Andere Mail ${backend}`,
			messageIdReused: { earlier: { caseId: caseA.id, outcome: 'case_created' } },
		});
		expect(caseB.number).not.toBe(caseA.number);
		// its own key: the acknowledgement's Send Once Per (= {{ $json.messageKey }})
		expect(b.messageKey).toMatch(new RegExp(`^${messageId} content:[0-9a-f]{64}$`));
		expect(a.messageKey).toBe(messageId);

		// the other mail's content is stored in its case, with the note
		// (#14.1: its acknowledgement and notification are in the history too, as outgoing_mail)
		const activities = (await store.activities.listForCase(caseB.id as number)).filter(
			(x) => x.kind !== 'outgoing_mail',
		);
		expect(activities.map((x) => x.kind)).toEqual(['incoming_mail', 'note']);
		expect(activities[0]).toMatchObject({ subject: `Andere Mail ${backend}` });
		expect(activities[0].from).toContain(addr(stranger));
		expect(activities[0].text).toContain('Eine ganz andere Anfrage.');
		expect(activities[1].text).toContain(messageId);
		expect(activities[1].text).toContain(String(caseA.number));
		// case A holds the first mail only
		expect(
			(await store.activities.listForCase(caseA.id as number))
				.filter((x) => x.kind !== 'outgoing_mail')
				.map((x) => x.kind),
		).toEqual(['incoming_mail']);

		// acknowledgements: one to the customer (the copy is a replay), one to the other sender
		const acks = outputOf(runs, ACK).map((i) => i.json);
		expect(acks.map((x) => [x.sent, x.replayed])).toEqual([
			[true, false],
			[false, true],
			[true, false],
		]);
		await waitForMail(customer, (m) => m.messageId === acks[0].messageId, 20_000);
		await waitForMail(stranger, (m) => m.messageId === acks[2].messageId, 20_000);
		expect(await listImap(customer)).toHaveLength(1);
		expect(await listImap(stranger)).toHaveLength(1);

		// the other mail once more: a replay of itself, under its own key, no second acknowledgement
		await deliver(inbox, otherMail);
		const again = (await processed(handle, 4)).slice(runs.length);
		expect(outputOf(again, CREATE).map((i) => i.json)).toEqual([
			expect.objectContaining({
				replayed: true,
				case: expect.objectContaining({ number: caseB.number }),
				messageKey: b.messageKey,
			}),
		]);
		expect(outputOf(again, ACK).map((i) => i.json)).toEqual([
			expect.objectContaining({ sent: false, replayed: true, messageId: acks[2].messageId }),
		]);
		// nothing new: the mail, the note, its notification and acknowledgement
		expect(await store.activities.listForCase(caseB.id as number)).toHaveLength(4);
	});
});
