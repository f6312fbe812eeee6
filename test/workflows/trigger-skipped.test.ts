/**
 * Issue #13 item 4, the trigger side: nothing leaves the mailbox without a trace. Mail of an
 * automatic class whose action is "Move Aside" (value `skip`, the default for auto-replies and
 * loops) starts no run: over IMAP it is moved to the Skipped Mail Folder with its class as
 * keyword and a line in n8n's log; "Delete" deletes it, logged; POP3, which cannot move mail,
 * emits it on the second output. Run by n8n's real trigger machinery against the real Dovecot.
 */
import type { INodeParameters } from 'n8n-workflow';
import { Fail } from '../fixtures/nodes/Fail.node';
import { startWorld } from '../integration/graph/support';
import { claimUser, listImap, stackUser } from '../support/mail-stack';
import { waitUntil, type TriggerHandle } from '../support/n8n';
import { packageNodeTypes } from '../support/package-nodes';
import {
	plant,
	triggerTestFile,
	triggerThen,
	waitUntilAsync,
	type LogLine,
} from '../support/trigger-workflows';

jest.setTimeout(120_000);

const file = triggerTestFile({ ...packageNodeTypes(), 'test.fail': Fail });

/** Trigger → Check (passes every mail). */
async function start(user: string, protocol: 'imap' | 'pop3', parameters: INodeParameters) {
	return await file.start(
		user,
		protocol,
		triggerThen(parameters, [{ name: 'Check', type: 'test.fail', parameters: { fail: false } }]),
	);
}

/** An out-of-office reply marked as such (RFC 3834). */
async function plantAutoReply(user: string, subject: string) {
	await plant(user, [subject], {
		messageId: `<ooo-${user}-${Date.now()}@kunde.test>`,
		headers: { 'Auto-Submitted': 'auto-replied' },
	});
}

/** Subjects the workflow got on the trigger's first output, over all executions. */
function mailSubjects(handle: TriggerHandle): string[] {
	return handle.executions.flatMap((e) =>
		e.outputOf('Mail', 0).map((i) => i.json.subject as string),
	);
}

function skipLines(user: string): LogLine[] {
	return file.logLines(stackUser(user).address, ' skipped as ');
}

async function folderOrEmpty(user: string, folder: string) {
	return await listImap(user, folder).catch(() => []);
}

test('IMAP: an auto-reply is moved to "Skipped" with its class as keyword and a log line; the mail beside it is processed', async () => {
	const user = claimUser();
	await plantAutoReply(user, 'Abwesenheitsnotiz: bis Montag im Urlaub');
	await plant(user, ['Echte Anfrage']);
	const handle = await start(user, 'imap', { options: { pollIntervalSeconds: 1 } });
	await waitUntilAsync(
		async () =>
			(await listImap(user)).length === 0 && (await folderOrEmpty(user, 'Skipped')).length === 1,
		30_000,
		'INBOX empty, one mail in Skipped',
	);
	expect(mailSubjects(handle)).toEqual(['Echte Anfrage']);
	// The auto-reply started no run.
	expect(handle.executions.flatMap((e) => e.outputOf('Mail', 1))).toEqual([]);
	const [skipped] = await listImap(user, 'Skipped');
	expect(skipped.subject).toBe('Abwesenheitsnotiz: bis Montag im Urlaub');
	expect(skipped.flags).toContain('$MailCasesSkippedAutoReply');
	// Its attempt count does not follow it.
	expect(skipped.flags.filter((f) => f.startsWith('$MailCasesFail'))).toEqual([]);

	const [line, ...more] = skipLines(user);
	expect(more).toEqual([]);
	expect(line.level).toBe('info');
	expect(line.message).toMatch(
		/^Mail Cases Trigger: mail \d+ of .* skipped as autoReply \(no run\), goes to folder "Skipped" with keyword \$MailCasesSkippedAutoReply: subject "Abwesenheitsnotiz: bis Montag im Urlaub", from erika@kunde\.test, date \S+, Message-ID <ooo-[^>]+>, \d+ bytes; reasons: .*Auto-Submitted/,
	);
	expect(line.metadata).toMatchObject({
		class: 'autoReply',
		subject: 'Abwesenheitsnotiz: bis Montag im Urlaub',
		from: 'erika@kunde.test',
		skippedTo: 'Skipped',
	});
	// No secret of the profile in the line.
	expect(JSON.stringify(line)).not.toContain(stackUser(user).password);
});

test('IMAP: a subject keyword alone skips too, into the folder the option names', async () => {
	const user = claimUser();
	await plant(user, ['Out of Office: back on Monday']);
	const handle = await start(user, 'imap', {
		options: { pollIntervalSeconds: 1, skippedFolder: 'Automatisch' },
	});
	await waitUntilAsync(
		async () => (await folderOrEmpty(user, 'Automatisch')).length === 1,
		30_000,
		'the mail in "Automatisch"',
	);
	expect(handle.executions).toEqual([]);
	expect((await listImap(user)).length).toBe(0);
	const [line] = skipLines(user);
	expect(line.message).toMatch(/skipped as autoReply \(no run\), goes to folder "Automatisch"/);
	expect(line.metadata.reasons).toEqual(
		expect.arrayContaining([expect.stringMatching(/subject contains "Out of office"/i)]),
	);
	expect(line.message).toMatch(/reasons: .*subject contains "Out of office"/i);
});

test('IMAP: "Delete" chosen explicitly still deletes the mail, with a log line', async () => {
	const user = claimUser();
	await plantAutoReply(user, 'Automatische Antwort: nicht im Büro');
	const handle = await start(user, 'imap', {
		autoReplyAction: 'delete',
		options: { pollIntervalSeconds: 1 },
	});
	await waitUntilAsync(
		async () => skipLines(user).length === 1 && (await listImap(user)).length === 0,
		30_000,
		'the auto-reply deleted and logged',
	);
	expect(handle.executions).toEqual([]);
	expect(await folderOrEmpty(user, 'Skipped')).toEqual([]);
	const [line] = skipLines(user);
	expect(line.message).toMatch(
		/skipped as autoReply \(no run\), is deleted \(action "Delete"\): subject "Automatische Antwort: nicht im Büro"/,
	);
});

test('POP3: a skipped auto-reply cannot be moved, so it is emitted on the second output with its class', async () => {
	const user = claimUser();
	await plantAutoReply(user, 'Abwesenheitsnotiz: POP3');
	const handle = await start(user, 'pop3', { options: { pollIntervalSeconds: 1 } });
	const [run] = await handle.waitForExecutions(1, 30_000);
	expect(run.status).toBe('success');
	expect(run.outputOf('Mail', 0)).toEqual([]);
	const [item, ...others] = run.outputOf('Mail', 1);
	expect(others).toEqual([]);
	expect(item.json).toMatchObject({
		subject: 'Abwesenheitsnotiz: POP3',
		classification: { class: 'autoReply', reasons: expect.arrayContaining([expect.any(String)]) },
	});
	// Disposed of as after any successful run (default: deleted), and not run again.
	await waitUntilAsync(async () => (await listImap(user)).length === 0, 20_000, 'mailbox empty');
	expect(skipLines(user)).toEqual([]);
});

test('a saved workflow whose action is "skip" for mailing lists (not the default) moves them aside too', async () => {
	const user = claimUser();
	await plant(user, ['Newsletter Dezember'], { headers: { 'List-Id': '<news.kunde.test>' } });
	const handle = await start(user, 'imap', {
		listAction: 'skip',
		options: { pollIntervalSeconds: 1 },
	});
	await waitUntilAsync(
		async () => (await folderOrEmpty(user, 'Skipped')).length === 1,
		30_000,
		'the list mail in Skipped',
	);
	expect(handle.executions).toEqual([]);
	const [moved] = await listImap(user, 'Skipped');
	expect(moved.flags).toContain('$MailCasesSkippedList');
	expect(skipLines(user)[0].message).toMatch(
		/skipped as list \(no run\), goes to folder "Skipped"/,
	);
});

test('Exchange: an auto-reply is moved to "Skipped" and logged; the mail beside it is processed', async () => {
	const world = await startWorld();
	try {
		const mail = (subject: string, extra: string[]) =>
			Buffer.from(
				[
					'From: Erika Mustermann <erika@example.org>',
					'To: service@contoso.example',
					`Subject: ${subject}`,
					...extra,
					'Date: Mon, 05 Jan 2026 09:00:00 +0000',
					'',
					'Ich bin nicht im Büro.',
					'',
				].join('\r\n'),
			);
		world.mailbox.seed(mail('Automatische Antwort: Urlaub', ['Auto-Submitted: auto-replied']));
		world.mailbox.seed(mail('Echte Anfrage', []));
		const workflow = triggerThen({ mailboxType: 'exchange', options: { pollIntervalSeconds: 1 } }, [
			{ name: 'Check', type: 'test.fail', parameters: { fail: false } },
		]);
		const handle = await file.start('', 'imap', workflow, {
			mailCasesExchange: {
				exo: {
					tenantId: world.tenant.id,
					clientId: world.app.clientId,
					authentication: 'secret',
					clientSecret: world.secret,
					mailbox: world.mailbox.upn,
					folder: 'Inbox',
					cloud: 'custom',
					authorityHost: world.fake.origin,
					graphEndpoint: world.fake.origin,
					caCertificate: world.fake.caPem,
				},
			},
		});
		await waitUntil(
			'auto-reply in Skipped, inbox empty',
			() => world.mailbox.list('Skipped').length === 1 && world.mailbox.list('inbox').length === 0,
			20_000,
		);
		await handle.close();
		expect(mailSubjects(handle)).toEqual(['Echte Anfrage']);
		expect(world.mailbox.list('Skipped').map((m) => m.subject)).toEqual([
			'Automatische Antwort: Urlaub',
		]);
		expect(
			file.logLines(world.mailbox.upn, 'skipped as autoReply (no run), goes to folder "Skipped"'),
		).toHaveLength(1);
	} finally {
		await world.fake.stop();
	}
});
