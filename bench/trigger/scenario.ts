/**
 * One benchmark scenario in its own process (so peak RSS is the scenario's own):
 *   raw <user>          imapflow fetch + mailparser parse + delete of the mailbox, no n8n
 *   trigger <user> <n>  the Mail Cases Trigger in n8n's engine, n mails per execution
 * Prints one JSON line: { mails, seconds, mailsPerSecond, peakRssMb }.
 */
import { ImapFlow } from 'imapflow';
import { simpleParser } from 'mailparser';
import { getStack, imapOptions } from '../../test/support/mail-stack';
import { initN8nEngine, startTrigger, shutdownN8nEngine } from '../../test/support/n8n';
import { SetField } from '../../test/fixtures/nodes/SetField.node';
import { NODE, packageCredentialTypes, packageNodeTypes } from '../../test/support/package-nodes';

async function raw(user: string, expected: number): Promise<number> {
	const client = new ImapFlow(imapOptions(user, 'implicit'));
	client.on('error', () => undefined);
	await client.connect();
	await client.mailboxOpen('INBOX');
	let done = 0;
	for (;;) {
		const uids = ((await client.search({ all: true }, { uid: true })) || []).slice(0, 100);
		if (!uids.length) break;
		for await (const message of client.fetch(uids, { uid: true, source: true }, { uid: true })) {
			await simpleParser(message.source!);
			done++;
		}
		await client.messageDelete(uids, { uid: true });
	}
	await client.logout();
	if (done !== expected) throw new Error(`raw drain read ${done} mails, expected ${expected}`);
	return done;
}

async function trigger(user: string, perExecution: number, expected: number, maxMessageMb: number): Promise<number> {
	const stack = getStack();
	const handle = await startTrigger({
		workflow: {
			nodes: [
				{
					name: 'Mail',
					type: NODE('mailCasesTrigger'),
					typeVersion: 1,
					position: [0, 0],
					parameters: {
						autoReplyAction: 'emit',
						bounceAction: 'emit',
						listAction: 'emit',
						loopAction: 'emit',
						ignoreSubjectKeywords: '',
						options: { mailsPerExecution: perExecution, maxMessageMb, pollIntervalSeconds: 5 },
					},
					credentials: { mailCasesMailbox: { id: 'box', name: 'Box' } },
				},
				{ name: 'Set', type: 'test.setField', typeVersion: 1, position: [300, 0], parameters: { field: 'seen', value: 'yes' } },
			],
			connections: { Mail: { main: [[{ node: 'Set', type: 'main', index: 0 }]] } },
			settings: { executionOrder: 'v1', saveDataSuccessExecution: 'none' },
		},
		nodeTypes: { ...packageNodeTypes(), 'test.setField': SetField },
		credentialTypes: packageCredentialTypes(),
		credentials: {
			mailCasesMailbox: {
				box: { protocol: 'imap', host: stack.host, tls: 'implicit', port: stack.ports.imaps, user: `${user}@${stack.domain}`, password: stack.users[user].password, caCertificate: stack.caPem },
			},
		},
		triggerNodeName: 'Mail',
		timeoutMs: 600_000,
	});
	let mails = 0;
	const deadline = Date.now() + 20 * 60_000;
	while (mails < expected) {
		if (Date.now() > deadline) throw new Error(`trigger drained ${mails} of ${expected} mails in time`);
		await new Promise((r) => setTimeout(r, 50));
		mails = handle.executions.reduce((sum, e) => sum + (e.status === 'success' ? e.outputOf('Set').length : 0), 0);
		const failed = handle.executions.find((e) => e.status !== 'success');
		if (failed) throw new Error(`an execution failed: ${failed.error?.message}`);
	}
	await handle.close();
	await shutdownN8nEngine();
	return mails;
}

export async function main(args: string[]): Promise<void> {
	const [mode, user, count, perExecution, maxMb] = args;
	const expected = Number(count);
	// n8n's one-time start-up (DI container, expression engine) is not part of draining mail.
	if (mode !== 'raw') await initN8nEngine();
	const started = process.hrtime.bigint();
	const mails = mode === 'raw' ? await raw(user, expected) : await trigger(user, Number(perExecution), expected, Number(maxMb || 25));
	const seconds = Number(process.hrtime.bigint() - started) / 1e9;
	const peakRssMb = Math.round(process.resourceUsage().maxRSS / 1024);
	process.stdout.write(`${JSON.stringify({ mails, seconds: Number(seconds.toFixed(2)), mailsPerSecond: Math.round(mails / seconds), peakRssMb })}\n`);
}
