/**
 * Exactly-once emission across a connection loss (issue #13.5), in n8n's engine against the real
 * Dovecot behind a TCP relay the test cuts: the run of a mail succeeds, but the connection is
 * gone before its disposal went through. The trigger remembers the mail, reconnects with
 * backoff (the outage is reported) and disposes of it then — without running it a second time.
 * - cut during the run: the workflow's last node cuts the relay, so the connection is lost
 *   exactly between the run's success and the disposal (IMAP and POP3);
 * - POP3, cut at QUIT: the DELE went through, the QUIT never arrives, so the server undoes the
 *   DELE; after the reconnect the mail is found by its UIDL and deleted, not run again.
 */
import type {
	IExecuteFunctions,
	INodeExecutionData,
	INodeType,
	INodeTypeDescription,
} from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';
import { claimUser, getStack, listImap } from '../support/mail-stack';
import { waitUntil } from '../support/n8n';
import { packageNodeTypes } from '../support/package-nodes';
import { startTcpRelay, type TcpRelay } from '../support/tcp-relay';
import {
	mailboxCredential,
	plant,
	triggerTestFile,
	triggerThen,
	waitUntilAsync,
} from '../support/trigger-workflows';

jest.setTimeout(120_000);

/** The workflow's last node: tells the test that the run is about to succeed. */
class Signal implements INodeType {
	static onRun: () => void = () => undefined;

	description: INodeTypeDescription = {
		displayName: 'Signal (test)',
		name: 'signal',
		group: ['transform'],
		version: 1,
		description: 'Calls the test, passes its items on',
		defaults: { name: 'Signal' },
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		properties: [],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		Signal.onRun();
		return [this.getInputData()];
	}
}

const file = triggerTestFile({ ...packageNodeTypes(), 'test.signal': Signal });
const relays: TcpRelay[] = [];
afterEach(async () => {
	Signal.onRun = () => undefined;
	for (const relay of relays.splice(0)) await relay.close();
});

test.each([
	['imap', 'run'],
	['pop3', 'run'],
	['pop3', 'quit'],
] as const)(
	'#13.5 %s, connection cut at the %s: the mail is emitted once and removed after the reconnect',
	async (protocol, cutAt) => {
		const stack = getStack();
		const user = claimUser();
		await plant(user, ['Genau einmal']);
		let cut = false;
		let marked = false;
		const relay: TcpRelay = await startTcpRelay(
			protocol === 'imap' ? stack.ports.imap : stack.ports.pop3,
			'127.0.0.1',
			{
				// POP3: the first QUIT after a DELE never reaches the server; the session breaks.
				answerClient: (chunk) => {
					if (cutAt !== 'quit' || cut) return undefined;
					if (/^DELE /i.test(chunk)) marked = true;
					if (!marked || !/^QUIT/i.test(chunk)) return undefined;
					cut = true;
					relay.refuse(true);
					return '';
				},
			},
		);
		relays.push(relay);
		Signal.onRun = () => {
			if (cutAt !== 'run' || cut) return;
			cut = true;
			relay.refuse(true);
		};
		const box = {
			...mailboxCredential(user, protocol),
			host: '127.0.0.1',
			tls: 'off',
			port: relay.port,
		};
		const handle = await file.start(
			user,
			protocol,
			triggerThen({ options: { pollIntervalSeconds: 1, connectionTimeoutSeconds: 5 } }, [
				{ name: 'Signal', type: 'test.signal' },
			]),
			{ mailCasesMailbox: { box } },
		);

		await handle.waitForExecutions(1, 30_000);
		// The disposal failed and reconnecting keeps failing: reported after the third attempt.
		await waitUntil('the outage reported', () => handle.failedExecutions.length > 0, 30_000);
		expect(cut).toBe(true);
		expect((await listImap(user)).map((m) => m.subject)).toEqual(['Genau einmal']);

		relay.refuse(false);
		await waitUntilAsync(
			async () => !(await listImap(user)).length,
			30_000,
			'the mail removed after the reconnect',
		);
		expect(handle.executions.map((e) => e.status)).toEqual(['success']);
		expect(
			handle.executions.flatMap((e) => e.outputOf('Signal').map((i) => String(i.json.subject))),
		).toEqual(['Genau einmal']);
		expect(handle.emitted).toBe(1);
	},
);
