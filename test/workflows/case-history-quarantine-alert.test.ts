/**
 * #14.5 Templates that alert — the ticket-system template (templates/ticket-system.json) in n8n's
 * real engine with the real Postfix → Dovecot: a mail whose run fails (here: Create Case From Mail
 * names a case workflow that does not exist) is quarantined after its last attempt, and the
 * trigger's quarantine output sends Alert Admin's mail through the SMTP profile with the report's
 * subject, sender, date, Message-ID, size, reason and kind.
 *
 * Loop-safe, in the worst case: the admin address is the support mailbox itself. The alert comes
 * back to the trigger, is taken for automatic mail (Auto-Submitted: auto-generated) and set aside
 * in Skipped — it opens no case, fails no run and raises no second alert. The sender of the
 * quarantined mail gets nothing; a reply to the alert would go to the admin (Reply-To).
 */
import type { ICredentialDataDecryptedObject, IDataObject } from 'n8n-workflow';
import { closeAllStores, getStore } from '../../lib/store';
import { storeConfigFrom } from '../../nodes/shared/store';
import { mailboxCredentialData, smtpCredentialData } from '../support/credential-data';
import { claimUser, deliver, listImap, stackUser, waitForMail } from '../support/mail-stack';
import {
	shutdownN8nEngine,
	startTrigger,
	type TriggerExecution,
	type TriggerHandle,
} from '../support/n8n';
import { packageCredentialTypes, packageNodeTypes } from '../support/package-nodes';
import { testStore } from '../support/test-stores';
import { outputsOf, TICKET, ticketSystemWorkflow } from '../support/ticket-template';

jest.setTimeout(180_000);

const nodeTypes = packageNodeTypes();
const credentialTypes = packageCredentialTypes();
const handles: TriggerHandle[] = [];
const store = testStore('sqlite', 'mc_alert');

afterAll(async () => {
	for (const handle of handles.splice(0)) await handle.close();
	await closeAllStores();
	await store.drop();
	await shutdownN8nEngine();
});

const addr = (user: string) => stackUser(user).address;

test('a quarantined mail alerts the admin with its report; the alert itself is set aside, not processed', async () => {
	const support = claimUser();
	const customer = claimUser();
	const storeCredential = store.credential as ICredentialDataDecryptedObject;
	const s = await getStore(storeConfigFrom(storeCredential));
	await s.orgUnits.create({ name: 'Kundenservice', kind: 'org_unit', members: [] });

	const messageId = `<alert-${process.pid}@kunde.example>`;
	await deliver(
		support,
		Buffer.from(
			[
				`From: "Erika Schulz" <${addr(customer)}>`,
				`To: ${addr(support)}`,
				'Subject: Bestellung über 500 €',
				`Message-ID: ${messageId}`,
				'Date: Sat, 05 Dec 2026 09:30:00 +0000',
				'MIME-Version: 1.0',
				'Content-Type: text/plain; charset=utf-8',
				'',
				'Bitte um Rückruf.',
				'',
			].join('\r\n'),
		),
		{ from: addr(customer) },
	);
	const handle = await startTrigger({
		workflow: ticketSystemWorkflow(
			1,
			{},
			{
				trigger: { maxAttempts: 1 },
				nodes: {
					// every new case fails: no such case workflow
					[TICKET.create]: { workflow: 'Gibt es nicht' },
					// the worst case for loops: the alert goes to the support mailbox itself
					[TICKET.quarantineAlert]: { to: addr(support) },
				},
			},
		),
		nodeTypes,
		credentialTypes,
		credentials: {
			mailCasesMailbox: { box: mailboxCredentialData(support) },
			mailCasesSmtp: { smtp: smtpCredentialData(support, { isDefault: true }) },
			mailCasesStore: { store: storeCredential },
		},
		triggerNodeName: TICKET.trigger,
		timeoutMs: 90_000,
	});
	handles.push(handle);

	// The failed run, then the run of the quarantine report through Alert Admin.
	const ran = (runs: TriggerExecution[]) => outputsOf(runs, TICKET.quarantineAlert).length > 0;
	let runs: TriggerExecution[] = [];
	for (let count = 1; !ran(runs); count++) runs = await handle.waitForExecutions(count, 90_000);
	expect(runs.map((r) => r.status)).toEqual(['error', 'success']);
	const report = runs[1].outputOf(TICKET.trigger, 2)[0].json;
	expect(report).toMatchObject({ kind: 'failed', messageId, from: addr(customer) });
	const [sent] = outputsOf(runs, TICKET.quarantineAlert);
	expect(sent.json).toMatchObject({ sent: true, accepted: [addr(support)] });

	// The alert came back to the support mailbox: set aside as automatic mail.
	const alert = await waitForMail(
		support,
		(m) => m.subject.includes('quarantined'),
		30_000,
		'Skipped',
	);
	expect(alert.subject).toBe(
		`[Mail Cases] Mail quarantined (failed): Bestellung über 500 € from ${addr(customer)}`,
	);
	expect(alert.to).toEqual([addr(support)]);
	expect(alert.parsed.headers.get('auto-submitted')).toBe('auto-generated');
	expect(alert.parsed.replyTo?.value.map((a) => a.address)).toEqual([addr(support)]);
	expect(alert.parsed.inReplyTo).toBeUndefined();
	const size = String((report as IDataObject).size);
	for (const line of [
		'Subject:    Bestellung über 500 €',
		`From:       Erika Schulz <${addr(customer)}>`,
		'Date:       2026-12-05T09:30:00.000Z',
		`Message-ID: ${messageId}`,
		`Size:       ${size} bytes`,
		`Reason:     ${String(report.reason)}`,
	])
		expect(alert.text).toContain(line);
	expect(alert.text).toContain('kind: failed');
	expect(alert.flags.some((f) => /skipped/i.test(f))).toBe(true);

	// Nothing else happened: one quarantined mail, no second alert, no case, the sender not told.
	expect((await listImap(support, 'Quarantine')).map((m) => m.messageId)).toEqual([messageId]);
	expect(await listImap(support)).toEqual([]);
	expect(await listImap(customer)).toEqual([]);
	expect(await s.cases.count()).toBe(0);
	const after = handle.executions;
	expect(outputsOf(after, TICKET.quarantineAlert)).toHaveLength(1);
	expect(after.filter((r) => r.status !== 'success')).toHaveLength(1);
});
