import type {
	IExecuteFunctions,
	INodeExecutionData,
	INodeProperties,
	IDisplayOptions,
} from 'n8n-workflow';
import type { DeskResponse } from '../../../../lib/desk/desk-pages';

/** Parameters and output shared by Render Board and Render Case (#18). */

export const baseUrlProperty = (displayOptions: IDisplayOptions): INodeProperties => ({
	displayName: 'Base URL',
	name: 'baseUrl',
	type: 'string',
	default: '/webhook',
	displayOptions,
	description:
		'URL under which the board (…/cases) and the case pages (…/case?number=NUMBER) are served: the Webhook URL without /cases, e.g. /webhook or https://n8n.example.com/webhook',
});

/**
 * The answer as an item for Respond to Webhook ("Respond With: Binary File"): the bytes in
 * binary property `data`, the headers to send in the JSON (contentType, contentDisposition,
 * contentSecurityPolicy) and, for pages, the HTML as `html`.
 */
export async function responseItem(
	ctx: IExecuteFunctions,
	itemIndex: number,
	response: DeskResponse,
	extra: Record<string, string | number>,
): Promise<INodeExecutionData[]> {
	const data = await ctx.helpers.prepareBinaryData(
		response.body,
		response.fileName,
		response.contentType,
	);
	return [
		{
			json: {
				...extra,
				...(response.html === undefined ? {} : { html: response.html }),
				fileName: response.fileName,
				contentType: response.contentType,
				contentDisposition: response.contentDisposition,
				contentSecurityPolicy: response.contentSecurityPolicy,
			},
			binary: { data },
			pairedItem: { item: itemIndex },
		},
	];
}
