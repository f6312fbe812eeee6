/**
 * #18 templates/case-board.json in n8n's real engine with the real case store (SQLite and
 * PostgreSQL): a request on the board Webhook runs Render Board, one on the case Webhook Render
 * Case, and Respond With Page gets the page (or an attachment as a download) with the headers
 * it sends. n8n's Webhook and Respond to Webhook are not in this package's dev dependencies:
 * stand-ins with their type names and parameters take their place (the Webhook passes the
 * request item on as n8n does for a webhook start; Respond With Page reports what it would
 * send; test/support/desk-stand-ins.ts). The real ones run in the e2e tests
 * (test/e2e/*-desk.test.ts).
 */
import type { IDataObject } from 'n8n-workflow';
import { closeAllStores, getStore, type Store } from '../../lib/store';
import { storeConfigFrom } from '../../nodes/shared/store';
import { DESK_STAND_INS, deskTemplate } from '../support/desk-stand-ins';
import { runWorkflow, shutdownN8nEngine } from '../support/n8n';
import { packageCredentialTypes, packageNodeTypes } from '../support/package-nodes';
import { testStore, type TestStore } from '../support/test-stores';

jest.setTimeout(120_000);

const nodeTypes = { ...packageNodeTypes(), ...DESK_STAND_INS };
const template = () => deskTemplate('case-board');

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
		expect(page2.text).toContain(`href="/webhook/case?number=${caseNumber}"`);
		expect(page2.text).toContain('&lt;script&gt;alert(1)&lt;/script&gt; heating');
		const billing = await request('Board Webhook', { query: { unit: 'Billing' } });
		expect(billing.text).toContain('1 case, newest activity first.');
	});

	test('GET /case?number=N: the case page with its history; &attachment=ID downloads it', async () => {
		const page = await request('Case Webhook', { query: { number: caseNumber } });
		expect(page.headers['content-disposition']).toBe('inline');
		expect(page.text).toContain('Name: (empty) → Eve');
		expect(page.text).toContain('Responsible: Support → Billing');
		expect(page.text).toContain('changed by agent@example.test');
		expect(page.text).toContain('Called back');
		expect(page.text).toContain(`/form/case-reply?Case=${caseNumber}`);
		expect(page.text).not.toMatch(/<script|<img/);
		expect(page.text).toContain('<iframe sandbox=""');
		const file = await request('Case Webhook', {
			query: { number: caseNumber, attachment: String(attachmentId) },
		});
		expect(file.bytes.equals(PDF)).toBe(true);
		expect(file.headers['content-type']).toBe('application/octet-stream');
		expect(file.headers['content-disposition']).toBe(
			`attachment; filename="invoice _1_.pdf"; filename*=UTF-8''invoice%20%221%22.pdf`,
		);
	});
});
