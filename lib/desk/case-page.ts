/**
 * #18 The case page: the case's properties and form fields, the actions (links to the n8n forms
 * of the reply-form template) and its whole history, oldest first — mails in and out, field
 * changes with old and new value and who changed them, notes, delivery failures — with links
 * to download stored attachments. A mail's HTML is sanitised again here (whatever the store
 * holds) and shown only inside `<iframe sandbox srcdoc>`: no scripts, no same origin, no
 * forms, no pop-ups, with its own CSP.
 */
import { sanitizeHtml } from '../mail/sanitize-html';
import type { Activity, Attachment, Case, FieldDefinition, FieldValue } from '../store';
import { CONTACT_FIELD, RESPONSIBLE_FIELD, STATUS_FIELD, TITLE_FIELD } from '../store/types';
import { boardUrl, caseUrl } from './board';
import { DESK_CSP, escapeHtml, link, page, t, trimBase } from './html';

/** The Form Trigger paths of templates/case-reply-form.json, one per case action. */
export const CASE_FORMS = [
	{ action: 'reply', path: 'case-reply', label: 'Reply to customer' },
	{ action: 'note', path: 'case-note', label: 'Add internal note' },
	{ action: 'fields', path: 'case-fields', label: 'Set fields' },
	{ action: 'status', path: 'case-status', label: 'Set status' },
	{ action: 'handover', path: 'case-handover', label: 'Hand over' },
] as const;

/** The query parameter that pre-fills the case number in the forms. */
export const CASE_FORM_PARAM = 'Case';

export interface CasePageInput {
	case: Case;
	/** The form field definitions of the case's workflow. */
	fields: FieldDefinition[];
	/** The case's activities, oldest first. */
	history: Activity[];
	/**
	 * Attachments to list for download; default: those of the history's activities. Only those
	 * with stored content get a link.
	 */
	attachments?: Attachment[];
	/** Names of org units by id. */
	unitNames?: Record<number, string>;
	/** URL under which `cases` (the board) and `case?number=<number>` are served (e.g. `/webhook`). */
	baseUrl: string;
	/** URL under which the forms are served (e.g. `/form`); none: no action links. */
	formBaseUrl?: string;
}

/** The download URL of an attachment of a case. */
export function attachmentUrl(baseUrl: string, number: string, attachmentId: number): string {
	return `${caseUrl(baseUrl, number)}&attachment=${encodeURIComponent(String(attachmentId))}`;
}

const FIELD_LABELS: Record<string, string> = {
	[STATUS_FIELD]: 'Status',
	[RESPONSIBLE_FIELD]: 'Responsible',
	[CONTACT_FIELD]: 'Contact',
	[TITLE_FIELD]: 'Title',
};

function valueText(value: FieldValue): string {
	if (value === null || value === undefined || value === '') return '(empty)';
	if (typeof value === 'boolean') return value ? 'yes' : 'no';
	return String(value);
}

function unitName(input: CasePageInput, id: unknown): string {
	const n = Number(id);
	return input.unitNames?.[n] ?? `#${String(id)}`;
}

function fieldChange(a: Activity, input: CasePageInput): string {
	const name = a.fieldName ?? '';
	const shown = (v: FieldValue) =>
		name === RESPONSIBLE_FIELD && v !== null ? unitName(input, v) : valueText(v);
	return `<div class="head">${t(FIELD_LABELS[name] ?? name)}: ${t(shown(a.oldValue))} → ${t(
		shown(a.newValue),
	)}</div><div class="muted">changed by ${t(a.changedBy ?? 'unknown')}</div>`;
}

function attachmentList(items: Attachment[], input: CasePageInput): string {
	if (items.length === 0) return '';
	const li = items.map((a) => {
		const label = `${a.fileName} (${a.contentType}, ${a.size} bytes)`;
		return a.hasContent
			? `<li>${link(attachmentUrl(input.baseUrl, input.case.number, a.id), label)}</li>`
			: `<li>${t(label)} <span class="muted">— not stored</span></li>`;
	});
	return `<div>Attachments:<ul>${li.join('')}</ul></div>`;
}

/** The sanitised mail HTML as a sandboxed srcdoc frame (no scripts, no same origin). */
export function mailFrame(html: string): string {
	const clean = sanitizeHtml(html);
	if (!clean.trim()) return '';
	const doc = `<!DOCTYPE html><html><head><meta charset="utf-8"><meta http-equiv="Content-Security-Policy" content="${escapeHtml(
		DESK_CSP,
	)}"></head><body>${clean}</body></html>`;
	return `<iframe sandbox="" referrerpolicy="no-referrer" title="Mail (HTML)" srcdoc="${escapeHtml(doc)}"></iframe>`;
}

function mailHead(a: Activity): string {
	const incoming = a.kind === 'incoming_mail';
	const failure = a.outcome === 'delivery_failure';
	const what = failure
		? 'Delivery failure'
		: incoming
			? 'Incoming mail'
			: `Outgoing mail${a.purpose ? ` (${a.purpose})` : ''}`;
	const outcome = !incoming && a.outcome ? ` — ${a.outcome}` : '';
	return [
		`<div class="head">${t(what)}${t(outcome)}: ${t(a.subject ?? '(no subject)')}</div>`,
		`<div class="muted">From ${t(a.from ?? '')}${a.to.length ? ` to ${t(a.to.join(', '))}` : ''}${
			a.cc.length ? `, cc ${t(a.cc.join(', '))}` : ''
		}</div>`,
		a.outcomeDetail ? `<div>${t(a.outcomeDetail)}</div>` : '',
	].join('');
}

function activity(a: Activity, input: CasePageInput): string {
	const classes = [`activity`, `kind-${a.kind}`];
	if (a.outcome === 'delivery_failure' || a.outcome === 'bounced' || a.outcome === 'rejected')
		classes.push('failure');
	let inner: string;
	if (a.kind === 'field_change') inner = fieldChange(a, input);
	else if (a.kind === 'note')
		inner = `<div class="head">Note${a.outcome === 'field_feedback' ? ' (field feedback)' : ''} by ${t(
			a.from ?? 'unknown',
		)}</div>${a.subject ? `<div>${t(a.subject)}</div>` : ''}`;
	else inner = mailHead(a);
	const body = a.kind === 'field_change' ? '' : a.text ? `<pre>${t(a.text)}</pre>` : '';
	const html = a.kind === 'field_change' || !a.html ? '' : mailFrame(a.html);
	return `<section class="${classes.join(' ')}"><div class="muted">${t(a.createdAt)} UTC</div>${inner}${body}${html}${attachmentList(
		a.attachments ?? [],
		input,
	)}</section>`;
}

function properties(input: CasePageInput): string {
	const c = input.case;
	const rows: Array<[string, string]> = [
		['Title', t(c.title)],
		['Status', t(c.status)],
		['Requester', t(c.requesterAddress)],
		['Responsible', t(unitName(input, c.responsibleOrgUnitId))],
		['Opened (UTC)', t(c.createdAt)],
		['Last activity (UTC)', t(c.updatedAt)],
	];
	const known = new Set(input.fields.map((f) => f.name));
	for (const f of input.fields) rows.push([f.name, t(valueText(c.fields[f.name] ?? null))]);
	for (const [name, value] of Object.entries(c.fields))
		if (!known.has(name)) rows.push([name, t(valueText(value))]);
	return `<table>${rows.map(([k, v]) => `<tr><th>${t(k)}</th><td>${v}</td></tr>`).join('')}</table>`;
}

function actions(input: CasePageInput): string {
	if (input.formBaseUrl === undefined) return '';
	const base = trimBase(input.formBaseUrl);
	const query = `?${CASE_FORM_PARAM}=${encodeURIComponent(input.case.number)}`;
	return `<h2>Actions</h2><div class="actions">${CASE_FORMS.map((f) =>
		link(`${base}/${f.path}${query}`, f.label),
	).join('')}</div>`;
}

/** The case page as a complete HTML page. */
export function renderCase(input: CasePageInput): string {
	const c = input.case;
	const history = input.history;
	const listed = new Set(history.flatMap((a) => (a.attachments ?? []).map((x) => x.id)));
	const extra = (input.attachments ?? []).filter((a) => !listed.has(a.id));
	const title = `Case ${c.number}${c.title ? ` — ${c.title}` : ''}`;
	const body = [
		`<header><h1>${t(title)}</h1><div>${link(boardUrl(input.baseUrl, 1), '← All cases')}</div></header>`,
		'<main>',
		properties(input),
		actions(input),
		`<h2>History (${t(history.length)})</h2>`,
		history.map((a) => activity(a, input)).join('\n'),
		extra.length ? `<h2>Other attachments</h2>${attachmentList(extra, input)}` : '',
		'</main>',
	].join('\n');
	return page(title, body);
}
