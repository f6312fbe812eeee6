/**
 * #18 templates/case-board.json in n8n's real engine with the real case store (SQLite and
 * PostgreSQL): a request on the board Webhook runs Render Board, one on the case Webhook Render
 * Case, and Respond With Page gets the page (or an attachment as a download) with the headers
 * it sends. n8n's Webhook and Respond to Webhook are not in this package's dev dependencies:
 * stand-ins with their type names and parameters take their place (the Webhook passes the
 * request item on as n8n does for a webhook start; Respond With Page reports what it would
 * send). The real ones run in the e2e tests (test/e2e/*-desk.test.ts).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import {
	NodeConnectionTypes,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
} from 'n8n-workflow';
import { closeAllStores, getStore, type Store } from '../../lib/store';
import { storeConfigFrom } from '../../nodes/shared/store';
import { runWorkflow, shutdownN8nEngine, type WorkflowJson } from '../support/n8n';
import { packageCredentialTypes, packageNodeTypes } from '../support/package-nodes';
import { testStore, type TestStore } from '../support/test-stores';

jest.setTimeout(120_000);

/** Stand-in for n8n-nodes-base.webhook: a webhook start passes the request item on. */
class WebhookStandIn implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Webhook (stand-in)',
		name: 'webhook',
		group: ['trigger'],
		version: [1, 1.1, 2, 2.1],
		description: 'Stand-in',
		defaults: { name: 'Webhook' },
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		webhooks: [
			{
				name: 'default',
				httpMethod: 'GET',
				path: '={{$parameter["path"]}}',
				isFullPath: true,
				responseMode: 'responseNode',
			},
		],
		properties: ['path', 'authentication', 'responseMode', 'httpMethod']
			.map((name) => ({
				displayName: name,
				name,
				type: 'string' as const,
				default: '',
			}))
			.concat([
				{ displayName: 'Options', name: 'options', type: 'json' as never, default: {} as never },
			]),
	};

	async webhook() {
		return { workflowData: [[]] };
	}
}

/** Stand-in for n8n-nodes-base.respondToWebhook: reports what it would send for the first item. */
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
		properties: [
			{ displayName: 'Respond With', name: 'respondWith', type: 'string', default: '' },
			{ displayName: 'Options', name: 'options', type: 'json', default: {} },
		],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const options = this.getNodeParameter('options', 0, {}) as {
			responseHeaders?: { entries?: Array<{ name: string; value: string }> };
		};
		const headers: IDataObject = {};
		for (const entry of options.responseHeaders?.entries ?? [])
			headers[entry.name.toLowerCase()] = entry.value;
		const body = await this.helpers.getBinaryDataBuffer(0, 'data');
		return [
			[
				{
					json: {
						respondWith: this.getNodeParameter('respondWith', 0) as string,
						headers,
						body: body.toString('base64'),
					},
				},
			],
		];
	}
}

const nodeTypes = {
	...packageNodeTypes(),
	'n8n-nodes-base.webhook': WebhookStandIn,
	'n8n-nodes-base.respondToWebhook': RespondStandIn,
};

function template(): WorkflowJson {
	const wf = JSON.parse(
		readFileSync(path.join(__dirname, '..', '..', 'templates', 'case-board.json'), 'utf8'),
	) as WorkflowJson & { nodes: Array<{ type: string; credentials?: IDataObject }> };
	return {
		...wf,
		nodes: wf.nodes
			.filter((n) => n.type !== 'n8n-nodes-base.stickyNote')
			.map((n) =>
				n.type.endsWith('.mailCase')
					? { ...n, credentials: { mailCasesStore: { id: 'store', name: 'Store' } } }
					: n,
			),
	} as WorkflowJson;
}

afterAll(async () => {
	await closeAllStores();
	await shutdownN8nEngine();
});

describe.each(['sqlite', 'postgres'] as const)('case board template on %s', (backend) => {
	let site: TestStore;
	let store: Store;
	let caseNumber: string;
	let attachmentId: number;
	const PDF = Buffer.from('%PDF-1.4 invoice 42');

	beforeAll(async () => {
		site = testStore(backend, 'desk-board');
		store = await getStore(storeConfigFrom(site.credential));
		const workflow = await store.workflows.create({
			name: 'Complaints',
			fields: [{ name: 'Name', type: 'text' }],
		});
		const support = await store.orgUnits.create({
			name: 'Support',
			members: ['agent@example.test'],
		});
		const billing = await store.orgUnits.create({
			name: 'Billing',
			members: ['bill@example.test'],
		});
		const created = await store.ledger.createCaseFromMail({
			messageKey: 'mid:xss-1@customer.example',
			workflowId: workflow.id,
			responsibleOrgUnitId: support.id,
			title: `<script>alert(1)</script> heating`,
			requesterAddress: 'eve@customer.example',
			mail: {
				messageId: 'xss-1@customer.example',
				from: `"Eve <img src=x onerror=alert(2)>" <eve@customer.example>`,
				subject: `<script>alert(1)</script> heating`,
				text: 'My heating is broken',
				html: '<p>My <b>heating</b></p><script>alert(3)</script>',
				attachments: [{ fileName: 'invoice "1".pdf', contentType: 'text/html', content: PDF }],
			},
		});
		caseNumber = created.case!.number;
		attachmentId = created.activity!.attachments[0].id;
		await store.cases.update(
			created.case!.id,
			{ fields: { Name: 'Eve' }, responsibleOrgUnitId: billing.id },
			{ changedBy: 'agent@example.test' },
		);
		await store.activities.add({
			caseId: created.case!.id,
			kind: 'note',
			author: 'agent@example.test',
			text: 'Called back',
		});
		for (let i = 0; i < 60; i++)
			await store.cases.create({
				workflowId: workflow.id,
				responsibleOrgUnitId: support.id,
				title: `filler ${i}`,
			});
	});

	afterAll(async () => {
		await closeAllStores();
		await site.drop();
	});

	async function request(start: 'Board Webhook' | 'Case Webhook', item: IDataObject) {
		const result = await runWorkflow({
			workflow: template(),
			nodeTypes,
			credentialTypes: packageCredentialTypes(),
			credentials: { mailCasesStore: { store: site.credential } },
			mode: 'trigger',
			startNodeName: start,
			triggerData: [[{ json: { headers: {}, params: {}, query: {}, body: {}, ...item } }]],
		});
		expect({ status: result.status, error: result.error?.message }).toEqual({
			status: 'success',
			error: undefined,
		});
		const [response] = result.outputOf('Respond With Page');
		const json = response.json as {
			respondWith: string;
			headers: Record<string, string>;
			body: string;
		};
		return {
			...json,
			text: Buffer.from(json.body, 'base64').toString('utf8'),
			bytes: Buffer.from(json.body, 'base64'),
		};
	}

	test('GET /cases: the board, newest activity first, 50 a page, links to the case pages', async () => {
		const page1 = await request('Board Webhook', {});
		expect(page1.respondWith).toBe('binary');
		expect(page1.headers['content-type']).toBe('text/html; charset=utf-8');
		expect(page1.headers['content-security-policy']).toContain("script-src 'none'");
		expect(page1.headers['x-content-type-options']).toBe('nosniff');
		expect(page1.text).toContain('61 cases, newest activity first.');
		expect(page1.text).toContain('Page 1 of 2');
		expect(page1.text).toContain('filler 59');
		expect(page1.text).not.toContain('<script>');
		const page2 = await request('Board Webhook', { query: { page: '2' } });
		expect(page2.text).toContain('Page 2 of 2');
		expect(page2.text).toContain(`href="/webhook/cases/${caseNumber}"`);
		expect(page2.text).toContain('&lt;script&gt;alert(1)&lt;/script&gt; heating');
		const billing = await request('Board Webhook', { query: { unit: 'Billing' } });
		expect(billing.text).toContain('1 case, newest activity first.');
	});

	test('GET /cases/:number: the case page with its history; ?attachment=ID downloads it', async () => {
		const page = await request('Case Webhook', { params: { number: caseNumber } });
		expect(page.headers['content-disposition']).toBe('inline');
		expect(page.text).toContain('Name: (empty) → Eve');
		expect(page.text).toContain('Responsible: Support → Billing');
		expect(page.text).toContain('changed by agent@example.test');
		expect(page.text).toContain('Called back');
		expect(page.text).toContain(`/form/case-reply?Case=${caseNumber}`);
		expect(page.text).not.toMatch(/<script|<img/);
		expect(page.text).toContain('<iframe sandbox=""');
		const file = await request('Case Webhook', {
			params: { number: caseNumber },
			query: { attachment: String(attachmentId) },
		});
		expect(file.bytes.equals(PDF)).toBe(true);
		expect(file.headers['content-type']).toBe('application/octet-stream');
		expect(file.headers['content-disposition']).toBe(
			`attachment; filename="invoice _1_.pdf"; filename*=UTF-8''invoice%20%221%22.pdf`,
		);
	});
});
