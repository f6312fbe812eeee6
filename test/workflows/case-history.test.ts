/**
 * #14.1 The case history tells the whole story — the ticket-system template
 * (templates/ticket-system.json, #14.5 wiring) in n8n's real engine with the real Postfix →
 * Dovecot and the real case store (SQLite and PostgreSQL):
 *  - a customer writes; his case is opened, the inbound workplace notified, the acknowledgement
 *    sent and delivered. Then it bounces: the acknowledgement exactly as it arrived goes back into
 *    Postfix (its sendmail, envelope sender the support address) for a recipient that no longer
 *    exists, and Postfix returns its own DSN (5.1.1, the acknowledgement attached) to the support
 *    mailbox — as when a customer's server accepts a mail and bounces it later. The trigger puts
 *    the DSN on its bounce output, Record Delivery Failure onto the case as delivery_failure, and
 *    the acknowledgement's activity becomes bounced. (The stack's smtpd refuses unknown recipients
 *    at RCPT, which is a rejection (#14.2), not a bounce: only mail Postfix queued can bounce.);
 *  - the Field lines of his mails that changed nothing are a note (field_feedback) on the case;
 *  - Mail Case → Get with Include Activities lists all of it in order: incoming, feedback,
 *    notification, acknowledgement, the bounce, the reply with its field change and feedback, the
 *    notification about it;
 *  - the same bounce again (a replay) and the same reply again record nothing twice;
 *  - a bounce of a mail that is on no case and an item that is no bounce record nothing and say
 *    why, without an error.
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import type { ICredentialDataDecryptedObject, IDataObject, INodeExecutionData } from 'n8n-workflow';
import { closeAllStores, getStore } from '../../lib/store';
import { storeConfigFrom } from '../../nodes/shared/store';
import { EmitItems } from '../fixtures/nodes/EmitItems.node';
import { ManualTrigger } from '../fixtures/nodes/ManualTrigger.node';
import { mailboxCredentialData, smtpCredentialData } from '../support/credential-data';
import { claimUser, deliver, getStack, stackUser, waitForMail } from '../support/mail-stack';
import {
	runWorkflow,
	shutdownN8nEngine,
	startTrigger,
	type TriggerExecution,
	type TriggerHandle,
	type WorkflowNodeJson,
} from '../support/n8n';
import { itemsWorkflow } from '../support/n8n/items-workflow';
import { NODE, packageCredentialTypes, packageNodeTypes } from '../support/package-nodes';
import { testStore } from '../support/test-stores';
import { outputsOf, TICKET, ticketSystemWorkflow } from '../support/ticket-template';

jest.setTimeout(180_000);

const nodeTypes = {
	...packageNodeTypes(),
	'n8n-nodes-base.manualTrigger': ManualTrigger,
	'test.emitItems': EmitItems,
};
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

const agent = claimUser();
const addr = (user: string) => stackUser(user).address;
const customer = claimUser();
const CUSTOMER = addr(customer);
const BOUNCES = 'Record Delivery Failure';
const ADD = 'Add to Case';

function customerMail(fields: {
	subject: string;
	messageId: string;
	text: string;
	inReplyTo?: string;
}): Buffer {
	return Buffer.from(
		[
			`From: "Erika Schulz" <${CUSTOMER}>`,
			'To: support@example.test',
			`Subject: ${fields.subject}`,
			`Message-ID: ${fields.messageId}`,
			...(fields.inReplyTo ? [`In-Reply-To: ${fields.inReplyTo}`] : []),
			'Date: Sat, 05 Dec 2026 10:00:00 +0000',
			'MIME-Version: 1.0',
			'Content-Type: text/plain; charset=utf-8',
			'',
			fields.text,
			'',
		].join('\r\n'),
	);
}

/**
 * A real bounce of `raw` from Postfix: queued through its sendmail (no RCPT check) for a
 * recipient of the stack's domain that does not exist, with `sender` as envelope sender; Postfix
 * returns its DSN to `sender`.
 */
function bounceThroughPostfix(raw: Buffer, sender: string, goneRecipient: string): void {
	execFileSync(
		'/usr/sbin/sendmail',
		['-C', path.join(getStack().dir, 'etc'), '-f', sender, '-i', '--', goneRecipient],
		{ input: raw, timeout: 20_000 },
	);
}

/** Runs of the trigger until `done` holds for them; every run must have succeeded. */
async function runsUntil(
	handle: TriggerHandle,
	what: string,
	done: (runs: TriggerExecution[]) => boolean,
): Promise<TriggerExecution[]> {
	for (let count = 1; ; count++) {
		let runs: TriggerExecution[];
		try {
			runs = await handle.waitForExecutions(count, 90_000);
		} catch (error) {
			throw new Error(`${what}: ${(error as Error).message}`);
		}
		for (const run of runs)
			expect({ status: run.status, error: run.error?.message }).toEqual({
				status: 'success',
				error: undefined,
			});
		if (done(runs)) return runs;
	}
}

/** The items `node` put out over the runs (runs where it did not run: none). */
const itemsOf = (runs: TriggerExecution[], node: string): INodeExecutionData[] =>
	outputsOf(runs, node);

describe.each(['sqlite', 'postgres'] as const)('#14.1 the case history on %s', (backend) => {
	const store = testStore(backend, 'mc_history');
	cleanups.push(store.drop);
	const storeCredential = store.credential as ICredentialDataDecryptedObject;

	beforeAll(async () => {
		const s = await getStore(storeConfigFrom(storeCredential));
		await s.workflows.create({
			name: 'Allgemeine Anfrage',
			fields: [
				{ name: 'Telefon', type: 'text' },
				{ name: 'Betrag', type: 'number' },
			],
		});
		await s.orgUnits.create({ name: 'Kundenservice', kind: 'org_unit', members: [addr(agent)] });
	});

	/** One node run on the given items (Mail Case or Add to Case) against this store. */
	async function runNode(items: IDataObject[], node: Omit<WorkflowNodeJson, 'position'>) {
		const result = await runWorkflow({
			workflow: itemsWorkflow(items, {
				...node,
				credentials: { mailCasesStore: { id: 'store', name: 'Store' } },
			} as WorkflowNodeJson),
			nodeTypes,
			credentialTypes,
			credentials: { mailCasesStore: { store: storeCredential } },
		});
		expect({ status: result.status, error: result.error?.message }).toEqual({
			status: 'success',
			error: undefined,
		});
		return result.outputOf(node.name).map((i) => i.json);
	}

	async function history(caseNumber: string): Promise<IDataObject[]> {
		const [got] = await runNode([{}], {
			name: 'Get Case',
			type: NODE('mailCase'),
			typeVersion: 1,
			parameters: { resource: 'case', operation: 'get', caseNumber, includeActivities: true },
		});
		return got.activities as IDataObject[];
	}

	test('a bounce of our acknowledgement and the Field-line feedback are on the case; Get lists the whole story in order', async () => {
		const support = claimUser();
		const handle = await startTrigger({
			workflow: ticketSystemWorkflow(1),
			nodeTypes,
			credentialTypes,
			credentials: {
				mailCasesMailbox: { box: mailboxCredentialData(support) },
				mailCasesSmtp: { smtp: smtpCredentialData(support, { isDefault: true }) },
				mailCasesStore: { store: storeCredential },
			},
			triggerNodeName: TICKET.trigger,
			timeoutMs: 90_000,
		});
		handles.push(handle);

		// 1. The first mail: a case, a notification, an acknowledgement.
		const first = `<history-1-${backend}-${process.pid}@kunden.example>`;
		await deliver(
			support,
			customerMail({
				subject: `Toaster defekt ${backend}`,
				messageId: first,
				text: 'Guten Tag,\nTelefon = 0221 123456\nFarbe = rot\nBetrag = viel\n',
			}),
			{ from: CUSTOMER },
		);
		const opened = await runsUntil(
			handle,
			'the case opened',
			(r) => itemsOf(r, TICKET.create).length > 0,
		);
		const [created] = itemsOf(opened, TICKET.create);
		const kase = created.json.case as IDataObject;
		const caseNumber = String(kase.number);
		expect(created.json.fields).toMatchObject({
			unknown: ['Farbe'],
			invalid: [{ field: 'Betrag', value: 'viel' }],
			feedbackNote: { activityId: expect.any(Number), text: expect.stringContaining('Farbe') },
		});
		const [ack] = itemsOf(opened, TICKET.acknowledgement);
		expect(ack.json).toMatchObject({ sent: true, accepted: [CUSTOMER] });
		const ackId = String(ack.json.messageId);

		// ... and bounces: Postfix's own DSN for it comes to the support mailbox.
		const delivered = await waitForMail(customer, (m) => m.messageId === ackId, 20_000);
		const gone = `${customer}.gone-${backend}@${getStack().domain}`;
		bounceThroughPostfix(delivered.raw, addr(support), gone);
		const runs = await runsUntil(handle, 'the bounce of the acknowledgement recorded', (r) =>
			itemsOf(r, BOUNCES).some((i) => (i.json.deliveryFailure as IDataObject)?.recorded === true),
		);

		// The bounce: a real DSN from Postfix, on the trigger's bounce output.
		const [bounce] = itemsOf(runs, BOUNCES);
		expect(bounce.json).toMatchObject({
			from: { address: expect.stringMatching(/^MAILER-DAEMON@/i) },
			classification: { class: 'bounce', bouncedMessageId: ackId },
		});
		const failure = bounce.json.deliveryFailure as IDataObject;
		expect(failure).toMatchObject({
			recorded: true,
			replayed: false,
			caseNumber,
			bouncedMessageId: ackId,
			activity: { kind: 'incoming_mail', outcome: 'delivery_failure' },
			bouncedMail: { kind: 'outgoing_mail', purpose: 'acknowledgement', outcome: 'bounced' },
		});
		expect(failure.detail).toBe(
			`acknowledgement to ${gone} bounced: 550 5.1.1 <${gone}> User doesn't exist: ${gone}`,
		);

		// 2. The customer answers (In-Reply-To our acknowledgement): a field change and feedback.
		const reply = `<history-2-${backend}-${process.pid}@kunden.example>`;
		await deliver(
			support,
			customerMail({
				subject: `AW: ${String(kase.reference)} Toaster defekt ${backend}`,
				messageId: reply,
				inReplyTo: ackId,
				text: 'Neue Nummer:\nTelefon = 0221 999\nFarbe = blau\n',
			}),
			{ from: CUSTOMER },
		);
		const later = await runsUntil(
			handle,
			'the reply added to the case',
			(r) => itemsOf(r, ADD).length > 0,
		);
		const [added] = itemsOf(later, ADD);
		expect(added.json).toMatchObject({ replayed: false, case: { number: caseNumber } });

		// 3. The whole story, in order.
		const activities = await history(caseNumber);
		const story = activities.map((a) => [a.kind, a.purpose, a.outcome]);
		expect(story).toEqual([
			['incoming_mail', null, null],
			['note', null, 'field_feedback'],
			['outgoing_mail', 'notification', 'sent'],
			['outgoing_mail', 'acknowledgement', 'bounced'],
			['incoming_mail', null, 'delivery_failure'],
			['incoming_mail', null, null],
			['field_change', null, null],
			['note', null, 'field_feedback'],
			['outgoing_mail', 'notification', 'sent'],
		]);
		const [mail1, note1, notice1, ackActivity, dsn, mail2, change, note2, notice2] = activities;
		expect(mail1).toMatchObject({ messageId: first.slice(1, -1) });
		expect(note1).toMatchObject({ from: 'Mail Cases' });
		expect(String(note1.text).split('\n')).toEqual([
			'Field lines of this mail that changed nothing:',
			"- Farbe: no field of this case's form (nothing created)",
			'- Betrag = "viel": value not accepted: not a number',
		]);
		expect(notice1).toMatchObject({ to: [addr(agent)] });
		expect(ackActivity).toMatchObject({ messageId: ackId.slice(1, -1), to: [CUSTOMER] });
		expect(dsn).toMatchObject({
			from: expect.stringMatching(/MAILER-DAEMON@/i),
			outcomeDetail: failure.detail,
		});
		expect(mail2).toMatchObject({ messageId: reply.slice(1, -1) });
		expect(change).toMatchObject({
			fieldName: 'Telefon',
			oldValue: '0221 123456',
			newValue: '0221 999',
			changedBy: CUSTOMER,
		});
		expect(note2).toMatchObject({ from: 'Mail Cases', outcome: 'field_feedback' });
		expect(String(note2.text)).toContain("- Farbe: no field of this case's form");
		expect(notice2).toMatchObject({ to: [addr(agent)] });

		// 4. Replays record nothing twice: the same bounce, the same reply again.
		const [again] = await runNode([bounce.json], {
			name: 'Bounce Again',
			type: NODE('mailCase'),
			typeVersion: 1,
			parameters: { resource: 'case', operation: 'recordDeliveryFailure' },
		});
		expect(again.deliveryFailure).toMatchObject({
			recorded: false,
			replayed: true,
			caseNumber,
			detail: failure.detail,
		});
		const [replayed] = await runNode([added.json], {
			name: 'Reply Again',
			type: NODE('addToCase'),
			typeVersion: 1,
			parameters: {
				caseNumber,
				applyFields: true,
				fieldSenderPolicy: ['caseParticipant'],
				fieldOptions: {},
				options: {},
			},
		});
		expect(replayed).toMatchObject({ replayed: true });
		expect((await history(caseNumber)).map((a) => a.id)).toEqual(activities.map((a) => a.id));

		// 5. No error, nothing recorded, the reason given: a bounce of a mail that is on no case,
		// and an item that is no bounce (what else the trigger's second output may carry).
		const other = `<other-bounce-${backend}-${process.pid}@example.test>`;
		const recordOnly = async (json: IDataObject) =>
			(
				await runNode([json], {
					name: 'Record',
					type: NODE('mailCase'),
					typeVersion: 1,
					parameters: { resource: 'case', operation: 'recordDeliveryFailure' },
				})
			)[0].deliveryFailure;
		const strange = await recordOnly({
			...bounce.json,
			messageId: other,
			messageKey: other,
			classification: {
				...(bounce.json.classification as IDataObject),
				bouncedMessageId: '<never-sent@example.test>',
			},
		});
		expect(strange).toMatchObject({
			recorded: false,
			reason: 'unknown-message-id',
			caseNumber: null,
			message: expect.stringContaining('<never-sent@example.test>'),
		});
		const autoReply = await recordOnly({
			...bounce.json,
			classification: { class: 'autoReply', reasons: ['Auto-Submitted: auto-replied'] },
		});
		expect(autoReply).toMatchObject({ recorded: false, reason: 'not-a-bounce' });
		expect((await history(caseNumber)).map((a) => a.id)).toEqual(activities.map((a) => a.id));
	});
});
