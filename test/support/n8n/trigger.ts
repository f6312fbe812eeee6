/**
 * `startTrigger`: activates a trigger node the way n8n 2.41.1's server does for an active
 * workflow, and runs the workflow for every `this.emit(...)`.
 *
 * Server code mirrored (npm package n8n@2.41.1, dist/; sources under packages/cli/src/):
 *  - workflows/triggers/non-webhook-trigger-registrar: n8n-core's `ActiveWorkflowTriggers
 *    .addTriggers(workflowId, workflow, [nodeId], additionalData, 'trigger', activation, …)`,
 *    which calls `TriggersAndPollers.runTriggerFunction` → the node's `trigger()` with a
 *    `TriggerContext`; deactivation is `removeTriggers` → the node's `closeFunction`.
 *  - workflows/triggers/trigger-execution-context.factory `getExecuteTriggerFunctions`: the
 *    `TriggerContext` gets `emit`, `emitError`, `saveFailedExecution` of the server:
 *      emit → `WorkflowExecutionService.runWorkflow` (the trigger node with the emitted data
 *      on the execution stack) and, with a donePromise, `settleDonePromise`: it resolves with
 *      the finished IRun — for a failed run too (status 'error', data.resultData.error) — with
 *      `undefined` when a duplicate `deduplicationKey` skipped the run, and rejects only when
 *      the execution never started or was stopped (timeout, shutdown).
 *      emitError → workflows/triggers/workflow-trigger-activator `recoverFromRuntimeTriggerFailure`:
 *      deregister the trigger (closeFunction), record the activation error, then register it
 *      again (first attempt at once; the server retries up to 5 times with backoff, the harness
 *      tries once and records a failure in `activationErrors`).
 *      saveFailedExecution → an error execution is stored (here: recorded in `failedExecutions`).
 *  - concurrency/concurrency-control.service: `trigger` executions count against the production
 *    limit (N8N_CONCURRENCY_PRODUCTION_LIMIT, default -1 = unlimited); queued executions wait
 *    FIFO. `productionConcurrencyLimit` simulates it.
 *
 * Mode `manual` is the editor's "Execute workflow" with a trigger start node: WorkflowExecute
 * itself calls `trigger()` in manual mode, then `manualTriggerFunction`, takes the FIRST emit as
 * the trigger's output, runs the rest and calls `closeFunction`; the donePromise is resolved by
 * a `workflowExecuteAfter` hook (n8n-core triggers-and-pollers.js). One execution at most.
 */
import {
	ActiveWorkflowTriggers,
	type IGetExecutePollFunctions,
	type IGetExecuteTriggerFunctions,
	TriggerContext,
} from 'n8n-core';
import type {
	ExecutionError,
	IDataObject,
	IExecuteResponsePromiseData,
	INode,
	INodeExecutionData,
	IRun,
	ITriggerFunctions,
	WorkflowActivateMode,
} from 'n8n-workflow';

import { Container } from './engine';
import {
	buildAdditionalData,
	buildWorkflow,
	type HarnessInput,
	prepareWorkflow,
	type PreparedWorkflow,
	startExecution,
	type StartedExecution,
	toError,
	toResult,
	type WorkflowRunResult,
} from './execution';

export interface StartTriggerOptions extends HarnessInput {
	triggerNodeName: string;
	/** `trigger` (default): an active workflow. `manual`: the editor's test run. */
	mode?: 'trigger' | 'manual';
	/** How the workflow got active (`getActivationMode()`), default `activate`. */
	activation?: WorkflowActivateMode;
	/** After `emitError`, register the trigger again as the server does (default true). */
	reactivateOnEmitError?: boolean;
	/** N8N_CONCURRENCY_PRODUCTION_LIMIT for this workflow's trigger executions; -1 = none. */
	productionConcurrencyLimit?: number;
}

export interface TriggerExecution extends WorkflowRunResult {
	/** 0 for the first `emit`, 1 for the second, … */
	emitIndex: number;
}

export interface CancelledExecution {
	emitIndex: number;
	executionId: string;
	error: Error;
}

export interface TriggerHandle {
	readonly workflowId: string;
	/** Finished executions, in the order they finished. */
	readonly executions: TriggerExecution[];
	/** Executions stopped before they finished (timeouts, `close()` in manual mode). */
	readonly cancelledExecutions: CancelledExecution[];
	/** How many times the node called `emit`. */
	readonly emitted: number;
	/** Emits skipped because their `deduplicationKey` had been used (no execution ran). */
	readonly skippedDuplicates: number;
	/** Errors the node reported with `emitError`. */
	readonly errors: Error[];
	/** Errors the node reported with `saveFailedExecution`. */
	readonly failedExecutions: ExecutionError[];
	/** Failed re-activations after `emitError`. */
	readonly activationErrors: Error[];
	/** How often `trigger()` was called (1 + re-activations). */
	readonly activations: number;
	/** Whether the trigger is registered (its closeFunction not yet called). */
	readonly active: boolean;
	/** The workflow's static data, shared by the trigger and all executions. */
	readonly staticData: IDataObject;
	/** Resolves once `count` executions finished; rejects after `timeoutMs` (default 10 s). */
	waitForExecutions(count: number, timeoutMs?: number): Promise<TriggerExecution[]>;
	/** Resolves once the node reported `count` errors with `emitError`. */
	waitForErrors(count: number, timeoutMs?: number): Promise<Error[]>;
	/** Deactivates (closeFunction), then waits for executions still running. */
	close(): Promise<void>;
}

type EmitArgs = Parameters<ITriggerFunctions['emit']>;
type ResponsePromise = EmitArgs[1];
type DonePromise = EmitArgs[2];

/** A FIFO limit like n8n's ConcurrencyQueue. */
class ConcurrencyLimit {
	private running = 0;
	private readonly queue: Array<() => void> = [];

	constructor(private readonly limit: number) {}

	async acquire(): Promise<void> {
		if (this.limit < 0 || this.running < this.limit) {
			this.running++;
			return;
		}
		await new Promise<void>((resolve) => this.queue.push(resolve));
	}

	release(): void {
		if (this.limit < 0) return;
		const next = this.queue.shift();
		if (next) next();
		else this.running--;
	}
}

class Handle implements TriggerHandle {
	readonly executions: TriggerExecution[] = [];
	readonly cancelledExecutions: CancelledExecution[] = [];
	readonly errors: Error[] = [];
	readonly failedExecutions: ExecutionError[] = [];
	readonly activationErrors: Error[] = [];
	emitted = 0;
	skippedDuplicates = 0;
	activations = 0;
	closeImpl: () => Promise<void> = async () => undefined;
	isActive: () => boolean = () => false;
	private readonly inFlight = new Set<Promise<unknown>>();
	private readonly listeners = new Set<() => void>();

	constructor(readonly prepared: PreparedWorkflow) {}

	get workflowId(): string {
		return this.prepared.workflowId;
	}

	get staticData(): IDataObject {
		return this.prepared.staticData;
	}

	get active(): boolean {
		return this.isActive();
	}

	changed(): void {
		for (const listener of [...this.listeners]) listener();
	}

	track<T>(promise: Promise<T>): Promise<T> {
		this.inFlight.add(promise);
		const forget = () => this.inFlight.delete(promise);
		promise.then(forget, forget);
		return promise;
	}

	async settled(): Promise<void> {
		while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
	}

	/** Records the outcome of one execution; returns what the donePromise settles with. */
	async follow(emitIndex: number, execution: StartedExecution): Promise<IRun> {
		try {
			const run = await execution.done;
			this.executions.push({ ...toResult(execution.executionId, run), emitIndex });
			return run;
		} catch (error) {
			this.cancelledExecutions.push({
				emitIndex,
				executionId: execution.executionId,
				error: toError(error),
			});
			throw error;
		} finally {
			this.changed();
		}
	}

	private async waitFor<T>(
		what: string,
		ready: () => T | undefined,
		timeoutMs: number,
	): Promise<T> {
		const now = ready();
		if (now !== undefined) return now;
		return await new Promise<T>((resolve, reject) => {
			const listener = () => {
				const value = ready();
				if (value === undefined) return;
				clearTimeout(timer);
				this.listeners.delete(listener);
				resolve(value);
			};
			const timer = setTimeout(() => {
				this.listeners.delete(listener);
				reject(
					new Error(
						`Timed out after ${timeoutMs} ms waiting for ${what}: emitted ${this.emitted}, ` +
							`finished ${this.executions.length}, cancelled ${this.cancelledExecutions.length}, ` +
							`emitError ${this.errors.length}` +
							(this.errors.length ? ` (last: ${this.errors[this.errors.length - 1].message})` : ''),
					),
				);
			}, timeoutMs);
			this.listeners.add(listener);
		});
	}

	async waitForExecutions(count: number, timeoutMs = 10_000): Promise<TriggerExecution[]> {
		return await this.waitFor(
			`${count} finished execution(s)`,
			() => (this.executions.length >= count ? [...this.executions] : undefined),
			timeoutMs,
		);
	}

	async waitForErrors(count: number, timeoutMs = 10_000): Promise<Error[]> {
		return await this.waitFor(
			`${count} emitError call(s)`,
			() => (this.errors.length >= count ? [...this.errors] : undefined),
			timeoutMs,
		);
	}

	async close(): Promise<void> {
		await this.closeImpl();
		await this.settled();
	}
}

export async function startTrigger(options: StartTriggerOptions): Promise<TriggerHandle> {
	const prepared = await prepareWorkflow(options);
	const handle = new Handle(prepared);
	if (options.mode === 'manual') {
		startManual(handle, options.triggerNodeName);
	} else {
		await activate(handle, options);
	}
	return handle;
}

function startManual(handle: Handle, triggerNodeName: string): void {
	const execution = startExecution(handle.prepared, {
		mode: 'manual',
		startNodeName: triggerNodeName,
	});
	let running = true;
	handle.isActive = () => running;
	const followed = handle.track(handle.follow(0, execution)).then(
		(run) => {
			if (run.data.resultData.runData[triggerNodeName]?.[0]?.data) handle.emitted = 1;
		},
		() => undefined,
	);
	void followed.finally(() => {
		running = false;
	});
	handle.activations = 1;
	handle.closeImpl = async () => {
		// Like "stop listening" in the editor: cancelling aborts the run, and the engine calls
		// the trigger's closeFunction on that abort.
		if (running) execution.stop(new Error('Manual trigger execution stopped by close()'));
		await followed;
	};
}

async function activate(handle: Handle, options: StartTriggerOptions): Promise<void> {
	const { prepared } = handle;
	const activation = options.activation ?? 'activate';
	const workflow = buildWorkflow(prepared, true);
	const triggerNode = workflow.getNode(options.triggerNodeName);
	if (!triggerNode) {
		throw new Error(`startTrigger: no node "${options.triggerNodeName}" in the workflow`);
	}
	const nodeType = prepared.nodeTypes.getByNameAndVersion(
		triggerNode.type,
		triggerNode.typeVersion,
	);
	if (!nodeType.trigger) {
		throw new Error(
			`startTrigger: node "${triggerNode.name}" (${triggerNode.type}) has no trigger() method`,
		);
	}
	const additionalData = buildAdditionalData(prepared);
	const activeTriggers = Container.get(ActiveWorkflowTriggers);
	const limit = new ConcurrencyLimit(options.productionConcurrencyLimit ?? -1);
	const usedDeduplicationKeys = new Set<string>();

	const emit = (
		node: INode,
		data: INodeExecutionData[][],
		responsePromise: ResponsePromise,
		donePromise: DonePromise,
		deduplicationKey?: string,
	) => {
		const emitIndex = handle.emitted++;
		handle.changed();
		if (deduplicationKey !== undefined && usedDeduplicationKeys.has(deduplicationKey)) {
			handle.skippedDuplicates++;
			// n8n resolves the donePromise with `undefined` here (typed IRun for nodes).
			donePromise?.resolve(undefined as unknown as IRun);
			return;
		}
		if (deduplicationKey !== undefined) usedDeduplicationKeys.add(deduplicationKey);

		const outcome = handle.track(
			(async () => {
				await limit.acquire();
				try {
					const execution = startExecution(prepared, {
						mode: 'trigger',
						triggerData: data,
						triggerNode: node,
						onResponse: (response: IExecuteResponsePromiseData) =>
							responsePromise?.resolve(response),
					});
					return await handle.follow(emitIndex, execution);
				} finally {
					limit.release();
				}
			})(),
		);
		if (donePromise) {
			outcome.then(donePromise.resolve, (error: unknown) => donePromise.reject(toError(error)));
		} else {
			outcome.catch(() => undefined); // recorded in cancelledExecutions
		}
	};

	let recovery: Promise<void> = Promise.resolve();
	const register = async () => {
		handle.activations++;
		await activeTriggers.addTriggers(
			prepared.workflowId,
			workflow,
			[triggerNode.id],
			additionalData,
			'trigger',
			activation,
			getTriggerFunctions,
			getPollFunctions,
		);
	};
	const deregister = async () => {
		if (!handle.isActive()) return;
		await activeTriggers.removeTriggers(prepared.workflowId, new Set([triggerNode.id]));
	};

	const emitError = (error: Error) => {
		handle.errors.push(error);
		handle.changed();
		recovery = recovery.then(async () => {
			try {
				await deregister();
				if (options.reactivateOnEmitError ?? true) await register();
			} catch (reactivationError) {
				handle.activationErrors.push(toError(reactivationError));
			} finally {
				handle.changed();
			}
		});
		handle.track(recovery);
	};

	const getTriggerFunctions: IGetExecuteTriggerFunctions = (
		wf,
		node,
		nodeAdditionalData,
		mode,
		activationMode,
	) =>
		new TriggerContext(
			wf,
			node,
			nodeAdditionalData,
			mode,
			activationMode,
			(data, responsePromise, donePromise, deduplicationKey) =>
				emit(node, data, responsePromise, donePromise, deduplicationKey),
			emitError,
			(error) => {
				handle.failedExecutions.push(error);
				handle.changed();
			},
		);
	const getPollFunctions: IGetExecutePollFunctions = () => {
		throw new Error('startTrigger supports trigger() nodes, not poll() nodes');
	};

	handle.isActive = () =>
		activeTriggers.getRegisteredTriggerNodeIds(prepared.workflowId).has(triggerNode.id);
	handle.closeImpl = async () => {
		await recovery;
		await deregister();
	};

	await register();
}
