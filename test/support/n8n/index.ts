/**
 * Runs workflow JSON with n8n's real engine (n8n-core's WorkflowExecute, TriggerContext,
 * ActiveWorkflowTriggers) inside Jest. See engine.ts for what gets initialised, execution.ts
 * and trigger.ts for the server behaviour mirrored.
 */
export {
	currentBinaryDataMode,
	initN8nEngine,
	shutdownN8nEngine,
	useBinaryDataMode,
	type HarnessBinaryDataMode,
} from './engine';
export {
	HarnessCredentialsHelper,
	type CredentialsMap,
	type CredentialTypeInput,
} from './credentials';
export {
	DEFAULT_TIMEOUT_MS,
	EXECUTION_ENDED_WITHOUT_RESPONSE,
	HarnessTimeoutError,
	type HarnessInput,
	type WorkflowJson,
	type WorkflowNodeJson,
	type WorkflowRunResult,
} from './execution';
export { HarnessNodeTypes, type NodeTypeInput, type NodeTypeMap } from './node-types';
export { runWorkflow, type RunWorkflowOptions, type RunWorkflowResult } from './run-workflow';
export {
	startTrigger,
	type CancelledExecution,
	type StartTriggerOptions,
	type TriggerExecution,
	type TriggerHandle,
} from './trigger';
export { waitUntil } from './wait';
