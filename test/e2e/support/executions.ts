/** Reading what n8n recorded about executions. */
import type { ExecutionDetails, ExecutionSummary } from './n8n-rest';

export type Item = { json: Record<string, unknown> };

/** Items a node put out on `output` in an execution's first run of it. */
export function outputOf(execution: ExecutionDetails, node: string, output = 0): Item[] {
	const run = execution.data.resultData.runData[node]?.[0];
	return (run?.data?.main?.[output] ?? []) as Item[];
}

export function describeExecutions(list: ExecutionSummary[]): string {
	return `executions: ${list.map((e) => `#${e.id} ${e.mode} ${e.status}`).join(', ') || 'none'}`;
}
