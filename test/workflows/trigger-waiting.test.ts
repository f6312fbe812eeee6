/**
 * Issue #13 item 7: a run that waits (a Wait node resuming on a webhook call or after more than
 * a minute, send-and-wait) ends with status `waiting`. The trigger acknowledges it: when n8n
 * resolves the done-promise of such a run it has saved the execution with its data, and it
 * resumes it from its database, not from the mailbox (see nodes/MailCasesTrigger/deliver.ts).
 * The mail is disposed of only once the run reached `waiting`, and the log names it.
 *
 * The in-process engine has no database and no wait tracker: the test resumes the waiting
 * execution the way n8n's wait tracker does — the saved execution data (here through the JSON
 * round trip the database does) handed to a new WorkflowExecute (`processRunExecutionData`),
 * which disables the waiting node and runs the rest — and checks that the rest gets the
 * trigger's data unchanged. What only real n8n shows (the wait tracker, the resume webhook)
 * belongs to the e2e tests.
 */
import { ExecutionLifecycleHooks, WorkflowExecute } from 'n8n-core';
import type { IRun, IRunExecutionData } from 'n8n-workflow';
import { HoldAndWait } from '../fixtures/nodes/HoldAndWait.node';
import { SetField } from '../fixtures/nodes/SetField.node';
import { claimUser, listImap, stackUser } from '../support/mail-stack';
import {
	buildAdditionalData,
	buildWorkflow,
	prepareWorkflow,
	toResult,
	workflowBase,
	type HarnessInput,
} from '../support/n8n/execution';
import { packageNodeTypes } from '../support/package-nodes';
import { plant, triggerTestFile, triggerThen, waitUntilAsync } from '../support/trigger-workflows';

jest.setTimeout(120_000);

const file = triggerTestFile({
	...packageNodeTypes(),
	'test.holdAndWait': HoldAndWait,
	'test.setField': SetField,
});

afterEach(() => HoldAndWait.release());

/** Mail → Wait (puts the execution to wait) → After Wait (marks the items it got). */
const workflow = triggerThen({ options: { pollIntervalSeconds: 1, includeRaw: true } }, [
	{ name: 'Wait', type: 'test.holdAndWait' },
	{ name: 'After Wait', type: 'test.setField', parameters: { field: 'resumed', value: 'yes' } },
]);

/**
 * Resumes a waiting execution as n8n's wait tracker does (packages/cli wait-tracker.ts →
 * workflow-runner.ts: `new WorkflowExecute(additionalData, mode, executionData)
 * .processRunExecutionData(workflow)` on the execution data read back from the database).
 */
async function resume(input: HarnessInput, executionId: string, waiting: IRun): Promise<IRun> {
	const prepared = await prepareWorkflow(input);
	const saved = JSON.parse(JSON.stringify(waiting.data)) as IRunExecutionData;
	const hooks = new ExecutionLifecycleHooks('trigger', executionId, workflowBase(prepared, true));
	const additionalData = buildAdditionalData(prepared, { executionId, hooks });
	return await new WorkflowExecute(additionalData, 'trigger', saved).processRunExecutionData(
		buildWorkflow(prepared, true),
	);
}

test('IMAP: a run that waits is acknowledged once it reached "waiting"; the resumed run gets the trigger\'s data intact', async () => {
	const user = claimUser();
	await plant(user, ['Bitte um Freigabe'], {
		attachments: [{ filename: 'Angebot.txt', content: 'Angebot 4711' }],
	});
	HoldAndWait.hold();
	const handle = await file.start(user, 'imap', workflow);

	// The run has reached the Wait node but is not waiting yet: the mail is still there.
	await HoldAndWait.entered;
	expect((await listImap(user)).map((m) => m.subject)).toEqual(['Bitte um Freigabe']);
	HoldAndWait.release();

	const [run] = await handle.waitForExecutions(1, 30_000);
	expect(run.status).toBe('waiting');
	expect(run.executedNodes).not.toContain('After Wait');
	await waitUntilAsync(async () => (await listImap(user)).length === 0, 20_000, 'mail disposed');
	expect(handle.executions).toHaveLength(1);

	const [trigger] = run.outputOf('Mail');
	const { key } = trigger.json.mailbox as { key: string };
	const waitingLines = file.logLines(stackUser(user).address, `mail ${key} of `);
	expect(waitingLines.map((l) => [l.level, l.message])).toEqual([
		[
			'info',
			expect.stringMatching(
				/^Mail Cases Trigger: the run for mail \d+ of .* is waiting until it is resumed \(webhook, form\); n8n has saved the execution and resumes it from its database, so the mail is disposed of now: subject "Bitte um Freigabe", from erika@kunde\.test, /,
			),
		],
	]);

	// Later the execution is resumed from what n8n saved, and finishes with the mail's data.
	const input = file.input(user, 'imap', workflow);
	const finished = toResult(run.executionId, await resume(input, run.executionId, run.run));
	expect(finished.status).toBe('success');
	const [after] = finished.outputOf('After Wait');
	expect(after.json).toEqual({ ...trigger.json, resumed: 'yes' });
	expect(after.binary?.attachment_0).toEqual(trigger.binary?.attachment_0);
	expect(after.binary?.message).toEqual(trigger.binary?.message);
	expect(Buffer.from(after.binary!.attachment_0.data, 'base64').toString()).toBe('Angebot 4711');
});

test('IMAP: a run that waits for a time is logged with the time it resumes', async () => {
	const user = claimUser();
	await plant(user, ['Morgen nachfassen']);
	const timed = triggerThen({ options: { pollIntervalSeconds: 1 } }, [
		{ name: 'Wait', type: 'test.holdAndWait', parameters: { minutes: 90 } },
	]);
	const before = Date.now();
	const handle = await file.start(user, 'imap', timed);
	const [run] = await handle.waitForExecutions(1, 30_000);
	expect(run.status).toBe('waiting');
	await waitUntilAsync(async () => (await listImap(user)).length === 0, 20_000, 'mail disposed');
	const [line] = file.logLines(stackUser(user).address, ' is waiting until ');
	const until = /is waiting until (\S+);/.exec(line.message)?.[1];
	expect(Date.parse(until!) - before).toBeGreaterThanOrEqual(90 * 60_000);
	expect(line.message).toContain('subject "Morgen nachfassen"');
});
