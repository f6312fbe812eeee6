/**
 * #11.6 Addresses, run as the ticket-system template (templates/ticket-system.json) in n8n's real
 * engine with the real Postfix → Dovecot and the real case store (SQLite and PostgreSQL):
 *  - a From that lists many addresses inside one pair of angle brackets (with or without a
 *    display name) opens its case, but the acknowledgement goes to nobody: the addresses in it
 *    are real test mailboxes, and Postfix's log and Dovecot show that none got anything;
 *  - a From with two mailboxes, or a Reply-To with many addresses: the acknowledgement has
 *    exactly one recipient (Postfix's nrcpt), the first valid From address;
 *  - the 11th acknowledgement to one sender within the hour is not sent (Limit per Recipient
 *    10 per 60 minutes in the template), and the mail is still processed.
 */
import { readFileSync } from 'node:fs';
import type { ICredentialDataDecryptedObject, IDataObject, INodeExecutionData } from 'n8n-workflow';
import { closeAllStores, getStore } from '../../lib/store';
import { storeConfigFrom } from '../../nodes/shared/store';
import { mailboxCredentialData, smtpCredentialData } from '../support/credential-data';
import {
	claimUser,
	deliver,
	getStack,
	listImap,
	stackUser,
	waitForMail,
} from '../support/mail-stack';
import {
	shutdownN8nEngine,
	startTrigger,
	type TriggerExecution,
	type TriggerHandle,
	type WorkflowJson,
} from '../support/n8n';
import { packageCredentialTypes, packageNodeTypes } from '../support/package-nodes';
import { loadTemplate } from '../support/templates';
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
/** Real mailboxes an attacker lists in From / Reply-To: any mail to them would be visible. */
const victims = [claimUser(), claimUser(), claimUser(), claimUser()];
const addr = (user: string) => stackUser(user).address;

const TRIGGER = 'Mail Cases Trigger';
const CREATE = 'Create Case From Mail';
const ACK = 'Send Acknowledgement';

/** The shipped ticket-system template with test credentials; sticky notes left out (they never run). */
function ticketSystem(): WorkflowJson {
	const template = loadTemplate('ticket-system', {
		credentials: {
			mailCasesMailbox: { id: 'box', name: 'Box' },
			mailCasesSmtp: { id: 'smtp', name: 'SMTP' },
		},
		store: { id: 'store', name: 'Store' },
		parameters: {
			[TRIGGER]: {
				options: { pollIntervalSeconds: 1, retryDelaySeconds: 600, mailsPerExecution: 20 },
			},
		},
	});
	return {
		...template,
		nodes: template.nodes.filter((n) => n.type !== 'n8n-nodes-base.stickyNote'),
	} as unknown as WorkflowJson;
}

/** A raw mail exactly as written: From and Reply-To are not touched by any composer. */
function rawMail(headers: {
	from: string;
	replyTo?: string;
	subject: string;
	messageId: string;
}): Buffer {
	return Buffer.from(
		[
			`From: ${headers.from}`,
			...(headers.replyTo ? [`Reply-To: ${headers.replyTo}`] : []),
			'To: support@example.test',
			`Subject: ${headers.subject}`,
			`Message-ID: ${headers.messageId}`,
			'Date: Fri, 04 Dec 2026 10:00:00 +0000',
			'MIME-Version: 1.0',
			'Content-Type: text/plain; charset=utf-8',
			'',
			'Bitte um Rückruf.',
			'',
		].join('\r\n'),
	);
}

function postfixLog(): string {
	return readFileSync(getStack().logs.postfix, 'utf8');
}

/** Postfix's recipient count (qmgr nrcpt) of the mail with this Message-ID, once it is logged. */
async function postfixRecipients(messageId: string, timeoutMs = 20_000): Promise<number> {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const log = postfixLog();
		const queueId = log
			.split('\n')
			.find((line) => line.includes(`: message-id=${messageId}`))
			?.match(/ ([0-9A-Za-z]+): message-id=/)?.[1];
		const count = queueId
			? log
					.split('\n')
					.find((line) => line.includes(` ${queueId}: from=<`) && line.includes('nrcpt='))
					?.match(/nrcpt=(\d+)/)?.[1]
			: undefined;
		if (count !== undefined) return Number(count);
		if (Date.now() > deadline) throw new Error(`Postfix logged no queued mail ${messageId}`);
		await new Promise((r) => setTimeout(r, 200));
	}
}

/** Waits until the trigger's runs opened `count` cases; every run must have succeeded. */
async function processed(handle: TriggerHandle, count: number): Promise<TriggerExecution[]> {
	for (let runs = 1; ; runs++) {
		const done = await handle.waitForExecutions(runs, 90_000);
		for (const run of done)
			expect({ run: run.executionId, status: run.status, error: run.error?.message }).toMatchObject(
				{ status: 'success' },
			);
		const opened = done.reduce(
			(n, run) => n + (run.executedNodes.includes(CREATE) ? run.outputOf(CREATE, 0).length : 0),
			0,
		);
		if (opened >= count) return done;
	}
}

function acknowledgements(runs: TriggerExecution[]): INodeExecutionData[] {
	return runs.flatMap((run) => (run.executedNodes.includes(ACK) ? run.outputOf(ACK, 0) : []));
}

function ackFor(runs: TriggerExecution[], subject: string): IDataObject {
	const found = acknowledgements(runs).filter((item) =>
		String(item.json.subject).includes(subject),
	);
	expect(found).toHaveLength(1);
	return found[0].json;
}

describe.each(['sqlite', 'postgres'] as const)(
	'#11.6 acknowledgements of the ticket template on %s',
	(backend) => {
		const store = testStore(backend, 'mc_ack');
		cleanups.push(store.drop);

		beforeAll(async () => {
			const s = await getStore(storeConfigFrom(store.credential as ICredentialDataDecryptedObject));
			await s.workflows.create({ name: 'Allgemeine Anfrage', fields: [] });
			await s.orgUnits.create({ name: 'Kundenservice', kind: 'org_unit', members: [addr(agent)] });
		});

		async function start(inbox: string): Promise<TriggerHandle> {
			const handle = await startTrigger({
				workflow: ticketSystem(),
				nodeTypes,
				credentialTypes,
				credentials: {
					mailCasesMailbox: { box: mailboxCredentialData(inbox) },
					mailCasesSmtp: { smtp: smtpCredentialData(systemUser, { isDefault: true }) },
					mailCasesStore: { store: store.credential as ICredentialDataDecryptedObject },
				},
				triggerNodeName: TRIGGER,
				timeoutMs: 90_000,
			});
			handles.push(handle);
			return handle;
		}

		test('#11.6 multi-address From / Reply-To: no acknowledgement to anyone but at most one valid address', async () => {
			const inbox = claimUser();
			const customer = claimUser();
			const list = victims.map(addr).join(',');
			const mails = {
				bare: { from: `<${list}>`, subject: `Liste ohne Namen ${backend}` },
				named: { from: `"Kundin Erika" <${list}>`, subject: `Liste mit Namen ${backend}` },
				twoFrom: {
					from: `${addr(customer)}, ${addr(victims[0])}`,
					subject: `Zwei Absender ${backend}`,
				},
				replyTo: {
					from: `"Kunde" <${addr(customer)}>`,
					replyTo: `<${list}>, ${addr(victims[1])}; ${addr(victims[2])}`,
					subject: `Reply-To-Liste ${backend}`,
				},
			};
			for (const [key, mail] of Object.entries(mails)) {
				await deliver(inbox, rawMail({ ...mail, messageId: `<${key}-${backend}@attacker.test>` }));
			}
			const logBefore = postfixLog().length;
			const runs = await processed(await start(inbox), 4);

			// every mail opened its case; a From that is a list leaves the case without requester
			const cases = runs.flatMap((run) =>
				run.executedNodes.includes(CREATE) ? run.outputOf(CREATE, 0) : [],
			);
			expect(cases).toHaveLength(4);
			const requesterOf = (subject: string) =>
				(cases.find((c) => c.json.subject === subject)!.json.case as IDataObject).requesterAddress;
			expect(requesterOf(mails.bare.subject)).toBeNull();
			expect(requesterOf(mails.named.subject)).toBeNull();
			expect(requesterOf(mails.twoFrom.subject)).toBe(addr(customer));
			expect(requesterOf(mails.replyTo.subject)).toBe(addr(customer));

			// the lists: no acknowledgement, a note why, no failure
			for (const mail of [mails.bare, mails.named]) {
				expect(ackFor(runs, mail.subject)).toMatchObject({ sent: false, skipped: 'no-recipient' });
			}
			// two From mailboxes, or a Reply-To list: one acknowledgement, to the first valid From address only
			for (const mail of [mails.twoFrom, mails.replyTo]) {
				const ack = ackFor(runs, mail.subject);
				expect(ack).toMatchObject({ sent: true, accepted: [addr(customer)], rejected: [] });
				expect(await postfixRecipients(ack.messageId as string)).toBe(1);
				await waitForMail(customer, (m) => m.messageId === ack.messageId, 20_000);
			}

			// Dovecot and Postfix: none of the listed mailboxes got anything
			const log = postfixLog().slice(logBefore);
			for (const victim of victims) {
				expect({ victim, inbox: (await listImap(victim)).length }).toEqual({ victim, inbox: 0 });
				expect({ victim, logged: log.includes(`to=<${addr(victim)}>`) }).toEqual({
					victim,
					logged: false,
				});
			}
		});

		test('#11.6 the 11th acknowledgement to one sender within the hour is not sent; its mail is processed', async () => {
			const inbox = claimUser();
			const sender = claimUser();
			for (let i = 1; i <= 11; i++) {
				await deliver(
					inbox,
					rawMail({
						from: `"Vielschreiber" <${addr(sender)}>`,
						subject: `Anfrage ${i} ${backend}`,
						messageId: `<flood-${i}-${backend}@kunde.test>`,
					}),
				);
			}
			const runs = await processed(await start(inbox), 11);
			const acks = acknowledgements(runs).map((item) => item.json);
			expect(acks).toHaveLength(11);
			const sent = acks.filter((a) => a.sent === true);
			const limited = acks.filter((a) => a.skipped === 'rate-limited');
			expect(sent).toHaveLength(10);
			expect(limited).toHaveLength(1);
			expect(limited[0]).toMatchObject({
				sent: false,
				limit: { count: 10, limit: 10, periodMinutes: 60 },
			});
			expect(String(limited[0].reason)).toContain('Limit per Recipient');

			// the sender's mailbox has exactly the 10 that were sent
			for (const a of sent) await waitForMail(sender, (m) => m.messageId === a.messageId, 20_000);
			const inboxOfSender = await listImap(sender);
			expect(inboxOfSender).toHaveLength(10);
			expect(
				inboxOfSender.filter((m) => String(m.subject).includes(String(limited[0].subject))),
			).toHaveLength(0);
		});
	},
);
