/**
 * The smallest workflow around one node under test: Start (manual trigger) → Items (the given
 * items, as an earlier node would output them) → the node. Needs the fixture node types
 * `n8n-nodes-base.manualTrigger` and `test.emitItems` in the test's node types.
 */
import type { WorkflowJson, WorkflowNodeJson } from './execution';

export function itemsWorkflow(items: unknown[], node: WorkflowNodeJson): WorkflowJson {
	return {
		nodes: [
			{
				name: 'Start',
				type: 'n8n-nodes-base.manualTrigger',
				typeVersion: 1,
				position: [0, 0],
				parameters: {},
			},
			{
				name: 'Items',
				type: 'test.emitItems',
				typeVersion: 1,
				position: [200, 0],
				parameters: { items: JSON.stringify(items) },
			},
			{ ...node, position: [400, 0] },
		],
		connections: {
			Start: { main: [[{ node: 'Items', type: 'main', index: 0 }]] },
			Items: { main: [[{ node: node.name, type: 'main', index: 0 }]] },
		},
		settings: { executionOrder: 'v1' },
	};
}
