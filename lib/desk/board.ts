/**
 * #18 The case board: open cases of one org unit (or all), newest activity first, one page of
 * `pageSize` rows with links to the other pages and to each case page.
 */
import type { Case } from '../store';
import { link, page, t, trimBase } from './html';

export interface BoardInput {
	/** The cases of this page, newest activity first. */
	cases: Case[];
	/** 1-based page number. */
	page: number;
	pageSize: number;
	/** How many cases match (all pages). */
	total: number;
	/** The org unit shown, or undefined for all units. */
	orgUnit?: { id: number; name: string };
	/** Names of org units by id (the Responsible column). */
	unitNames?: Record<number, string>;
	/** The status listed (default `open`). */
	status?: string;
	/** URL under which `cases` (the board) and `case?number=<number>` are served (e.g. `/webhook`). */
	baseUrl: string;
}

/** Number of pages for `total` rows (at least 1). */
export function pageCount(total: number, pageSize: number): number {
	return Math.max(1, Math.ceil(Math.max(0, total) / Math.max(1, pageSize)));
}

/**
 * The URL of a case page: a static webhook path with the number as query parameter (n8n puts the
 * webhook's id in front of a path with a parameter such as `cases/:number`).
 */
export function caseUrl(baseUrl: string, number: string): string {
	return `${trimBase(baseUrl)}/case?number=${encodeURIComponent(number)}`;
}

/** The URL of a board page. */
export function boardUrl(baseUrl: string, pageNo: number, unitId?: number): string {
	const query = new URLSearchParams();
	if (unitId !== undefined) query.set('unit', String(unitId));
	if (pageNo > 1) query.set('page', String(pageNo));
	const q = query.toString();
	return `${trimBase(baseUrl)}/cases${q ? `?${q}` : ''}`;
}

function row(c: Case, input: BoardInput): string {
	const unit = input.unitNames?.[c.responsibleOrgUnitId] ?? `#${c.responsibleOrgUnitId}`;
	return [
		'<tr>',
		`<td>${link(caseUrl(input.baseUrl, c.number), c.number)}</td>`,
		`<td>${t(c.title)}</td>`,
		`<td>${t(c.requesterAddress)}</td>`,
		`<td>${t(c.status)}</td>`,
		`<td>${t(c.updatedAt)}</td>`,
		`<td>${t(unit)}</td>`,
		'</tr>',
	].join('');
}

function pager(input: BoardInput, pages: number, current: number): string {
	const unit = input.orgUnit?.id;
	const parts: string[] = [];
	if (current > 1) parts.push(link(boardUrl(input.baseUrl, current - 1, unit), '« Previous'));
	parts.push(`<span>Page ${t(current)} of ${t(pages)}</span>`);
	if (current < pages) parts.push(link(boardUrl(input.baseUrl, current + 1, unit), 'Next »'));
	return `<nav class="nav">${parts.join('')}</nav>`;
}

/** Links to the board of each unit (names from `unitNames`), the current one as plain text. */
function unitLinks(input: BoardInput): string {
	const units = Object.entries(input.unitNames ?? {}).sort(([, a], [, b]) => a.localeCompare(b));
	if (units.length === 0) return '';
	const current = input.orgUnit?.id;
	const parts = [
		current === undefined
			? '<span>All units</span>'
			: link(boardUrl(input.baseUrl, 1), 'All units'),
		...units.map(([id, name]) =>
			Number(id) === current
				? `<span>${t(name)}</span>`
				: link(boardUrl(input.baseUrl, 1, Number(id)), name),
		),
	];
	return `<nav class="nav">Units: ${parts.join('')}</nav>`;
}

/** The board as a complete HTML page. */
export function renderBoard(input: BoardInput): string {
	const pages = pageCount(input.total, input.pageSize);
	const current = Math.min(Math.max(1, Math.floor(input.page) || 1), pages);
	const status = input.status ?? 'open';
	const scope = input.orgUnit ? input.orgUnit.name : 'all units';
	const title = `Cases (${status}) — ${scope}`;
	const body = [
		`<header><h1>${t(title)}</h1></header>`,
		'<main>',
		`<p class="muted">${t(input.total)} case${input.total === 1 ? '' : 's'}, newest activity first.${
			input.orgUnit ? ` ${link(boardUrl(input.baseUrl, 1), 'Show all units')}` : ''
		}</p>`,
		unitLinks(input),
		pager(input, pages, current),
		'<table>',
		'<thead><tr><th>Number</th><th>Title</th><th>Requester</th><th>Status</th><th>Last activity (UTC)</th><th>Responsible</th></tr></thead>',
		`<tbody>${input.cases.map((c) => row(c, input)).join('\n')}</tbody>`,
		'</table>',
		input.cases.length === 0 ? '<p class="muted">No cases.</p>' : '',
		pager(input, pages, current),
		'</main>',
	].join('\n');
	return page(title, body);
}
