/**
 * The trigger survives a mail-server outage (issue #4, R-PLUS-1): Dovecot is killed while the
 * trigger idles, mail arrives meanwhile, Dovecot comes back — the trigger reconnects with
 * backoff, picks the mail up, and the lasting outage was reported through n8n (a failed
 * execution), never silently swallowed. Runs against a private stack so the outage does not
 * disturb other test files.
 */
import { chmodSync, readdirSync, writeFileSync } from 'fs';
import nodemailer from 'nodemailer';
import path from 'path';
import { composeMail, startMailStack, type MailStackHandle } from '../support/mail-stack';
import { shutdownN8nEngine, startTrigger, type TriggerHandle } from '../support/n8n';
import { NODE, packageCredentialTypes, packageNodeTypes } from '../support/package-nodes';

jest.setTimeout(90_000);

let stack: MailStackHandle;
let handle: TriggerHandle | undefined;

beforeAll(async () => {
	stack = await startMailStack();
});
afterAll(async () => {
	await handle?.close();
	await stack?.stop();
	await shutdownN8nEngine();
});

async function lmtp(to: string, raw: Buffer): Promise<void> {
	const transport = nodemailer.createTransport({
		lmtp: true,
		host: stack.host,
		port: stack.ports.lmtp,
		tls: { ca: stack.caPem },
	} as never);
	try {
		await transport.sendMail({ envelope: { from: 'kunde@kunde.test', to: [to] }, raw });
	} finally {
		transport.close();
	}
}

/**
 * Drops a message into the Maildir (created by the first delivery) the way a local delivery
 * agent would while IMAP is down.
 */
function dropIntoMaildir(address: string, raw: Buffer, name: string): void {
	const dir = path.join(stack.dir, 'mail', address, 'Maildir', 'new');
	const file = path.join(dir, `${Date.now()}.${name}.test`);
	writeFileSync(file, raw);
	chmodSync(file, 0o666);
}

/** The messages in a user's INBOX, as Dovecot keeps them (one file each in new/ or cur/). */
function maildirMessages(address: string): string[] {
	const base = path.join(stack.dir, 'mail', address, 'Maildir');
	return ['new', 'cur'].flatMap((sub) => {
		try {
			return readdirSync(path.join(base, sub));
		} catch {
			return [];
		}
	});
}

async function until(what: string, check: () => boolean, timeoutMs: number) {
	const end = Date.now() + timeoutMs;
	while (!check()) {
		if (Date.now() > end) throw new Error(`timed out waiting for: ${what}`);
		await new Promise((r) => setTimeout(r, 100));
	}
}

test('Dovecot killed and restarted while the trigger idles: reconnect, outage reported, mail from meanwhile processed', async () => {
	const user = stack.users.alice;
	const mail = (subject: string) =>
		composeMail({ from: 'kunde@kunde.test', to: user.address, subject, text: 'x' });
	handle = await startTrigger({
		workflow: {
			nodes: [
				{
					name: 'Mail',
					type: NODE('mailCasesTrigger'),
					typeVersion: 1,
					position: [0, 0],
					parameters: { options: { pollIntervalSeconds: 2 } },
					credentials: { mailCasesMailbox: { id: 'box', name: 'Box' } },
				},
			],
			connections: {},
			settings: { executionOrder: 'v1' },
		},
		nodeTypes: packageNodeTypes(),
		credentialTypes: packageCredentialTypes(),
		credentials: {
			mailCasesMailbox: {
				box: {
					protocol: 'imap',
					host: stack.host,
					tls: 'implicit',
					port: stack.ports.imaps,
					user: user.address,
					password: user.password,
					caCertificate: stack.caPem,
				},
			},
		},
		triggerNodeName: 'Mail',
		timeoutMs: 60_000,
	});
	const subjects = () =>
		handle!.executions.flatMap((e) => e.outputOf('Mail').map((i) => i.json.subject));

	await lmtp(user.address, await mail('Vor dem Ausfall'));
	await until('first mail processed', () => subjects().includes('Vor dem Ausfall'), 20_000);
	// The outage is meant to hit the idle trigger: its mail is removed first (the disposal follows
	// the run's end; on a loaded machine Dovecot was killed in between, issue #13.5).
	await until(
		'first mail removed from the server',
		() => !maildirMessages(user.address).length,
		20_000,
	);

	stack.stopDovecot();
	dropIntoMaildir(user.address, await mail('Während des Ausfalls'), 'b');
	// Reconnect attempts back off (1 s, 2 s, 4 s …); the third failed attempt is reported.
	await until(
		'outage reported as a failed execution',
		() => handle!.failedExecutions.length > 0,
		30_000,
	);
	expect(handle.failedExecutions[0].message).toMatch(/127\.0\.0\.1/);
	expect(subjects()).toEqual(['Vor dem Ausfall']);

	await stack.restartDovecot();
	await until(
		'mail from the outage processed',
		() => subjects().includes('Während des Ausfalls'),
		40_000,
	);
	expect(subjects()).toEqual(['Vor dem Ausfall', 'Während des Ausfalls']);
	// The trigger is still the same activation: it recovered by itself.
	expect(handle.activations).toBe(1);
});
