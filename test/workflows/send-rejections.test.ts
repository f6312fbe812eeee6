/**
 * #14.2 (and #14.1) run as the ticket-system template in n8n's real engine, with the real Postfix
 * → Dovecot and the real case store (SQLite and PostgreSQL), Send Acknowledgement set to On
 * Permanent Rejection = Record and Continue (as the templates ship it):
 *  - the customer's address is refused for good (550 at RCPT: an unknown user of the stack's
 *    domain) → the run succeeds, the case has a rejected outgoing_mail activity with Postfix's
 *    reply, the notification of the agents is in the history as sent, and the customer's mail
 *    is disposed of (gone from the inbox);
 *  - the customer's address is refused for now (451 at RCPT: the stack's check_recipient_access
 *    entry for deferred@example.test) → the run fails, the mail stays in the inbox and is tried
 *    again (a second failed run), the case has failed attempts and no acknowledgement counted as
 *    sent, so a later run may still send it.
 */
import type { ICredentialDataDecryptedObject } from 'n8n-workflow';
import { closeAllStores, getStore, type Activity, type Store } from '../../lib/store';
import { storeConfigFrom } from '../../nodes/shared/store';
import { mailboxCredentialData, smtpCredentialData } from '../support/credential-data';
import {
	claimUser,
	deliver,
	listImap,
	STACK_DOMAIN,
	stackUser,
	waitForMail,
} from '../support/mail-stack';
import { DEFERRED_LOCAL_PART } from '../support/mail-stack/postfix';
import {
	shutdownN8nEngine,
	startTrigger,
	type TriggerHandle,
	type WorkflowJson,
} from '../support/n8n';
import { packageCredentialTypes, packageNodeTypes } from '../support/package-nodes';
import { testStore } from '../support/test-stores';
import {
	outputsOf,
	runsUntilCases,
	TICKET,
	ticketSystemWorkflow,
} from '../support/ticket-template';

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

/** The template, its acknowledgement set to record a permanent rejection and go on. */
function workflow(retryDelaySeconds?: number): WorkflowJson {
	return ticketSystemWorkflow(
		1,
		{ onPermanentRejection: 'recordAndContinue' },
		retryDelaySeconds === undefined ? {} : { trigger: { retryDelaySeconds } },
	);
}

function rawMail(from: string, subject: string, messageId: string): Buffer {
	return Buffer.from(
		[
			`From: "Kundin" <${from}>`,
			`To: ${addr(systemUser)}`,
			`Subject: ${subject}`,
			`Message-ID: ${messageId}`,
			'Date: Sat, 05 Dec 2026 10:00:00 +0000',
			'MIME-Version: 1.0',
			'Content-Type: text/plain; charset=utf-8',
			'',
			'Bitte um Rückruf.',
			'',
		].join('\r\n'),
	);
}

async function until<T>(
	what: string,
	probe: () => Promise<T | undefined>,
	ms = 30_000,
): Promise<T> {
	const deadline = Date.now() + ms;
	for (;;) {
		const value = await probe();
		if (value !== undefined) return value;
		if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
		await new Promise((r) => setTimeout(r, 200));
	}
}

const outgoing = (activities: Activity[]) =>
	activities
		.filter((a) => a.kind === 'outgoing_mail')
		.map((a) => ({ purpose: a.purpose, outcome: a.outcome, to: a.to, detail: a.outcomeDetail }));

describe.each(['sqlite', 'postgres'] as const)('#14.2 the ticket template on %s', (backend) => {
	const test_ = testStore(backend, 'mc_rej');
	cleanups.push(test_.drop);
	let store: Store;

	beforeAll(async () => {
		store = await getStore(storeConfigFrom(test_.credential as ICredentialDataDecryptedObject));
		await store.workflows.create({ name: 'Allgemeine Anfrage', fields: [] });
		await store.orgUnits.create({
			name: 'Kundenservice',
			kind: 'org_unit',
			members: [addr(agent)],
		});
	});

	async function start(inbox: string, retryDelaySeconds?: number): Promise<TriggerHandle> {
		const handle = await startTrigger({
			workflow: workflow(retryDelaySeconds),
			nodeTypes,
			credentialTypes,
			credentials: {
				mailCasesMailbox: { box: mailboxCredentialData(inbox) },
				mailCasesSmtp: { smtp: smtpCredentialData(systemUser, { isDefault: true }) },
				mailCasesStore: { store: test_.credential as ICredentialDataDecryptedObject },
			},
			triggerNodeName: TICKET.trigger,
			timeoutMs: 90_000,
		});
		handles.push(handle);
		return handle;
	}

	test('#14.2 550 for the acknowledgement: the run succeeds, the case records the rejection with the reply, the mail is disposed of', async () => {
		const inbox = claimUser();
		const unknown = `nobody-${backend}-${Date.now()}@${STACK_DOMAIN}`;
		const subject = `Rückruf erbeten ${backend}`;
		await deliver(inbox, rawMail(unknown, subject, `<rej-550-${backend}@kunde.test>`));
		const runs = await runsUntilCases(await start(inbox), 1);

		const [ack] = outputsOf(runs, TICKET.acknowledgement);
		expect(ack.json).toMatchObject({
			sent: false,
			replayed: false,
			outcome: 'rejected',
			rejected: [unknown],
			rejectedBy: expect.stringMatching(/^SMTP server 127\.0\.0\.1:\d+$/),
			reply: expect.stringMatching(/^550 5\.1\.1 .*Recipient address rejected/),
		});
		const caseNumber = ack.json.caseNumber as string;
		const theCase = (await store.cases.getByNumber(caseNumber))!;
		const history = outgoing(await store.activities.listForCase(theCase.id));
		expect(history).toEqual(
			expect.arrayContaining([
				{
					purpose: 'acknowledgement',
					outcome: 'rejected',
					to: [unknown],
					detail: expect.stringMatching(
						/^Rejected by SMTP server 127\.0\.0\.1:\d+: 550 5\.1\.1 <.*>: Recipient address rejected/,
					),
				},
				{ purpose: 'notification', outcome: 'sent', to: [addr(agent)], detail: null },
			]),
		);
		expect(history).toHaveLength(2);
		// the agents were told; the customer's mail is gone from the inbox (the run succeeded)
		await waitForMail(agent, (m) => String(m.subject).includes(subject), 20_000);
		await until('the mail to be disposed of', async () =>
			(await listImap(inbox)).length === 0 ? true : undefined,
		);
	});

	test('#14.2 451 for the acknowledgement: the run fails, the mail stays and is tried again; the attempts are recorded as failed', async () => {
		const inbox = claimUser();
		const deferred = `${DEFERRED_LOCAL_PART}@${STACK_DOMAIN}`;
		const messageId = `<rej-451-${backend}@kunde.test>`;
		await deliver(inbox, rawMail(deferred, `Später ${backend}`, messageId));
		const handle = await start(inbox, 1);
		const failed = await handle.waitForExecutions(2, 90_000);
		for (const run of failed) {
			expect({ status: run.status, error: run.error?.message }).toEqual({
				status: 'error',
				error: expect.stringMatching(
					/^SMTP server .* refused the recipient\(s\) \(451\): 451 4\.3\.0 .*Mailbox temporarily unavailable/,
				),
			});
		}
		await handle.close();
		// the mail is still there: it is tried again, not disposed of
		expect((await listImap(inbox)).map((m) => m.messageId)).toEqual([messageId]);
		// one case (the retry found it), each attempt recorded as failed, nothing counted as sent
		const cases = await store.cases.list({});
		const theCase = cases.find((c) => c.requesterAddress === deferred)!;
		const attempts = outgoing(await store.activities.listForCase(theCase.id)).filter(
			(a) => a.purpose === 'acknowledgement',
		);
		expect(attempts.length).toBeGreaterThanOrEqual(2);
		for (const a of attempts)
			expect(a).toEqual({
				purpose: 'acknowledgement',
				outcome: 'failed',
				to: [deferred],
				detail: expect.stringMatching(/451 4\.3\.0/),
			});
	});
});
