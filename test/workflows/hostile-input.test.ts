/**
 * #11.5 "Only mail is mail", end to end: files delivered to the real Dovecot as if they were
 * messages (an OLE compound file as Outlook saves a .msg, a ZIP archive, random bytes, a text
 * file) reach the Mail Cases Trigger in n8n's real engine. Each is quarantined at once with the
 * reason "Not an e-mail message: …" and never emitted; the normal mail between them is emitted
 * and removed. Dovecot puts its delivery fields (Return-Path, Delivered-To, Received) in front of
 * each file, as any server would.
 */
import type { INodeParameters } from 'n8n-workflow';
import { oleCompoundFile, seededBytes, zipArchive } from '../support/binary-files';
import {
	claimUser,
	composeMail,
	deliver,
	getStack,
	listImap,
	stackUser,
} from '../support/mail-stack';
import { shutdownN8nEngine, startTrigger, type TriggerHandle } from '../support/n8n';
import { NODE, packageCredentialTypes, packageNodeTypes } from '../support/package-nodes';

jest.setTimeout(120_000);

const handles: TriggerHandle[] = [];
afterEach(async () => {
	for (const handle of handles.splice(0)) await handle.close();
});
afterAll(async () => {
	await shutdownN8nEngine();
});

/** The trigger alone: its three outputs (main, routed, quarantine reports) are what we read. */
async function startMailTrigger(
	user: string,
	protocol: 'imap' | 'pop3',
	parameters: INodeParameters,
) {
	const stack = getStack();
	const u = stackUser(user);
	const handle = await startTrigger({
		workflow: {
			nodes: [
				{
					name: 'Mail',
					type: NODE('mailCasesTrigger'),
					typeVersion: 1,
					position: [0, 0],
					parameters,
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
					protocol,
					host: stack.host,
					tls: 'implicit',
					port: protocol === 'imap' ? stack.ports.imaps : stack.ports.pop3s,
					user: u.address,
					password: u.password,
					folder: 'INBOX',
					caCertificate: stack.caPem,
				},
			},
		},
		triggerNodeName: 'Mail',
		timeoutMs: 60_000,
	});
	handles.push(handle);
	return handle;
}

async function until(
	what: string,
	check: () => Promise<boolean> | boolean,
	timeoutMs: number,
): Promise<void> {
	const end = Date.now() + timeoutMs;
	while (!(await check())) {
		if (Date.now() > end) throw new Error(`timed out waiting for: ${what}`);
		await new Promise((r) => setTimeout(r, 200));
	}
}

const quarantineReports = (handle: TriggerHandle) =>
	handle.executions.flatMap((e) =>
		e.outputOf('Mail', 2).map((i) => i.json as { key: string; reason: string }),
	);

/** Every item the trigger emitted as mail (main and routed outputs). */
const emittedMails = (handle: TriggerHandle) =>
	handle.executions.flatMap((e) =>
		[...e.outputOf('Mail', 0), ...e.outputOf('Mail', 1)].map((i) => i.json),
	);

describe.each(['imap', 'pop3'] as const)(
	'#11.5 files delivered as messages, over %s',
	(protocol) => {
		test('#11.5 an OLE (.msg) file, a ZIP, random bytes and a text file are quarantined as "not an e-mail message" and never emitted; the normal mail is', async () => {
			const user = claimUser();
			const to = stackUser(user).address;
			await deliver(user, oleCompoundFile(16));
			await deliver(
				user,
				await composeMail({
					from: '"Erika Mustermann" <erika@kunde.test>',
					to,
					subject: 'Normale Anfrage',
					text: 'Bitte um Rückruf.',
				}),
			);
			await deliver(
				user,
				zipArchive({
					'word/document.xml': '<w:document/>',
					'docProps/core.xml': '<cp:coreProperties/>',
				}),
			);
			await deliver(user, seededBytes(135 * 1024, 11));
			await deliver(user, 'Hallo,\r\nanbei die Liste.\r\n\r\nGruss\r\n');

			const handle = await startMailTrigger(user, protocol, {
				options: { pollIntervalSeconds: 1, maxAttempts: 3, retryDelaySeconds: 0 },
			});
			await until(
				'four quarantine reports and one emitted mail',
				() => quarantineReports(handle).length === 4 && emittedMails(handle).length === 1,
				60_000,
			);

			expect(emittedMails(handle).map((m) => m.subject)).toEqual(['Normale Anfrage']);
			const reasons = quarantineReports(handle).map((r) => r.reason);
			expect(reasons).toHaveLength(4);
			for (const reason of reasons) expect(reason).toMatch(/^Not an e-mail message: /);
			expect(reasons).toEqual(
				expect.arrayContaining([
					expect.stringMatching(
						/its content starts with an OLE compound file signature \(an Outlook \.msg file.*after 3 header fields added on delivery/,
					),
					expect.stringMatching(/its content starts with a ZIP archive signature/),
					// Dovecot's IMAP server hands out NUL bytes as 0x80, POP3 as they are
					protocol === 'imap'
						? expect.stringMatching(
								/its header section is mostly not text \(\d+ control characters in \d+ bytes\)/,
							)
						: expect.stringMatching(/its header section holds NUL bytes \(binary data, not text\)/),
					expect.stringMatching(
						/none of its 3 header fields is one a mail has \(From, Sender, To, Cc, Date, Message-ID, Subject/,
					),
				]),
			);
			// quarantined at once: no workflow run was spent on them
			expect(handle.executions.filter((e) => e.status === 'error')).toHaveLength(0);

			if (protocol === 'imap') {
				await until('inbox empty', async () => (await listImap(user)).length === 0, 10_000);
				await until(
					'four mails in Quarantine',
					async () => (await listImap(user, 'Quarantine')).length === 4,
					10_000,
				);
				for (const mail of await listImap(user, 'Quarantine'))
					expect(mail.flags).toContain('$MailCasesQuarantined');
			} else {
				// POP3 has no folders: the files stay on the server, remembered as quarantined with the reason
				await until(
					'only the four files left',
					async () => (await listImap(user)).length === 4,
					10_000,
				);
				const state = handle.staticData['node:Mail'] as {
					pop3: { quarantined: Record<string, string> };
				};
				expect(Object.values(state.pop3.quarantined)).toHaveLength(4);
				for (const reason of Object.values(state.pop3.quarantined))
					expect(reason).toMatch(/Not an e-mail message/);
			}
		});
	},
);

describe("#11.2 / #11.8 attachments of a stranger's mail, over imap", () => {
	test('#11.2 150 attachments → the item carries the first 100, attachmentsOmitted 50 and a note; #11.8 names without bidi characters, at most 255 bytes keeping the extension', async () => {
		const user = claimUser();
		const attachments = Array.from({ length: 150 }, (_, i) => ({
			filename: `teil-${i}.txt`,
			content: `Teil ${i}`,
			contentType: 'text/plain',
		}));
		attachments[0].filename = 'invoice\u202Efdp.exe';
		attachments[1].filename = `${'r'.repeat(1000)}.pdf`;
		await deliver(
			user,
			await composeMail({
				from: 'kunde@kunde.test',
				to: stackUser(user).address,
				subject: 'Viele Anhänge',
				text: 'siehe Anhang',
				attachments,
			}),
		);

		const handle = await startMailTrigger(user, 'imap', { options: { pollIntervalSeconds: 1 } });
		await handle.waitForExecutions(1, 30_000);
		const [item] = handle.executions[0].outputOf('Mail');
		const json = item.json as {
			attachments: Array<{ filename: string; binaryProperty: string }>;
			attachmentsOmitted: number;
			notes: string[];
		};
		expect(json.attachments).toHaveLength(100);
		expect(Object.keys(item.binary ?? {})).toHaveLength(100);
		expect(json.attachmentsOmitted).toBe(50);
		expect(json.notes).toEqual([
			'Only the first 100 of 150 attachments were extracted (limit 100 per mail); the other 50 are only in the original message.',
		]);
		expect(json.attachments[99].filename).toBe('teil-99.txt');

		expect(json.attachments[0].filename).toBe('invoicefdp.exe');
		expect(item.binary?.[json.attachments[0].binaryProperty].fileName).toBe('invoicefdp.exe');
		const long = json.attachments[1].filename;
		expect(Buffer.byteLength(long, 'utf8')).toBe(255);
		expect(long).toBe(`${'r'.repeat(251)}.pdf`);
		expect(item.binary?.[json.attachments[1].binaryProperty].fileName).toBe(long);
	});
});
