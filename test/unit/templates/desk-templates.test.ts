/**
 * #18 The desk templates (templates/case-board.json, templates/case-reply-form.json): this
 * package's nodes checked with n8n-workflow's own parameter checks (as templates.test.ts does
 * for the mail templates), every webhook and form behind n8n's basic auth, credentials as
 * placeholders, and the case page's action links pointing at the forms the reply-form template
 * serves. n8n's core nodes are checked by importing and running them in real n8n (e2e).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { NodeHelpers, type INode } from 'n8n-workflow';
import { CASE_FORM_PARAM, CASE_FORMS } from '../../../lib/desk/case-page';
import { packageNodeTypes } from '../../support/package-nodes';
import type { TemplateWorkflow } from '../../support/templates';

const PACKAGE_NODES = packageNodeTypes();
const read = (name: string) =>
	JSON.parse(
		readFileSync(path.resolve(__dirname, '../../../templates', `${name}.json`), 'utf8'),
	) as TemplateWorkflow;
const notes = (wf: TemplateWorkflow) =>
	wf.nodes
		.filter((n) => n.type === 'n8n-nodes-base.stickyNote')
		.map((n) => String(n.parameters.content))
		.join('\n');
const targets = (wf: TemplateWorkflow, from: string) =>
	(wf.connections[from]?.main[0] ?? []).map((c) => c.node);

describe.each([['case-board'], ['case-reply-form']])('template %s', (name) => {
	const wf = read(name);

	test("this package's nodes: known versions, no parameter issues, no unknown parameter", () => {
		for (const node of wf.nodes.filter((n) => n.type in PACKAGE_NODES)) {
			const description = new PACKAGE_NODES[node.type]().description;
			expect([description.version].flat()).toContain(node.typeVersion);
			const asNode = { ...node, disabled: false } as unknown as INode;
			const params = node.parameters as INode['parameters'];
			const kept =
				NodeHelpers.getNodeParameters(
					description.properties,
					params,
					true,
					false,
					asNode,
					description,
				) ?? {};
			const dropped = Object.keys(params).filter((key) => !(key in kept));
			expect({ node: node.name, dropped }).toEqual({ node: node.name, dropped: [] });
			expect({
				node: node.name,
				issues: NodeHelpers.getNodeParametersIssues(description.properties, asNode, description),
			}).toEqual({ node: node.name, issues: null });
			expect(node.credentials ?? {}).not.toHaveProperty('mailCasesStore');
		}
	});

	test('every webhook and form is behind basic auth (placeholder credential); the notes say so', () => {
		const entries = wf.nodes.filter((n) =>
			['n8n-nodes-base.webhook', 'n8n-nodes-base.formTrigger'].includes(n.type),
		);
		expect(entries.length).toBeGreaterThanOrEqual(2);
		for (const node of entries) {
			expect({ node: node.name, auth: node.parameters.authentication }).toEqual({
				node: node.name,
				auth: 'basicAuth',
			});
			expect(node.credentials).toEqual({
				httpBasicAuth: { id: 'REPLACE-desk-basic-auth', name: expect.any(String) },
			});
		}
		for (const node of wf.nodes)
			for (const ref of Object.values(node.credentials ?? {})) expect(ref.id).toMatch(/^REPLACE-/);
		expect(notes(wf)).toMatch(/### Set up/);
		expect(notes(wf)).toMatch(/Basic Auth/);
		expect(notes(wf)).toMatch(/activate/i);
		const names = new Set(wf.nodes.map((n) => n.name));
		for (const [from, { main }] of Object.entries(wf.connections)) {
			expect(names).toContain(from);
			for (const c of main.flat()) expect(names).toContain(c.node);
		}
	});
});

test('case-board: GET cases and case?number= → Render Board / Render Case → Respond With Page (binary, with the headers)', () => {
	const wf = read('case-board');
	const byName = (n: string) => wf.nodes.find((x) => x.name === n)!;
	expect(byName('Board Webhook').parameters).toMatchObject({
		path: 'cases',
		responseMode: 'responseNode',
	});
	expect(byName('Case Webhook').parameters).toMatchObject({
		path: 'case',
		responseMode: 'responseNode',
	});
	expect(targets(wf, 'Board Webhook')).toEqual(['Render Board']);
	expect(targets(wf, 'Case Webhook')).toEqual(['Render Case']);
	expect(targets(wf, 'Render Board')).toEqual(['Respond With Page']);
	expect(targets(wf, 'Render Case')).toEqual(['Respond With Page']);
	const respond = byName('Respond With Page').parameters as {
		respondWith: string;
		options: { responseHeaders: { entries: Array<{ name: string; value: string }> } };
	};
	expect(respond.respondWith).toBe('binary');
	const headers = Object.fromEntries(
		respond.options.responseHeaders.entries.map((e) => [e.name, e.value]),
	);
	expect(headers).toMatchObject({
		'Content-Security-Policy': '={{ $json.contentSecurityPolicy }}',
		'Content-Disposition': '={{ $json.contentDisposition }}',
		'X-Content-Type-Options': 'nosniff',
	});
});

test("case-reply-form: one form per action of the case page's links, the case number filled in by the link", () => {
	const wf = read('case-reply-form');
	const forms = wf.nodes.filter((n) => n.type === 'n8n-nodes-base.formTrigger');
	const paths = forms.map((f) => (f.parameters.options as { path: string }).path).sort();
	expect(paths).toEqual(CASE_FORMS.map((f) => f.path).sort());
	for (const form of forms) {
		const fields = (form.parameters.formFields as { values: Array<{ fieldLabel: string }> }).values;
		// Form Trigger 2.3 fills a field from the query parameter named like its label
		expect(form.typeVersion).toBe(2.3);
		expect(fields[0].fieldLabel).toBe(CASE_FORM_PARAM);
		expect(fields.map((f) => f.fieldLabel)).toContain('Agent');
		expect(targets(wf, form.name)).toHaveLength(1);
	}
	const send = wf.nodes.find((n) => n.name === 'Send Reply')!;
	expect(send.parameters).toMatchObject({
		sendThrough: 'smtp',
		to: '={{ $json.requesterAddress }}',
		options: { caseNumber: '={{ $json.number }}' },
	});
	expect(send.credentials).toEqual({
		mailCasesSmtp: { id: 'REPLACE-smtp-profile', name: expect.any(String) },
	});
	expect(notes(wf)).toMatch(/default profile/i);
});
