/**
 * `runWorkflow`: runs workflow JSON once with n8n's real engine, like "Execute workflow" in the
 * editor (mode `manual`, the default) or `n8n execute` (mode `cli`).
 */
import type { IDataObject, INodeExecutionData, WorkflowExecuteMode } from 'n8n-workflow';

import {
	type HarnessInput,
	prepareWorkflow,
	startExecution,
	toResult,
	type WorkflowRunResult,
} from './execution';

export interface RunWorkflowOptions extends HarnessInput {
	/**
	 * `manual` (default) runs a trigger start node's `trigger()` in manual mode, calls its
	 * `manualTriggerFunction` and continues with what it emits first; other modes (`cli`,
	 * `trigger`, `integrated`, …) pass `[{ json: {} }]` through the start node unless
	 * `triggerData` is given.
	 */
	mode?: WorkflowExecuteMode;
	/** Start node (default: the one n8n picks, `workflow.getStartNode()`). */
	startNodeName?: string;
	/**
	 * Run as if `startNodeName` (required then) had emitted this data: how n8n runs a workflow
	 * for an event of an active trigger. Use mode `trigger` for that.
	 */
	triggerData?: INodeExecutionData[][];
}

export interface RunWorkflowResult extends WorkflowRunResult {
	/** The workflow's static data after the run (n8n keeps it per workflow). */
	staticData: IDataObject;
}

/**
 * Resolves with the finished run, also when it failed (`status: 'error'`). Rejects only when
 * the run had to be cancelled: the harness `timeoutMs` (HarnessTimeoutError) or the
 * workflow's `settings.executionTimeout` (n8n's TimeoutExecutionCancelledError).
 */
export async function runWorkflow(options: RunWorkflowOptions): Promise<RunWorkflowResult> {
	if (options.triggerData && !options.startNodeName) {
		throw new Error('runWorkflow: triggerData needs startNodeName (the node that emitted it)');
	}
	const prepared = await prepareWorkflow(options);
	const execution = startExecution(prepared, {
		mode: options.mode ?? 'manual',
		startNodeName: options.startNodeName,
		triggerData: options.triggerData,
	});
	const run = await execution.done;
	return { ...toResult(execution.executionId, run), staticData: prepared.staticData };
}
