/**
 * Issue #13 item 4: a quarantine report (the trigger's third output, and the n8n log line) says
 * which mail it is — subject, from, date, Message-ID, size — besides why (reason) and the class
 * of that reason (kind). Only the start of the mail is read for it (the mail may be hostile).
 * Run by n8n's real trigger machinery against the real Dovecot.
 */
import type { IDataObject, INodeParameters } from 'n8n-workflow';
import { Fail } from '../fixtures/nodes/Fail.node';
import { claimUser, composeMail, deliver, listImap, stackUser } from '../support/mail-stack';
import type { TriggerHandle } from '../support/n8n';
import { packageNodeTypes } from '../support/package-nodes';
import { triggerTestFile, triggerThen, waitUntilAsync } from '../support/trigger-workflows';

jest.setTimeout(120_000);

const file = triggerTestFile({ ...packageNodeTypes(), 'test.fail': Fail });

/** Trigger → Check, which rejects every mail: each run fails. */
async function start(user: string, protocol: 'imap' | 'pop3', parameters: INodeParameters) {
	return await file.start(
		user,
		protocol,
		triggerThen(parameters, [
			{
				name: 'Check',
				type: 'test.fail',
				parameters: { fail: true, message: 'Rejected by the workflow' },
			},
		]),
	);
}

function reports(handle: TriggerHandle): IDataObject[] {
	return handle.executions.flatMap((e) => e.outputOf('Mail', 2).map((i) => i.json));
}

function quarantineLines(user: string) {
	return file.logLines(stackUser(user).address, ' quarantined (');
}

const DATE = 'Thu, 03 Dec 2026 09:15:00 +0100';

test.each(['imap', 'pop3'] as const)(
	'%s: the report of a mail whose runs failed names it by subject, from, date, Message-ID and size',
	async (protocol) => {
		const user = claimUser();
		await deliver(
			user,
			await composeMail({
				from: '"Erika Müller" <erika@kunde.test>',
				to: stackUser(user).address,
				subject: 'Bestellung über 500 €', // sent as an encoded word
				messageId: `<quarantine-${protocol}@kunde.test>`,
				date: DATE,
				text: 'Bitte liefern Sie 500 Stück.',
			}),
		);
		const handle = await start(user, protocol, {
			options: { maxAttempts: 1, pollIntervalSeconds: 1 },
		});
		await waitUntilAsync(async () => reports(handle).length === 1, 30_000, 'a quarantine report');
		const [report] = reports(handle);
		// The size as the server holds the mail (with the headers it added on delivery).
		const [stored] = await listImap(user, protocol === 'imap' ? 'Quarantine' : 'INBOX');
		expect(report).toEqual({
			key: expect.any(String),
			kind: 'failed',
			reason: expect.stringMatching(/^Failed 1 times; last error: Rejected by the workflow/),
			subject: 'Bestellung über 500 €',
			from: 'erika@kunde.test',
			fromName: 'Erika Müller',
			date: '2026-12-03T08:15:00.000Z',
			messageId: `<quarantine-${protocol}@kunde.test>`,
			size: stored.raw.length,
			mailbox: expect.stringContaining(stackUser(user).address),
			protocol,
			folder: 'INBOX',
			quarantinedAt: expect.any(String),
		});
		const [line, ...more] = quarantineLines(user);
		expect(more).toEqual([]);
		expect(line.level).toBe('warn');
		expect(line.message).toContain(
			`quarantined (failed): Failed 1 times; last error: Rejected by the workflow`,
		);
		expect(line.message).toContain(
			`subject "Bestellung über 500 €", from erika@kunde.test, date 2026-12-03T08:15:00.000Z, Message-ID <quarantine-${protocol}@kunde.test>, ${stored.raw.length} bytes`,
		);
		expect(JSON.stringify(line)).not.toContain(stackUser(user).password);
	},
);

test('IMAP: an oversized mail is reported with its size and kind, without reading it', async () => {
	const user = claimUser();
	await deliver(
		user,
		Buffer.concat([
			Buffer.from(
				`From: a@kunde.test\r\nTo: ${stackUser(user).address}\r\nSubject: Zu gross\r\nMessage-ID: <big@kunde.test>\r\n\r\n`,
			),
			Buffer.alloc(1_200_000, 'x'),
		]),
	);
	const handle = await start(user, 'imap', {
		options: { maxMessageMb: 1, pollIntervalSeconds: 1 },
	});
	await waitUntilAsync(async () => reports(handle).length === 1, 30_000, 'a quarantine report');
	const [stored] = await listImap(user, 'Quarantine');
	expect(reports(handle)[0]).toMatchObject({
		kind: 'oversize',
		reason: expect.stringMatching(/over the limit of 1048576 bytes/),
		size: stored.raw.length,
		subject: null,
		from: null,
		messageId: null,
	});
	expect(quarantineLines(user)[0].message).toMatch(
		new RegExp(`quarantined \\(oversize\\): .* — ${stored.raw.length} bytes, not read$`),
	);
});

test('IMAP: only the first 64 KiB are read for the report: a header beyond them is not looked at', async () => {
	const user = claimUser();
	const junk = `X-Padding: ${'a'.repeat(70)}\r\n`.repeat(1000); // about 80 KB of header lines
	await deliver(
		user,
		Buffer.from(
			`Message-ID: <padded@kunde.test>\r\nFrom: "Früh" <frueh@kunde.test>\r\nTo: ${stackUser(user).address}\r\n${junk}Subject: Hinter dem Polster\r\n\r\nText\r\n`,
		),
	);
	const handle = await start(user, 'imap', {
		options: { maxAttempts: 1, pollIntervalSeconds: 1 },
	});
	await waitUntilAsync(async () => reports(handle).length === 1, 30_000, 'a quarantine report');
	const [stored] = await listImap(user, 'Quarantine');
	expect(stored.raw.length).toBeGreaterThan(80_000);
	expect(reports(handle)[0]).toMatchObject({
		kind: 'failed',
		messageId: '<padded@kunde.test>',
		from: 'frueh@kunde.test',
		subject: '',
		size: stored.raw.length,
	});
});
