/**
 * Runs that outlast the mail session (issue #13.6): the server ends the session of the trigger
 * while a run is going on (as its idle autologout does: Dovecot after 10 min for POP3, 30 min for
 * IMAP — not configurable, so the test ends it with `doveadm kick`, from the server side, while
 * the run waits at a gate). Disposal opens a new session: the mail is emitted once and is gone
 * afterwards. IMAP disposal checks UIDVALIDITY: in a folder recreated meanwhile the old UID names
 * another mail, which is then not touched but read and processed itself (the per-mail error of
 * the check itself: test/integration/protocols/source-disposal.test.ts).
 */
import type {
	IExecuteFunctions,
	INodeExecutionData,
	INodeType,
	INodeTypeDescription,
} from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';
import { kickSessions } from '../support/dovecot-kick';
import { claimUser, composeMail, imapClient, listImap, stackUser } from '../support/mail-stack';
import { waitUntil, type TriggerHandle } from '../support/n8n';
import { packageNodeTypes } from '../support/package-nodes';
import {
	mailboxCredential,
	plant,
	triggerTestFile,
	triggerThen,
	waitUntilAsync,
} from '../support/trigger-workflows';

jest.setTimeout(90_000);

/** A node that holds its run until the test opens the gate: a run as long as the test needs. */
class Gate implements INodeType {
	static entered: string[] = [];
	static open: () => void = () => undefined;
	static opened: Promise<void> = Promise.resolve();

	static close(): void {
		Gate.entered = [];
		Gate.opened = new Promise((resolve) => (Gate.open = resolve));
	}

	description: INodeTypeDescription = {
		displayName: 'Gate (test)',
		name: 'gate',
		group: ['transform'],
		version: 1,
		description: 'Waits until the test opens it',
		defaults: { name: 'Gate' },
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		properties: [],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const items = this.getInputData();
		Gate.entered.push(...items.map((item) => String(item.json.subject)));
		await Gate.opened;
		return [items];
	}
}

const file = triggerTestFile({ ...packageNodeTypes(), 'test.gate': Gate });
afterEach(() => Gate.open());

/** The trigger's workflow: Mail → Gate, polling every second. */
function start(user: string, protocol: 'imap' | 'pop3', folder = 'INBOX'): Promise<TriggerHandle> {
	return file.start(
		user,
		protocol,
		triggerThen({ options: { pollIntervalSeconds: 1 } }, [{ name: 'Gate', type: 'test.gate' }]),
		{ mailCasesMailbox: { box: { ...mailboxCredential(user, protocol), folder } } },
	);
}

/** What the trigger wrote into n8n's log about this mailbox (connection lost, retry …). */
const triggerLog = (address: string) =>
	file.logLines(address, 'Mail Cases Trigger').map((l) => l.message);

/** Subjects the workflow emitted (runs that reached the gate), over all executions. */
function emitted(handle: TriggerHandle): string[] {
	return handle.executions.flatMap((e) => e.outputOf('Mail').map((i) => String(i.json.subject)));
}

describe.each(['pop3', 'imap'] as const)('a run that outlasts the %s session', (protocol) => {
	test('the mail is removed in a new session: emitted once, gone afterwards', async () => {
		const user = claimUser();
		const { address } = stackUser(user);
		Gate.close();
		await plant(user, ['Lange Laufzeit']);
		const handle = await start(user, protocol);
		await waitUntil('the run waits at the gate', () => Gate.entered.length > 0, 20_000);

		await kickSessions(address, protocol);
		Gate.open();

		await handle.waitForExecutions(1, 20_000);
		await waitUntilAsync(async () => !(await listImap(user)).length, 20_000, 'the mail is gone');
		expect(handle.executions.map((e) => e.status)).toEqual(['success']);
		expect(emitted(handle)).toEqual(['Lange Laufzeit']);
		expect(Gate.entered).toEqual(['Lange Laufzeit']);
		expect(handle.errors).toEqual([]);
		expect(handle.failedExecutions).toEqual([]);
		// Removed by the disposal itself, in a new session: no connection loss, no retry.
		expect(triggerLog(address)).toEqual([]);
	});
});

test('IMAP: the folder was recreated during the run (new UIDVALIDITY): its UID 1, now another mail, is not removed but processed', async () => {
	const user = claimUser();
	const { address } = stackUser(user);
	const admin = async (work: (client: Awaited<ReturnType<typeof imapClient>>) => Promise<void>) => {
		const client = await imapClient(user);
		try {
			await work(client);
		} finally {
			await client.logout();
		}
	};
	const mail = (subject: string) =>
		composeMail({ from: 'kunde@kunde.test', to: address, subject, text: `Text of ${subject}` });
	await admin(async (client) => {
		await client.mailboxCreate('Tickets');
		await client.append('Tickets', await mail('Vor der Neuanlage'));
	});
	Gate.close();
	const handle = await start(user, 'imap', 'Tickets');
	await waitUntil('the run waits at the gate', () => Gate.entered.length > 0, 20_000);

	// Deleted and created again while the run waits: its first mail gets UID 1 again.
	await admin(async (client) => {
		await client.mailboxDelete('Tickets');
		await client.mailboxCreate('Tickets');
		await client.append('Tickets', await mail('Andere Mail'));
		expect((await client.mailboxOpen('Tickets')).uidNext).toBe(2);
	});
	await kickSessions(address, 'imap');
	Gate.open();

	// The old UID 1 would now remove "Andere Mail" unseen; it is processed instead.
	await waitUntil('"Andere Mail" processed', () => emitted(handle).includes('Andere Mail'), 30_000);
	await waitUntilAsync(
		async () => !(await listImap(user, 'Tickets')).length,
		20_000,
		'"Andere Mail" removed after its run',
	);
	expect(emitted(handle)).toEqual(['Vor der Neuanlage', 'Andere Mail']);
	expect(handle.executions.map((e) => e.status)).toEqual(['success', 'success']);
});
