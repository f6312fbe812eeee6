import type { IExecuteFunctions } from 'n8n-workflow';
import { MailCasesError } from '../../../lib/errors';
import type { OutgoingAttachment } from '../../../lib/mail/outgoing-message';

/** The item's binary properties named in "Attachments" (comma-separated), as mail attachments. */
export async function readAttachments(
	ctx: IExecuteFunctions,
	itemIndex: number,
	names: string,
): Promise<OutgoingAttachment[]> {
	const result: OutgoingAttachment[] = [];
	for (const name of names
		.split(',')
		.map((n) => n.trim())
		.filter(Boolean)) {
		const item = ctx.getInputData()[itemIndex];
		if (!item.binary?.[name]) {
			throw new MailCasesError(
				'INVALID_INPUT',
				`The input item has no binary property "${name}" to attach.`,
			);
		}
		const meta = ctx.helpers.assertBinaryData(itemIndex, name);
		const content = await ctx.helpers.getBinaryDataBuffer(itemIndex, name);
		result.push({ filename: meta.fileName ?? name, content, contentType: meta.mimeType });
	}
	return result;
}
