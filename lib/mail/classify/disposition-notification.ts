import { parseContentType, type MailFilter } from './context';

/** Read receipts / MDNs (RFC 8098): `report-type=disposition-notification` → autoReply. */
export const dispositionNotification: MailFilter = (ctx) => {
	const contentType = parseContentType(ctx.header('content-type'));
	const reportType = (contentType.params['report-type'] ?? '').toLowerCase();
	const declared =
		contentType.type === 'multipart/report' && reportType === 'disposition-notification';
	const hasPart = (ctx.message.attachments ?? []).some(
		(p) => p.contentType === 'message/disposition-notification',
	);
	if (declared || hasPart) ctx.hit('autoReply', 'message disposition notification (read receipt)');
};
