/**
 * #18 The desk's HTTP answers, read from the store: a board page, a case page, or a stored
 * attachment of a case — each as bytes with the headers a Respond to Webhook node sends
 * (content type, disposition, CSP, nosniff). An attachment is always sent as a download
 * (`application/octet-stream`, `Content-Disposition: attachment`): its declared type came from
 * a stranger and must not make the browser render it on n8n's origin.
 */
import { MailCasesError } from '../errors';
import type { Store } from '../store';
import { renderBoard } from './board';
import { renderCase } from './case-page';
import { DESK_CSP } from './html';

export interface DeskResponse {
	body: Buffer;
	fileName: string;
	contentType: string;
	contentDisposition: string;
	contentSecurityPolicy: string;
	/** The page's HTML (pages only). */
	html?: string;
}

/** Page size of the board (50, at most 200). */
export const BOARD_PAGE_SIZE = 50;

function htmlResponse(html: string, fileName: string): DeskResponse {
	return {
		body: Buffer.from(html, 'utf8'),
		fileName,
		contentType: 'text/html; charset=utf-8',
		contentDisposition: 'inline',
		contentSecurityPolicy: DESK_CSP,
		html,
	};
}

async function unitNames(store: Store): Promise<Record<number, string>> {
	const names: Record<number, string> = {};
	for (const unit of await store.orgUnits.list()) names[unit.id] = unit.name;
	return names;
}

/** A 1-based page number from a query value; anything else is page 1. */
export function pageNumber(value: unknown): number {
	const n = Number(typeof value === 'string' ? value.trim() : value);
	return Number.isInteger(n) && n > 0 ? Math.min(n, 1_000_000) : 1;
}

export interface BoardRequest {
	page?: unknown;
	pageSize?: number;
	/** Org unit id; undefined: all units. */
	orgUnitId?: number;
	status?: string;
	baseUrl: string;
}

/** The board page. */
export async function boardResponse(store: Store, request: BoardRequest): Promise<DeskResponse> {
	const pageSize = Math.min(Math.max(Math.floor(request.pageSize ?? BOARD_PAGE_SIZE), 1), 200);
	const names = await unitNames(store);
	const orgUnit =
		request.orgUnitId === undefined
			? undefined
			: { id: request.orgUnitId, name: names[request.orgUnitId] ?? `#${request.orgUnitId}` };
	const status = request.status ?? 'open';
	let page = pageNumber(request.page);
	const filter = { status, responsibleOrgUnitId: request.orgUnitId, limit: pageSize };
	let found = await store.cases.board({ ...filter, offset: (page - 1) * pageSize });
	const last = Math.max(1, Math.ceil(found.total / pageSize));
	if (page > last) {
		page = last;
		found = await store.cases.board({ ...filter, offset: (page - 1) * pageSize });
	}
	const html = renderBoard({
		cases: found.cases,
		page,
		pageSize,
		total: found.total,
		orgUnit,
		unitNames: names,
		status,
		baseUrl: request.baseUrl,
	});
	return htmlResponse(html, 'cases.html');
}

export interface CaseRequest {
	caseNumber: string;
	/** An attachment of the case to download instead of the page. */
	attachmentId?: number;
	baseUrl: string;
	formBaseUrl?: string;
}

/** `filename` (ASCII, no quotes or controls) and `filename*` (UTF-8) for a download. */
export function attachmentDisposition(fileName: string): string {
	const cleaned = [...fileName].filter((ch) => ch >= ' ' && ch !== '\u007f').join('');
	const ascii = [...cleaned]
		.map((ch) => (ch <= '~' && ch !== '"' && ch !== '\\' ? ch : '_'))
		.join('');
	return `attachment; filename="${ascii || 'attachment'}"; filename*=UTF-8''${encodeURIComponent(cleaned || 'attachment')}`;
}

/** The case page, or one of the case's stored attachments. */
export async function caseResponse(store: Store, request: CaseRequest): Promise<DeskResponse> {
	const found = await store.cases.requireByNumber(request.caseNumber);
	const history = await store.activities.listForCase(found.id, { limit: 5000 });
	if (request.attachmentId !== undefined) {
		const attachment = history
			.flatMap((a) => a.attachments)
			.find((a) => a.id === request.attachmentId);
		if (!attachment)
			throw new MailCasesError(
				'NOT_FOUND',
				`Case ${found.number} has no attachment ${request.attachmentId}; open the case page and use its links`,
			);
		const content = await store.activities.getAttachmentContent(attachment.id);
		if (content === null)
			throw new MailCasesError(
				'NOT_FOUND',
				`Attachment ${attachment.id} (${attachment.fileName}) of case ${found.number} was not stored: only its name and size were kept (e.g. it was over the attachment size limit when the mail came in)`,
			);
		return {
			body: content,
			fileName: attachment.fileName,
			contentType: 'application/octet-stream',
			contentDisposition: attachmentDisposition(attachment.fileName),
			contentSecurityPolicy: "default-src 'none'; sandbox",
		};
	}
	const workflow = await store.workflows.get(found.workflowId);
	const html = renderCase({
		case: found,
		fields: workflow?.fields ?? [],
		history,
		unitNames: await unitNames(store),
		baseUrl: request.baseUrl,
		formBaseUrl: request.formBaseUrl,
	});
	return htmlResponse(html, `case-${found.number}.html`);
}
