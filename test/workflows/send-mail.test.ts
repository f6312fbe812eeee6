/**
 * Send Mail run by n8n's real engine against the real Postfix → Dovecot (R-OUT-4, R-OUT-5,
 * R-OUT-7, R-PLUS-6): what the node sends arrives byte for byte, read back over IMAP and POP3.
 */
import fs from 'fs';
import type { INodeParameters } from 'n8n-workflow';
import { simpleParser } from 'mailparser';
import { Pop3Client } from '../../lib/protocols/pop3/pop3-client';
import { SMTP_POOL_DEFAULTS } from '../../lib/protocols/smtp/smtp-pool';
import { MakeBytes, fixtureBytes } from '../fixtures/nodes/MakeBytes.node';
import { EmitItems } from '../fixtures/nodes/EmitItems.node';
import { ManualTrigger } from '../fixtures/nodes/ManualTrigger.node';
import { mailboxProfile } from '../integration/profiles/fixtures';
import { claimUser, getStack, stackUser, waitForMail } from '../support/mail-stack';
import {
	runWorkflow,
	shutdownN8nEngine,
	waitUntil,
	type WorkflowJson,
	type WorkflowNodeJson,
} from '../support/n8n';
import { NODE, packageCredentialTypes, packageNodeTypes } from '../support/package-nodes';

const nodeTypes = {
	...packageNodeTypes(),
	'n8n-nodes-base.manualTrigger': ManualTrigger,
	'test.makeBytes': MakeBytes,
	'test.emitItems': EmitItems,
};
const credentialTypes = packageCredentialTypes();

afterAll(async () => {
	await shutdownN8nEngine();
});

function smtpCredential(overrides: Record<string, unknown> = {}) {
	const stack = getStack();
	const alice = stackUser('alice');
	return {
		host: stack.host,
		protocol: 'smtp',
		port: stack.ports.submission,
		starttls: 'auto',
		user: alice.address,
		password: alice.password,
		fromAddress: alice.address,
		fromName: 'Kundenservice Müller & Söhne',
		caCertificate: stack.caPem,
		...overrides,
	};
}

function workflow(
	sendParameters: INodeParameters,
	extra: Partial<WorkflowNodeJson> = {},
	items = 1,
): WorkflowJson {
	const nodes: WorkflowNodeJson[] = [
		{
			name: 'Start',
			type: 'n8n-nodes-base.manualTrigger',
			typeVersion: 1,
			position: [0, 0],
			parameters: {},
		},
		{
			name: 'Items',
			type: 'test.emitItems',
			typeVersion: 1,
			position: [100, 0],
			parameters: { items: JSON.stringify(Array.from({ length: items }, (_, n) => ({ n }))) },
		},
		{
			name: 'Bytes',
			type: 'test.makeBytes',
			typeVersion: 1,
			position: [200, 0],
			parameters: { size: 70_000, fileName: 'Prüfbericht Straße №5.bin', binaryProperty: 'report' },
		},
		{
			name: 'Send Mail',
			type: NODE('mailCasesSendMail'),
			typeVersion: 1,
			position: [400, 0],
			parameters: sendParameters,
			credentials: { mailCasesSmtp: { id: 'smtp-1', name: 'SMTP' } },
			...extra,
		},
	];
	return {
		nodes,
		connections: {
			Start: { main: [[{ node: 'Items', type: 'main', index: 0 }]] },
			Items: { main: [[{ node: 'Bytes', type: 'main', index: 0 }]] },
			Bytes: { main: [[{ node: 'Send Mail', type: 'main', index: 0 }]] },
		},
		settings: { executionOrder: 'v1' },
	};
}

async function run(wf: WorkflowJson, credential = smtpCredential()) {
	return runWorkflow({
		workflow: wf,
		nodeTypes,
		credentialTypes,
		credentials: { mailCasesSmtp: { 'smtp-1': credential } },
		timeoutMs: 60_000,
	});
}

async function popRaw(user: string, messageId: string): Promise<Buffer> {
	const client = new Pop3Client(mailboxProfile('pop3', 'starttls', user));
	await client.connect();
	try {
		for (const entry of await client.list()) {
			const raw = (await client.retrieve(entry.num))!;
			if (raw.includes(Buffer.from(messageId))) return raw;
		}
	} finally {
		await client.quit();
	}
	throw new Error(`${messageId} not found over POP3`);
}

describe('Send Mail node (R-OUT-4, R-OUT-5, R-OUT-7, R-PLUS-6)', () => {
	test('round trip: Send Mail → Postfix → Dovecot, read back over IMAP and POP3 byte for byte', async () => {
		const rcpt = claimUser();
		const subject = 'Ihre Anfrage: Größenänderung – Übersicht ✓ [#2026-000042]';
		const text =
			'Grüße aus Köln!\nName = Mustermann\nStraße = Hauptstraße 5\n.\n..eine Zeile mit Punkt\n';
		const html = '<p>Grüße aus <b>Köln</b> – “Zitat” €</p>';
		const result = await run(
			workflow({
				operation: 'send',
				to: `"Jörg Ärger" <${stackUser(rcpt).address}>`,
				subject,
				emailFormat: 'both',
				text,
				html,
				options: {
					attachments: 'report',
					replyTo: 'antwort@example.test',
					inReplyTo: '<original-123@example.test>',
					references: '<root-1@example.test> <original-123@example.test>',
					headers: { header: [{ name: 'X-Case-Number', value: '2026-000042' }] },
				},
			}),
		);
		expect(result.status).toBe('success');
		const [out] = result.outputOf('Send Mail');
		expect(out.pairedItem).toEqual({ item: 0 });
		expect(out.json).toMatchObject({
			accepted: [stackUser(rcpt).address],
			rejected: [],
			from: stackUser('alice').address,
			subject,
		});
		const messageId = out.json.messageId as string;
		expect(messageId).toMatch(/^<.+@example\.test>$/);

		const viaImap = await waitForMail(rcpt, (m) => m.messageId === messageId, 15_000);
		const viaPop3 = await popRaw(rcpt, messageId);
		// The same bytes over both protocols (Dovecot stores what Postfix delivered).
		expect(viaPop3.equals(viaImap.raw)).toBe(true);

		const parsed = await simpleParser(viaPop3);
		expect(parsed.from?.value).toEqual([
			{ address: stackUser('alice').address, name: 'Kundenservice Müller & Söhne' },
		]);
		expect(parsed.to && !Array.isArray(parsed.to) ? parsed.to.value : []).toEqual([
			{ address: stackUser(rcpt).address, name: 'Jörg Ärger' },
		]);
		expect(parsed.subject).toBe(subject);
		expect(parsed.text).toBe(text);
		expect(parsed.html).toContain('Grüße aus <b>Köln</b> – “Zitat” €');
		expect(parsed.replyTo?.value[0].address).toBe('antwort@example.test');
		expect(parsed.inReplyTo).toBe('<original-123@example.test>');
		expect(parsed.references).toEqual(['<root-1@example.test>', '<original-123@example.test>']);
		expect(parsed.headers.get('x-case-number')).toBe('2026-000042');
		expect(parsed.attachments).toHaveLength(1);
		expect(parsed.attachments[0].filename).toBe('Prüfbericht Straße №5.bin');
		expect(parsed.attachments[0].content.equals(fixtureBytes(70_000))).toBe(true);
	});

	test('every item of an execution is sent over the SMTP pool: at most its connections, not one per item (#17.5)', async () => {
		const rcpt = claimUser();
		const log = getStack().logs.postfix;
		const before = fs.readFileSync(log, 'utf8').split('\n').length;
		const result = await run(
			workflow(
				{
					operation: 'send',
					to: stackUser(rcpt).address,
					subject: '={{ "Serie " + $json.n }}',
					emailFormat: 'text',
					text: 'x',
				},
				{},
				4,
			),
		);
		expect(result.status).toBe('success');
		expect(result.outputOf('Send Mail').map((i) => i.pairedItem)).toEqual(
			[0, 1, 2, 3].map((item) => ({ item })),
		);
		for (let i = 0; i < 4; i++) await waitForMail(rcpt, (m) => m.subject === `Serie ${i}`, 15_000);
		// Postfix logs through postlogd, a little after the fact: wait for the four sessions' lines.
		const ids = result.outputOf('Send Mail').map((i) => i.json.messageId as string);
		let lines: string[] = [];
		await waitUntil(
			'Postfix log lines for the four mails',
			() => {
				lines = fs
					.readFileSync(log, 'utf8')
					.split('\n')
					.slice(before - 1);
				return ids.every((id) => lines.some((l) => l.includes(`message-id=${id}`)));
			},
			15_000,
		);
		const connects = lines.filter((l) => /submission\/smtpd\[\d+\]: connect from/.test(l));
		// over the process's pool (earlier tests may have opened it): the first item alone, then the
		// other three at once — at most three connections, below the pool's limit
		expect(connects.length).toBeLessThanOrEqual(3);
		expect(SMTP_POOL_DEFAULTS.maxConnections).toBeGreaterThan(3);
	});

	test('header injection is rejected with a clear error; continueOnFail turns it into an error item', async () => {
		const rcpt = claimUser();
		const params = {
			operation: 'send',
			to: `${stackUser(rcpt).address}\r\nBcc: victim@example.test`,
			subject: 'x',
			emailFormat: 'text',
			text: 'x',
		};
		const failed = await run(workflow(params));
		expect(failed.status).toBe('error');
		expect(failed.error?.message).toMatch(/line break/);
		const continued = await run(workflow(params, { onError: 'continueRegularOutput' }));
		expect(continued.status).toBe('success');
		const [item] = continued.outputOf('Send Mail');
		expect(item.json.error).toMatch(/line break/);
		expect(item.pairedItem).toEqual({ item: 0 });
	});

	test('a server with a certificate from an unknown CA is refused unless allowed', async () => {
		const rcpt = claimUser();
		const params = {
			operation: 'send',
			to: stackUser(rcpt).address,
			subject: 'Selbst signiert',
			emailFormat: 'text',
			text: 'x',
		};
		const refused = await run(workflow(params), smtpCredential({ caCertificate: '' }));
		expect(refused.status).toBe('error');
		expect(refused.error?.message).toMatch(/certificate .* is not trusted/);
		const allowed = await run(
			workflow(params),
			smtpCredential({ caCertificate: '', allowSelfSigned: true }),
		);
		expect(allowed.status).toBe('success');
		await waitForMail(rcpt, (m) => m.subject === 'Selbst signiert', 15_000);
	});

	test('Send Test Mail operation (R-OUT-7)', async () => {
		const rcpt = claimUser();
		const result = await run(
			workflow({ operation: 'sendTest', testRecipient: stackUser(rcpt).address }),
		);
		expect(result.status).toBe('success');
		const [item] = result.outputOf('Send Mail');
		expect(item.json).toMatchObject({ success: true, recipient: stackUser(rcpt).address });
		await waitForMail(rcpt, (m) => m.messageId === item.json.messageId, 15_000);
	});

	test('a wrong password fails the run without showing the password', async () => {
		const rcpt = claimUser();
		const result = await run(
			workflow({
				operation: 'send',
				to: stackUser(rcpt).address,
				subject: 'x',
				emailFormat: 'text',
				text: 'x',
			}),
			smtpCredential({ password: 'Sehr-Geheim-99' }),
		);
		expect(result.status).toBe('error');
		expect(result.error?.message).toMatch(/Authentication failed/);
		expect(JSON.stringify(result.run.data.resultData)).not.toContain('Sehr-Geheim-99');
	});
});
