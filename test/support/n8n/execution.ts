/**
 * One execution of a workflow by n8n-core's `WorkflowExecute`, with the surroundings n8n's
 * server gives it in regular (non-queue) mode, packages/cli 2.41.1:
 *  - workflow-runner.js `runMainProcess`: a fresh `Workflow` per execution, base
 *    `additionalData` (workflow-execute-additional-data.js `getBase`) plus lifecycle hooks,
 *    `WorkflowExecute.run` (manual-execution.service.js `runManually`) or, for data a trigger
 *    emitted, `processRunExecutionData` on a stack holding the trigger node and that data
 *    (workflows/workflow-execution.service.js `runWorkflow`);
 *  - the "post-execute promise" (active-executions.js): it RESOLVES with the run, also when the
 *    run failed (`status: 'error'`, `data.resultData.error`) and when the engine itself threw
 *    (workflow-runner.js `processError` builds such a run); it REJECTS only when the execution
 *    is stopped, e.g. by its timeout (`stopExecution` → `TimeoutExecutionCancelledError`).
 */
import { randomUUID } from 'node:crypto';

import { ExecutionLifecycleHooks, ExternalSecretsProxy, WorkflowExecute } from 'n8n-core';
import type {
	ExecutionError,
	ExecutionStatus,
	IConnections,
	IDataObject,
	IExecuteResponsePromiseData,
	INode,
	INodeExecutionData,
	IPinData,
	IRun,
	IWorkflowBase,
	IWorkflowExecuteAdditionalData,
	IWorkflowSettings,
	WorkflowExecuteMode,
} from 'n8n-workflow';
import {
	createRunExecutionData,
	TimeoutExecutionCancelledError,
	UnexpectedError,
	Workflow,
} from 'n8n-workflow';

import {
	type CredentialsMap,
	type CredentialTypeInput,
	HarnessCredentialsHelper,
} from './credentials';
import { Container, getGlobalConfig, initN8nEngine } from './engine';
import { HarnessNodeTypes, type NodeTypeMap } from './node-types';

/** A node as exported from the editor; `id`, `typeVersion`, `position`, `parameters` optional. */
export type WorkflowNodeJson = Omit<INode, 'id' | 'typeVersion' | 'position' | 'parameters'> &
	Partial<Pick<INode, 'id' | 'typeVersion' | 'position' | 'parameters'>>;

/** Workflow JSON as exported from the n8n editor (extra fields are ignored). */
export interface WorkflowJson {
	id?: string;
	name?: string;
	nodes: WorkflowNodeJson[];
	connections: IConnections;
	settings?: IWorkflowSettings;
	staticData?: IDataObject | null;
	pinData?: IPinData;
}

export interface HarnessInput {
	workflow: WorkflowJson;
	/** Node classes (or instances) by the type names used in the JSON. */
	nodeTypes: NodeTypeMap | HarnessNodeTypes;
	/** Decrypted credential data: `{ [credentialType]: { [credentialId]: data } }`. */
	credentials?: CredentialsMap;
	/** Credential type classes, to fill in their property defaults as n8n does. */
	credentialTypes?: CredentialTypeInput[];
	/**
	 * Upper bound for one execution, default 30 000 ms. When it passes the execution is
	 * cancelled, as n8n cancels one that exceeds its `executionTimeout`.
	 */
	timeoutMs?: number;
}

/** What a harness run gives back. */
export interface WorkflowRunResult {
	executionId: string;
	status: ExecutionStatus;
	/** `run.data.resultData.error`: the error that ended the run (a plain-object copy). */
	error?: ExecutionError;
	run: IRun;
	/** Names of the nodes that ran, in order of their first run. */
	executedNodes: string[];
	/**
	 * Items on output `outputIndex` of the node's run `runIndex`. An output the node left empty
	 * gives `[]`; a node that did not run throws (so a typo cannot pass as "no items").
	 */
	outputOf(nodeName: string, outputIndex?: number, runIndex?: number): INodeExecutionData[];
	/** The error a node ended with (also with continueOnFail it is not set; see n8n's runData). */
	nodeError(nodeName: string, runIndex?: number): ExecutionError | undefined;
}

/** Everything fixed for a workflow across its executions. */
export interface PreparedWorkflow {
	workflowId: string;
	json: WorkflowJson;
	nodeTypes: HarnessNodeTypes;
	credentialsHelper: HarnessCredentialsHelper;
	/** Shared by all executions and the trigger, as n8n keeps one per workflow. */
	staticData: IDataObject;
	timeoutMs: number;
}

export const DEFAULT_TIMEOUT_MS = 30_000;

/** n8n's `EXECUTION_ENDED_WITHOUT_RESPONSE` (packages/cli webhooks/constants.js). */
export const EXECUTION_ENDED_WITHOUT_RESPONSE: IExecuteResponsePromiseData = Object.freeze({});

let executionCounter = 0;
let workflowCounter = 0;

/** Normalises the JSON (ids, versions, positions), builds registries, prepares the engine. */
export async function prepareWorkflow(input: HarnessInput): Promise<PreparedWorkflow> {
	await initN8nEngine();
	const json = structuredClone(input.workflow);
	json.nodes = json.nodes.map((node) => ({
		...node,
		id: node.id ?? randomUUID(),
		typeVersion: node.typeVersion ?? 1,
		position: node.position ?? [0, 0],
		parameters: node.parameters ?? {},
	}));
	// The editor saves new workflows with `executionOrder: 'v1'`; without it n8n falls back to
	// the legacy v0 order, which no exported workflow of ours uses.
	json.settings = { executionOrder: 'v1', ...(json.settings ?? {}) };
	const nodeTypes = HarnessNodeTypes.from(input.nodeTypes);
	for (const node of json.nodes) nodeTypes.getByName(node.type); // unknown types fail here
	return {
		workflowId: json.id ?? `harness-${++workflowCounter}`,
		json,
		nodeTypes,
		credentialsHelper: new HarnessCredentialsHelper(input.credentials, input.credentialTypes),
		staticData: structuredClone(json.staticData ?? {}),
		timeoutMs: input.timeoutMs ?? DEFAULT_TIMEOUT_MS,
	};
}

/** A fresh `Workflow` (n8n builds one per execution and one for the activation). */
export function buildWorkflow(prepared: PreparedWorkflow, active: boolean): Workflow {
	const json = structuredClone(prepared.json);
	return new Workflow({
		id: prepared.workflowId,
		name: json.name ?? prepared.workflowId,
		nodes: json.nodes as INode[],
		connections: json.connections,
		active,
		nodeTypes: prepared.nodeTypes,
		staticData: prepared.staticData,
		settings: json.settings,
		pinData: json.pinData,
	});
}

export function workflowBase(prepared: PreparedWorkflow, active: boolean): IWorkflowBase {
	const now = new Date();
	return {
		id: prepared.workflowId,
		name: prepared.json.name ?? prepared.workflowId,
		active,
		isArchived: false,
		activeVersionId: active ? 'harness' : null,
		createdAt: now,
		updatedAt: now,
		nodes: prepared.json.nodes as INode[],
		connections: prepared.json.connections,
		settings: prepared.json.settings,
		staticData: prepared.staticData,
		pinData: prepared.json.pinData,
	};
}

/** The base `additionalData` of n8n's server (`getBase`), with our credentials helper. */
export function buildAdditionalData(
	prepared: PreparedWorkflow,
	options: {
		executionId?: string;
		hooks?: ExecutionLifecycleHooks;
		executionTimeoutTimestamp?: number;
	} = {},
): IWorkflowExecuteAdditionalData {
	const endpoints = getGlobalConfig().endpoints as Record<string, string>;
	const base = 'http://localhost:5678/'; // n8n's default WEBHOOK_URL / instance URL
	const url = (endpoint: string) => base + endpoint;
	return {
		currentNodeExecutionIndex: 0,
		credentialsHelper: prepared.credentialsHelper,
		executeWorkflow: async () => {
			throw new Error('Sub-workflow execution is not supported by the test harness');
		},
		getRunExecutionData: async () => undefined,
		getRuntimeCredential: async () => undefined,
		restApiUrl: url(endpoints.rest),
		instanceBaseUrl: base,
		formWaitingBaseUrl: url(endpoints.formWaiting),
		formBaseUrl: url(endpoints.form),
		formTestBaseUrl: url(endpoints.formTest),
		webhookBaseUrl: url(endpoints.webhook),
		webhookWaitingBaseUrl: url(endpoints.webhookWaiting),
		webhookTestBaseUrl: url(endpoints.webhookTest),
		mcpBaseUrl: url(endpoints.mcp),
		mcpTestBaseUrl: url(endpoints.mcpTest),
		executionTimeoutTimestamp: options.executionTimeoutTimestamp,
		workflowId: prepared.workflowId,
		executionId: options.executionId,
		hooks: options.hooks,
		workflowSettings: prepared.json.settings,
		variables: {},
		setExecutionStatus: () => undefined,
		sendDataToUI: () => undefined,
		logAiEvent: () => undefined,
		startRunnerTask: async () => {
			throw new Error('Task runners (Code node) are not available in the test harness');
		},
		externalSecretsProxy: Container.get(ExternalSecretsProxy),
	};
}

/** The run n8n records when the engine itself failed (workflow-runner.js `processError`). */
function crashedRun(error: Error, mode: WorkflowExecuteMode, startedAt: Date): IRun {
	return {
		data: createRunExecutionData({
			resultData: {
				error: { ...error, message: error.message, stack: error.stack } as ExecutionError,
				runData: {},
			},
		}),
		finished: false,
		mode,
		startedAt,
		stoppedAt: new Date(),
		status: 'error',
		storedAt: 'db',
	};
}

export interface ExecutionRequest {
	mode: WorkflowExecuteMode;
	/** Start here (default: n8n's `workflow.getStartNode()`). */
	startNodeName?: string;
	/** Data emitted by the start node (trigger path): the node is not run, its output is this. */
	triggerData?: INodeExecutionData[][];
	/** The node object the trigger path puts on the stack (n8n passes the activation's node). */
	triggerNode?: INode;
	/** Resolves a trigger's `responsePromise` (hook `sendResponse`). */
	onResponse?: (response: IExecuteResponsePromiseData) => void;
}

export interface StartedExecution {
	executionId: string;
	/** The post-execute promise: see the file comment for when it resolves and rejects. */
	done: Promise<IRun>;
	/** Stops the execution as n8n's `stopExecution` does. */
	stop(error: Error): void;
}

export class HarnessTimeoutError extends Error {
	constructor(executionId: string, timeoutMs: number) {
		super(`Execution ${executionId} did not finish within ${timeoutMs} ms; it was cancelled`);
		this.name = 'HarnessTimeoutError';
	}
}

/** Starts one execution; never throws (a failing start becomes an error run). */
export function startExecution(
	prepared: PreparedWorkflow,
	request: ExecutionRequest,
): StartedExecution {
	const executionId = String(++executionCounter);
	const startedAt = new Date();
	const active = request.mode !== 'manual';
	const hooks = new ExecutionLifecycleHooks(
		request.mode,
		executionId,
		workflowBase(prepared, active),
	);
	if (request.onResponse) hooks.addHandler('sendResponse', request.onResponse);

	// n8n: settings.executionTimeout (seconds) → deadline checked between nodes + a timer that
	// stops the execution. Our own bound is the harness timeout.
	const settingTimeoutMs = (prepared.json.settings?.executionTimeout ?? -1) * 1000;
	const additionalData = buildAdditionalData(prepared, {
		executionId,
		hooks,
		executionTimeoutTimestamp: settingTimeoutMs > 0 ? Date.now() + settingTimeoutMs : undefined,
	});

	let settle!: { resolve: (run: IRun) => void; reject: (error: Error) => void };
	const done = new Promise<IRun>((resolve, reject) => {
		settle = { resolve, reject };
	});
	let finished = false;
	const finish = (outcome: { run: IRun } | { error: Error }) => {
		if (finished) return;
		finished = true;
		clearTimeout(settingTimer);
		clearTimeout(harnessTimer);
		if ('run' in outcome) settle.resolve(outcome.run);
		else settle.reject(outcome.error);
	};

	let cancel: () => void = () => undefined;
	const stop = (error: Error) => {
		if (finished) return;
		cancel();
		finish({ error });
	};
	const settingTimer =
		settingTimeoutMs > 0
			? setTimeout(() => stop(new TimeoutExecutionCancelledError(executionId)), settingTimeoutMs)
			: undefined;
	const harnessTimer = setTimeout(
		() => stop(new HarnessTimeoutError(executionId, prepared.timeoutMs)),
		prepared.timeoutMs,
	);

	try {
		const workflow = buildWorkflow(prepared, active);
		const engine = (() => {
			if (request.triggerData) {
				const node = request.triggerNode ?? workflow.getNode(request.startNodeName ?? '');
				if (!node) throw new UnexpectedError(`No trigger node "${request.startNodeName}"`);
				const runExecutionData = createRunExecutionData({
					executionData: {
						nodeExecutionStack: [{ node, data: { main: request.triggerData }, source: null }],
					},
				});
				return new WorkflowExecute(
					additionalData,
					request.mode,
					runExecutionData,
				).processRunExecutionData(workflow);
			}
			const startNode = request.startNodeName ? workflow.getNode(request.startNodeName) : undefined;
			if (request.startNodeName && !startNode) {
				throw new UnexpectedError(`No node "${request.startNodeName}" in the workflow`);
			}
			return new WorkflowExecute(additionalData, request.mode).run({
				workflow,
				startNode: startNode ?? undefined,
				pinData: prepared.json.pinData,
			});
		})();
		cancel = () => engine.cancel();
		engine.then(
			(run) => {
				// n8n: resolveExecutionResponsePromise; a response already sent stays as it was.
				request.onResponse?.(EXECUTION_ENDED_WITHOUT_RESPONSE);
				finish({ run });
			},
			(error: unknown) => finish({ run: crashedRun(toError(error), request.mode, startedAt) }),
		);
	} catch (error) {
		finish({ run: crashedRun(toError(error), request.mode, startedAt) });
	}

	return { executionId, done, stop };
}

export function toError(value: unknown): Error {
	return value instanceof Error ? value : new Error(String(value));
}

export function toResult(executionId: string, run: IRun): WorkflowRunResult {
	const runData = run.data.resultData.runData;
	const taskOf = (nodeName: string, runIndex: number) => {
		const task = runData[nodeName]?.[runIndex];
		if (!task) {
			const ran = Object.keys(runData);
			throw new Error(
				`Node "${nodeName}" has no run ${runIndex} in execution ${executionId} (nodes that ran: ${ran.join(', ') || 'none'})`,
			);
		}
		return task;
	};
	return {
		executionId,
		status: run.status,
		error: run.data.resultData.error,
		run,
		executedNodes: Object.keys(runData),
		outputOf(nodeName, outputIndex = 0, runIndex = 0) {
			return taskOf(nodeName, runIndex).data?.main?.[outputIndex] ?? [];
		},
		nodeError(nodeName, runIndex = 0) {
			return taskOf(nodeName, runIndex).error;
		},
	};
}
