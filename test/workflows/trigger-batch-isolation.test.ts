/**
 * Batch failure isolation (issue #13.3) in n8n's engine against the real Dovecot: ten mails are
 * waiting, one of them makes the workflow fail. The run of all ten fails; each mail then runs
 * alone at once: the nine are processed and removed without waiting for the retry delay (600 s
 * here, far longer than the test), and only the failing mail is charged an attempt — one, from
 * its own solo run, on the server (IMAP keyword `$MailCasesFail1`, POP3 the workflow's static
 * data) — and waits for its retry.
 */
import { Fail } from '../fixtures/nodes/Fail.node';
import { claimUser, listImap } from '../support/mail-stack';
import type { TriggerHandle } from '../support/n8n';
import { packageNodeTypes } from '../support/package-nodes';
import { plant, triggerTestFile, triggerThen, waitUntilAsync } from '../support/trigger-workflows';

jest.setTimeout(120_000);

const file = triggerTestFile({ ...packageNodeTypes(), 'test.fail': Fail });

/** The subjects each execution got, in the order the executions finished, with its status. */
function runs(handle: TriggerHandle): Array<[string, string[]]> {
	return handle.executions.map((e) => [
		e.status,
		e.outputOf('Mail').map((i) => String(i.json.subject)),
	]);
}

describe.each(['imap', 'pop3'] as const)('over %s', (protocol) => {
	test('#13.3 a batch of 10 with one failing mail: the nine run alone at once and are removed; the failing one is counted once, from its solo run, and waits its retry', async () => {
		const user = claimUser();
		const subjects = Array.from({ length: 10 }, (_, i) =>
			i === 3 ? 'Anfrage 4 FAIL' : `Anfrage ${i + 1}`,
		);
		const nine = subjects.filter((s) => !s.includes('FAIL'));
		// All ten wait before the trigger starts: they go into one run.
		await plant(user, subjects);
		const handle = await file.start(
			user,
			protocol,
			triggerThen(
				{
					options: {
						mailsPerExecution: 10,
						// Longer than the test: a mail the test sees processed ran without waiting for it.
						retryDelaySeconds: 600,
						pollIntervalSeconds: 1,
					},
				},
				[
					{
						name: 'Check',
						type: 'test.fail',
						parameters: {
							fail: '={{ $json.subject.includes("FAIL") }}',
							message: 'Rejected by the workflow',
						},
					},
				],
			),
		);
		// The run of all ten, then one run per mail.
		await handle.waitForExecutions(11, 60_000);
		await waitUntilAsync(
			async () => (await listImap(user)).length === 1,
			20_000,
			'only the failing mail left in INBOX',
		);

		const [batch, ...solo] = runs(handle);
		expect(batch).toEqual(['error', subjects]);
		expect(solo).toEqual(
			subjects.map((s) => [s.includes('FAIL') ? 'error' : 'success', [s]] as [string, string[]]),
		);
		const [left] = await listImap(user);
		expect(left.subject).toBe('Anfrage 4 FAIL');
		if (protocol === 'imap') {
			// One attempt on the server: the batch run's count covered the solo run, nothing more.
			expect(left.flags.filter((f) => f.startsWith('$MailCasesFail'))).toEqual(['$MailCasesFail1']);
		} else {
			const state = handle.staticData['node:Mail'] as {
				pop3: { attempts: Record<string, number> };
			};
			expect(Object.values(state.pop3.attempts)).toEqual([1]);
		}
		// The nine were processed in their solo runs; the failing one waits (600 s) for its retry.
		expect(
			handle.executions
				.filter((e) => e.status === 'success')
				.flatMap((e) => e.outputOf('Check').map((i) => String(i.json.subject))),
		).toEqual(nine);
		expect(handle.executions).toHaveLength(11);
	});
});
