/**
 * The shipped ticket-system template (templates/ticket-system.json) as the workflow tests run it:
 * test credentials, the trigger polling every second, sticky notes left out (they never run).
 */
import type { INodeExecutionData } from 'n8n-workflow';
import type { TriggerExecution, TriggerHandle, WorkflowJson } from './n8n';
import { loadTemplate } from './templates';

export const TICKET = {
	trigger: 'Mail Cases Trigger',
	create: 'Create Case From Mail',
	acknowledgement: 'Send Acknowledgement',
	bounces: 'Record Delivery Failure',
	quarantineAlert: 'Alert Admin',
} as const;

/**
 * `acknowledgement`: options of Send Acknowledgement to set (merged into the template's);
 * `more.trigger`: trigger options besides the test's polling ones; `more.nodes`: parameters of
 * other nodes by name (an `options` object is merged into the template's).
 */
export function ticketSystemWorkflow(
	mailsPerExecution: number,
	acknowledgement: Record<string, unknown> = {},
	more: {
		trigger?: Record<string, unknown>;
		nodes?: Record<string, Record<string, unknown>>;
	} = {},
): WorkflowJson {
	const template = loadTemplate('ticket-system', {
		credentials: {
			mailCasesMailbox: { id: 'box', name: 'Box' },
			mailCasesSmtp: { id: 'smtp', name: 'SMTP' },
		},
		store: { id: 'store', name: 'Store' },
		parameters: {
			...more.nodes,
			[TICKET.trigger]: {
				options: {
					pollIntervalSeconds: 1,
					retryDelaySeconds: 600,
					mailsPerExecution,
					...more.trigger,
				},
			},
			[TICKET.acknowledgement]: {
				...more.nodes?.[TICKET.acknowledgement],
				options: {
					...(more.nodes?.[TICKET.acknowledgement]?.options as Record<string, unknown>),
					...acknowledgement,
				},
			},
		},
	});
	return {
		...template,
		nodes: template.nodes.filter((n) => n.type !== 'n8n-nodes-base.stickyNote'),
	} as unknown as WorkflowJson;
}

/** The items `node` put on its first output over the runs (runs where it did not run: none). */
export function outputsOf(runs: TriggerExecution[], node: string): INodeExecutionData[] {
	return runs.flatMap((run) => (run.executedNodes.includes(node) ? run.outputOf(node, 0) : []));
}

/** Waits for the runs that gave `count` cases (Create Case output); every run must succeed. */
export async function runsUntilCases(
	handle: TriggerHandle,
	count: number,
): Promise<TriggerExecution[]> {
	for (let runs = 1; ; runs++) {
		const done = await handle.waitForExecutions(runs, 90_000);
		for (const run of done)
			expect({ run: run.executionId, status: run.status, error: run.error?.message }).toMatchObject(
				{ status: 'success' },
			);
		if (outputsOf(done, TICKET.create).length >= count) return done;
	}
}
