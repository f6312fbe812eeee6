/**
 * #18 Stand-ins for the n8n core nodes the desk templates use (n8n-nodes-base is not a dev
 * dependency of this package): with their type names and the parameters the templates set, so
 * n8n's engine runs the templates' own connections and expressions. A Webhook or Form Trigger
 * start passes the request item on (what n8n does with the item a webhook produced); Respond to
 * Webhook reports what it would send. The real nodes run in the desk e2e tests.
 */
import {
	NodeConnectionTypes,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeProperties,
	type INodeType,
	type INodeTypeDescription,
} from 'n8n-workflow';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { WorkflowJson } from './n8n';

const loose = (names: string[]): INodeProperties[] =>
	names.map((name) => ({ displayName: name, name, type: 'json', default: '' }));

function startStandIn(name: string, versions: number[], parameters: string[]): INodeType {
	const description: INodeTypeDescription = {
		displayName: `${name} (stand-in)`,
		name,
		group: ['trigger'],
		version: versions,
		description: 'Stand-in',
		defaults: { name },
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		webhooks: [
			{ name: 'default', httpMethod: 'GET', path: 'stand-in', responseMode: 'onReceived' },
		],
		properties: loose(parameters),
	};
	return { description, webhook: async () => ({ workflowData: [[]] }) };
}

/** Reports the first item's response: respondWith, the headers (names lower case), the body as base64. */
class RespondStandIn implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Respond to Webhook (stand-in)',
		name: 'respondToWebhook',
		group: ['transform'],
		version: [1, 1.1],
		description: 'Stand-in',
		defaults: { name: 'Respond' },
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		properties: loose(['respondWith', 'options']),
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const options = this.getNodeParameter('options', 0, {}) as {
			responseHeaders?: { entries?: Array<{ name: string; value: string }> };
		};
		const headers: IDataObject = {};
		for (const entry of options.responseHeaders?.entries ?? [])
			headers[entry.name.toLowerCase()] = entry.value;
		const body = await this.helpers.getBinaryDataBuffer(0, 'data');
		const respondWith = this.getNodeParameter('respondWith', 0) as string;
		return [[{ json: { respondWith, headers, body: body.toString('base64') } }]];
	}
}

export const DESK_STAND_INS = {
	'n8n-nodes-base.webhook': startStandIn(
		'webhook',
		[1, 1.1, 2, 2.1],
		['httpMethod', 'path', 'authentication', 'responseMode', 'options'],
	),
	'n8n-nodes-base.formTrigger': startStandIn(
		'formTrigger',
		[2, 2.1, 2.2, 2.3],
		['authentication', 'formTitle', 'formDescription', 'formFields', 'responseMode', 'options'],
	),
	'n8n-nodes-base.respondToWebhook': new RespondStandIn(),
};

/**
 * A desk template as the workflow tests run it: sticky notes left out, every Mail Case and Send
 * Mail node on the test store credential `store`.
 */
export function deskTemplate(name: 'case-board' | 'case-reply-form'): WorkflowJson {
	const file = path.resolve(__dirname, '..', '..', 'templates', `${name}.json`);
	const wf = JSON.parse(readFileSync(file, 'utf8')) as WorkflowJson & {
		nodes: Array<{ type: string; credentials?: IDataObject }>;
	};
	const storeNodes = ['.mailCase', '.mailCasesSendMail'];
	return {
		...wf,
		nodes: wf.nodes
			.filter((n) => n.type !== 'n8n-nodes-base.stickyNote')
			.map((n) =>
				storeNodes.some((t) => n.type.endsWith(t))
					? {
							...n,
							credentials: { ...n.credentials, mailCasesStore: { id: 'store', name: 'Store' } },
						}
					: n,
			),
	} as WorkflowJson;
}
