/**
 * #18 The agent desk's pages (lib/desk): escaped text and attributes, mail HTML sanitised and
 * only inside a sandboxed srcdoc frame, a strict CSP, paging at 1,000 open cases.
 */
import { DomUtils, parseDocument } from 'htmlparser2';
import type { Document, Element } from 'domhandler';
import { renderBoard, pageCount } from '../../../lib/desk/board';
import { attachmentUrl, renderCase } from '../../../lib/desk/case-page';
import { DESK_CSP, safeHref } from '../../../lib/desk/html';
import type { Activity, Case } from '../../../lib/store';

const AT = new Date('2026-12-05T10:00:00Z');
const HOSTILE_SUBJECT = `<script>alert('subject')</script>"><img src=x onerror=alert(1)>`;
const HOSTILE_NAME = `"Eve <script>alert(2)</script>" <eve@example.test>`;
const HOSTILE_TEXT = `Hi "><img src=x onerror=alert(3)> <a href="javascript:alert(4)">click</a>`;
const HOSTILE_HTML = [
	'<p>Hello <b>agent</b></p>',
	'<script>alert(5)</script>',
	'"><img src=x onerror=alert(6)>',
	'<a href="javascript:alert(7)">click me</a>',
	'<div style="width: expression(alert(8)); color: red">css</div>',
	'<iframe src="https://evil.example/"></iframe>',
	'<form action="https://evil.example/"><input name=q></form>',
].join('');

function aCase(over: Partial<Case> = {}): Case {
	return {
		id: 1,
		number: '2026-000001',
		workflowId: 1,
		title: HOSTILE_SUBJECT,
		status: 'open',
		fields: { Name: `<b onmouseover=alert(9)>Erika</b>` },
		responsibleOrgUnitId: 3,
		contactId: null,
		requesterAddress: 'eve@example.test',
		createdAt: AT,
		updatedAt: AT,
		...over,
	};
}

function activity(over: Partial<Activity>): Activity {
	const mail = { messageId: 'a@example.test', from: HOSTILE_NAME, to: ['support@example.test'] };
	const content = { subject: HOSTILE_SUBJECT, text: HOSTILE_TEXT, html: HOSTILE_HTML };
	const change = { fieldName: null, oldValue: null, newValue: null, changedBy: null };
	const result = { purpose: null, outcome: null, outcomeDetail: null };
	return {
		...{ id: 1, caseId: 1, kind: 'incoming_mail', cc: [], attachments: [], createdAt: AT },
		...mail,
		...content,
		...change,
		...result,
		...over,
	};
}

const HISTORY: Activity[] = [
	activity({
		id: 1,
		attachments: [
			{
				id: 41,
				activityId: 1,
				fileName: `"><script>alert(10)</script>.pdf`,
				contentType: 'application/pdf',
				size: 12,
				contentId: null,
				hasContent: true,
			},
			{
				id: 42,
				activityId: 1,
				fileName: 'big.zip',
				contentType: 'application/zip',
				size: 99_000_000,
				contentId: null,
				hasContent: false,
			},
		],
	}),
	activity({
		id: 2,
		kind: 'field_change',
		from: null,
		subject: null,
		text: null,
		html: null,
		fieldName: 'Name',
		oldValue: null,
		newValue: '<script>alert(11)</script>',
		changedBy: HOSTILE_NAME,
	}),
	activity({
		id: 3,
		kind: 'field_change',
		from: null,
		subject: null,
		text: null,
		html: null,
		fieldName: '@responsibleOrgUnitId',
		oldValue: 3,
		newValue: 4,
		changedBy: 'agent@example.test',
	}),
	activity({
		id: 4,
		kind: 'note',
		from: 'agent@example.test',
		subject: null,
		html: null,
		text: 'Called her back',
	}),
	activity({
		id: 5,
		kind: 'outgoing_mail',
		purpose: 'acknowledgement',
		outcome: 'bounced',
		from: 'support@example.test',
		to: ['eve@example.test'],
		html: null,
		text: 'We got your mail',
		subject: 'Re: [#2026-000001] your mail',
	}),
	activity({
		id: 6,
		outcome: 'delivery_failure',
		outcomeDetail: '550 5.1.1 <eve@example.test>: user unknown',
		subject: 'Undelivered Mail Returned to Sender',
		html: null,
	}),
];

const elements = (doc: Document, name?: string): Element[] =>
	DomUtils.findAll((e) => name === undefined || e.name === name, doc.children);

/** Every element, attribute and URL of a document that could run script or load something. */
function dangers(doc: Document): string[] {
	const found: string[] = [];
	for (const e of elements(doc)) {
		if (['script', 'object', 'embed', 'form', 'input', 'svg', 'math', 'link'].includes(e.name))
			found.push(`<${e.name}>`);
		if (e.name === 'iframe' && !('srcdoc' in e.attribs)) found.push('iframe without srcdoc');
		for (const [name, value] of Object.entries(e.attribs)) {
			if (/^on/i.test(name)) found.push(`${e.name}[${name}]`);
			if (/^\s*(javascript|vbscript|data):/i.test(value) && name !== 'content')
				found.push(`${e.name}[${name}=${value}]`);
			if (/expression\s*\(|url\s*\(/i.test(value) && name !== 'srcdoc')
				found.push(`${e.name}[${name}=${value}]`);
		}
	}
	return found;
}

function frames(doc: Document): Element[] {
	return elements(doc, 'iframe');
}

describe('renderCase', () => {
	const html = renderCase({
		case: aCase(),
		fields: [{ name: 'Name', type: 'text' }],
		history: HISTORY,
		unitNames: { 3: 'Support <1st level>', 4: 'Billing' },
		baseUrl: '/webhook',
		formBaseUrl: '/form',
	});
	const doc = parseDocument(html);
	const bodyText = DomUtils.textContent(elements(doc, 'body')[0]);

	test('a complete page with a strict CSP: no scripts, no loads, no forms', () => {
		expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
		const csp = elements(doc, 'meta').find(
			(m) => m.attribs['http-equiv'] === 'Content-Security-Policy',
		);
		expect(csp?.attribs.content).toBe(DESK_CSP);
		expect(DESK_CSP).toContain("default-src 'none'");
		expect(DESK_CSP).toContain("script-src 'none'");
		expect(DESK_CSP).toContain("form-action 'none'");
	});

	test('stored XSS: subject, sender name, field values and file names are shown as text', () => {
		expect(dangers(doc)).toEqual([]);
		expect(bodyText).toContain(HOSTILE_SUBJECT);
		expect(bodyText).toContain(HOSTILE_NAME);
		expect(bodyText).toContain(HOSTILE_TEXT);
		expect(bodyText).toContain('<b onmouseover=alert(9)>Erika</b>');
		expect(bodyText).toContain('(empty) → <script>alert(11)</script>');
		expect(bodyText).toContain('"><script>alert(10)</script>.pdf');
		expect(DomUtils.textContent(elements(doc, 'title')[0])).toContain(HOSTILE_SUBJECT);
	});

	test("the mail's HTML only sanitised, inside a sandboxed srcdoc frame with the CSP", () => {
		const [frame, ...more] = frames(doc);
		expect(more).toHaveLength(0);
		expect(frame.attribs.sandbox).toBe('');
		expect(frame.attribs).not.toHaveProperty('src');
		const inner = parseDocument(frame.attribs.srcdoc);
		expect(dangers(inner)).toEqual([]);
		expect(elements(inner, 'iframe')).toHaveLength(0);
		const innerText = DomUtils.textContent(inner);
		expect(innerText).toContain('Hello agent');
		expect(innerText).toContain('click me');
		expect(frame.attribs.srcdoc).not.toMatch(/expression|javascript|onerror|<script/i);
		const csp = elements(inner, 'meta').find(
			(m) => m.attribs['http-equiv'] === 'Content-Security-Policy',
		);
		expect(csp?.attribs.content).toBe(DESK_CSP);
	});

	test('the whole history: mails in and out, field changes with old/new and who, notes, delivery failures', () => {
		const sections = elements(doc, 'section').map((s) => DomUtils.textContent(s));
		expect(sections).toHaveLength(HISTORY.length);
		expect(sections[0]).toMatch(/^2026-12-05 10:00 UTC\s*Incoming mail/);
		expect(sections[1]).toContain(`changed by ${HOSTILE_NAME}`);
		expect(sections[2]).toContain('Responsible: Support <1st level> → Billing');
		expect(sections[2]).toContain('changed by agent@example.test');
		expect(sections[3]).toContain('Note by agent@example.test');
		expect(sections[3]).toContain('Called her back');
		expect(sections[4]).toContain('Outgoing mail (acknowledgement) — bounced');
		expect(sections[5]).toContain('Delivery failure');
		expect(sections[5]).toContain('550 5.1.1 <eve@example.test>: user unknown');
	});

	test('stored attachments are links to download, metadata-only ones say so', () => {
		const hrefs = elements(doc, 'a').map((a) => a.attribs.href);
		expect(hrefs).toContain(attachmentUrl('/webhook', '2026-000001', 41));
		expect(hrefs).toContain('/webhook/case?number=2026-000001&attachment=41');
		expect(hrefs.some((h) => h.includes('attachment=42'))).toBe(false);
		expect(bodyText).toContain('big.zip (application/zip, 99000000 bytes) — not stored');
	});

	test('action links to the forms carry the case number; back link to the board', () => {
		const hrefs = elements(doc, 'a').map((a) => a.attribs.href);
		for (const path of ['case-reply', 'case-note', 'case-fields', 'case-status', 'case-handover'])
			expect(hrefs).toContain(`/form/${path}?Case=2026-000001`);
		expect(hrefs).toContain('/webhook/cases');
	});

	test('a case number with URL characters is encoded in links', () => {
		const page = parseDocument(
			renderCase({
				case: aCase({ number: 'A/1?x="y"' }),
				fields: [],
				history: [],
				baseUrl: '/webhook',
			}),
		);
		const hrefs = elements(page, 'a').map((a) => a.attribs.href);
		expect(hrefs).toEqual(['/webhook/cases']);
		expect(DomUtils.textContent(page)).toContain('Case A/1?x="y"');
	});
});

describe('renderBoard', () => {
	const many = Array.from({ length: 1000 }, (_, i) =>
		aCase({
			id: i + 1,
			number: `2026-${String(i + 1).padStart(6, '0')}`,
			title: i === 0 ? HOSTILE_SUBJECT : `Case ${i + 1}`,
			requesterAddress: i === 0 ? `"><svg onload=alert(1)>@x` : `c${i}@example.test`,
		}),
	);

	test('1,000 open cases: 20 pages of 50, links to the neighbouring pages and to each case', () => {
		expect(pageCount(1000, 50)).toBe(20);
		const html = renderBoard({
			cases: many.slice(50, 100),
			page: 2,
			pageSize: 50,
			total: 1000,
			orgUnit: { id: 3, name: 'Support' },
			unitNames: { 3: 'Support', 4: '<Billing>' },
			baseUrl: '/webhook/',
		});
		const doc = parseDocument(html);
		expect(elements(doc, 'tr')).toHaveLength(51);
		const hrefs = elements(doc, 'a').map((a) => a.attribs.href);
		expect(hrefs).toContain('/webhook/cases?unit=3');
		expect(hrefs).toContain('/webhook/cases?unit=3&page=3');
		// the units to choose from: all, and each unit's own board
		expect(hrefs).toContain('/webhook/cases');
		expect(hrefs).toContain('/webhook/cases?unit=4');
		expect(DomUtils.textContent(doc)).toContain('Units: All units<Billing>Support');
		expect(hrefs).toContain('/webhook/case?number=2026-000051');
		expect(DomUtils.textContent(doc)).toContain('Page 2 of 20');
		expect(DomUtils.textContent(doc)).toContain('1000 cases, newest activity first.');
	});

	test('stored XSS in title and requester: text, no markup', () => {
		const html = renderBoard({
			cases: many.slice(0, 50),
			page: 1,
			pageSize: 50,
			total: 1000,
			baseUrl: '/webhook',
		});
		const doc = parseDocument(html);
		expect(dangers(doc)).toEqual([]);
		const text = DomUtils.textContent(doc);
		expect(text).toContain(HOSTILE_SUBJECT);
		expect(text).toContain(`"><svg onload=alert(1)>@x`);
		expect(text).toContain('Page 1 of 20');
		expect(text).toContain('#3');
	});

	test('a page past the end shows the last page; no cases say so', () => {
		const last = parseDocument(
			renderBoard({ cases: [], page: 99, pageSize: 50, total: 1000, baseUrl: '' }),
		);
		expect(DomUtils.textContent(last)).toContain('Page 20 of 20');
		const none = parseDocument(
			renderBoard({ cases: [], page: 1, pageSize: 50, total: 0, baseUrl: '' }),
		);
		expect(DomUtils.textContent(none)).toContain('No cases.');
	});
});

test('safeHref: only http(s) and paths', () => {
	expect(safeHref('javascript:alert(1)')).toBe('#');
	expect(safeHref(' JaVaScRiPt:alert(1)')).toBe('#');
	expect(safeHref('java\tscript:alert(1)')).toBe('#');
	expect(safeHref('data:text/html,x')).toBe('#');
	expect(safeHref('//evil.example/')).toBe('#');
	expect(safeHref('https://n8n.example/webhook/cases')).toBe('https://n8n.example/webhook/cases');
	expect(safeHref('/webhook/cases?page=2')).toBe('/webhook/cases?page=2');
	expect(safeHref('cases/1')).toBe('cases/1');
});
