/**
 * #14.3 findable runs and #14.4 errors that say the fix, in n8n's real engine: the ticket-system
 * template (templates/ticket-system.json) with the real Postfix → Dovecot and an SQLite store.
 *  - a new mail's run carries custom data (n8n's execution metadata, what the executions list
 *    searches and the execution detail shows): subject, sender, Message-ID, mail count, the case
 *    number and "case created; agents notified; acknowledgement sent";
 *  - a reply to the case: "added to case; agents notified" under the same case number;
 *  - a run of several mails: the first subject with "(+N more)" and every case number;
 *  - a mail whose acknowledgement fails (its Case Number option names no case): the run's error
 *    keeps the node's message and code and names the mail and what was already done (case created,
 *    agents notified), and the custom data says where it failed.
 */
import type { ICredentialDataDecryptedObject, IDataObject } from 'n8n-workflow';
import { closeAllStores, getStore } from '../../lib/store';
import { storeConfigFrom } from '../../nodes/shared/store';
import { mailboxCredentialData, smtpCredentialData } from '../support/credential-data';
import { claimUser, deliver, stackUser } from '../support/mail-stack';
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
const store = testStore('sqlite', 'mc_custom_data');

afterEach(async () => {
	for (const handle of handles.splice(0)) await handle.close();
});
afterAll(async () => {
	await closeAllStores();
	await store.drop();
	await shutdownN8nEngine();
});

const systemUser = claimUser();
const agent = claimUser();
const customer = claimUser();
const addr = (user: string) => stackUser(user).address;

const TRIGGER = 'Mail Cases Trigger';
const CREATE = 'Create Case From Mail';
const ACK = 'Send Acknowledgement';

function ticketSystem(parameters: Record<string, Record<string, unknown>> = {}): WorkflowJson {
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
			...parameters,
		},
	});
	return {
		...template,
		nodes: template.nodes.filter((n) => n.type !== 'n8n-nodes-base.stickyNote'),
	} as unknown as WorkflowJson;
}

function rawMail(subject: string, messageId: string, extra: string[] = []): Buffer {
	return Buffer.from(
		[
			`From: "Erika Schulz" <${addr(customer)}>`,
			'To: support@example.test',
			`Subject: ${subject}`,
			`Message-ID: ${messageId}`,
			...extra,
			'Date: Sat, 05 Dec 2026 10:00:00 +0000',
			'MIME-Version: 1.0',
			'Content-Type: text/plain; charset=utf-8',
			'',
			'Bitte um Rückruf.',
			'',
		].join('\r\n'),
	);
}

async function start(
	inbox: string,
	parameters?: Record<string, Record<string, unknown>>,
): Promise<TriggerHandle> {
	const handle = await startTrigger({
		workflow: ticketSystem(parameters),
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

const customData = (run: TriggerExecution): Record<string, string> =>
	run.run.data.resultData.metadata ?? {};

beforeAll(async () => {
	const s = await getStore(storeConfigFrom(store.credential as ICredentialDataDecryptedObject));
	await s.workflows.create({ name: 'Allgemeine Anfrage', fields: [] });
	await s.orgUnits.create({ name: 'Kundenservice', kind: 'org_unit', members: [addr(agent)] });
});

describe('#14.3 / #14.4 the ticket template run by n8n: custom data and errors', () => {
	test('a new mail, then a reply: subject, sender, Message-ID, case number and outcome per run', async () => {
		const inbox = claimUser();
		await deliver(inbox, rawMail('Rückruf\u0007 erbeten', '<cd-new@kunde.test>'));
		const handle = await start(inbox);
		const [created] = await handle.waitForExecutions(1, 90_000);
		expect(created.status).toBe('success');
		const number = String((created.outputOf(CREATE, 0)[0].json.case as IDataObject).number);
		expect(customData(created)).toEqual({
			subject: 'Rückruf erbeten', // the control character is gone
			from: addr(customer),
			messageId: '<cd-new@kunde.test>',
			mails: '1',
			caseNumber: number,
			outcome: expect.stringMatching(/^case created; /) as unknown as string,
		});
		expect(customData(created).outcome.split('; ').sort()).toEqual(
			['acknowledgement sent', 'agents notified', 'case created'].sort(),
		);

		const reference = String((created.outputOf(CREATE, 0)[0].json.case as IDataObject).reference);
		await deliver(
			inbox,
			rawMail(`Re: ${reference} Rückruf erbeten`, '<cd-reply@kunde.test>', [
				'In-Reply-To: <cd-new@kunde.test>',
			]),
		);
		const runs = await handle.waitForExecutions(2, 90_000);
		expect(runs[1].status).toBe('success');
		expect(customData(runs[1])).toEqual({
			subject: `Re: ${reference} Rückruf erbeten`,
			from: addr(customer),
			messageId: '<cd-reply@kunde.test>',
			mails: '1',
			caseNumber: number,
			outcome: 'added to case; agents notified',
		});
	});

	test('a run of three mails: the first subject "(+2 more)", every case number', async () => {
		const inbox = claimUser();
		for (const n of [1, 2, 3])
			await deliver(inbox, rawMail(`Stapel ${n}`, `<cd-batch-${n}@kunde.test>`));
		const handle = await start(inbox);
		const [run] = await handle.waitForExecutions(1, 90_000);
		expect(run.status).toBe('success');
		const numbers = run.outputOf(CREATE, 0).map((i) => String((i.json.case as IDataObject).number));
		expect(numbers).toHaveLength(3);
		expect(customData(run)).toMatchObject({
			subject: 'Stapel 1 (+2 more)',
			messageId: '<cd-batch-1@kunde.test>',
			mails: '3',
			caseNumber: numbers.join(', '),
		});
		expect(customData(run).outcome).toContain('case created ×3');
	});

	test('a failing acknowledgement: the error names the mail and what was done; custom data where it failed', async () => {
		const inbox = claimUser();
		await deliver(inbox, rawMail('Kein Empfänger', '<cd-fail@kunde.test>'));
		// the acknowledgement's Case Number as a user could mistype it: a case that does not exist
		const handle = await start(inbox, { [ACK]: { options: { caseNumber: '99999' } } });
		const [run] = await handle.waitForExecutions(1, 90_000);
		expect(run.status).toBe('error');
		const number = String((run.outputOf(CREATE, 0)[0].json.case as IDataObject).number);
		const message = String(run.error?.message);
		expect(message).toContain(
			`Mail: "Kein Empfänger" from ${addr(customer)} (Message-ID <cd-fail@kunde.test>).`,
		);
		// the node's own message first (with a full stop added), then the mail, then what was done —
		// also by the sibling branch (Notify Inbound Workplace), known from the run's custom data
		expect(message).toMatch(
			/^Record on Case: case 99999 does not exist .*; nothing was sent\. Mail: /,
		);
		expect(message).toContain(`Already done: case ${number} created; agents notified.`);
		expect(run.nodeError(ACK)?.description).toMatch(/^Error code [A-Z_]+$/);
		expect(customData(run)).toMatchObject({
			subject: 'Kein Empfänger',
			caseNumber: number,
			outcome: expect.stringMatching(
				/failed in Send Acknowledgement \([A-Z_]+\)/,
			) as unknown as string,
		});
	});
});
