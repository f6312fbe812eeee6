import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import {
	forwardMail,
	type ForwardMailDeps,
	type ForwardMailInput,
} from '../../../lib/cases/use-cases/forward-mail';
import type { ForwardMode } from '../../../lib/mail/compose-forward';
import type { MailSender } from '../../../lib/protocols/mail-sender';
import { mailFromItem } from '../../shared/mail-item';

type ForwardOptions = Pick<
	ForwardMailInput,
	'addLoopHeader' | 'forwardOnce' | 'language' | 'note' | 'ownAddresses' | 'subjectPrefix'
>;

const strings = (value: unknown): string[] =>
	value === undefined || value === null ? [] : (Array.isArray(value) ? value : [value]).map(String);

/** Where the trigger's item says the mail came in: its mailbox, Delivered-To / X-Original-To. */
function receivedOf(json: IDataObject): ForwardMailInput['received'] {
	const mailbox = (json.mailbox ?? {}) as IDataObject;
	const headers = (json.headers ?? {}) as IDataObject;
	return {
		mailbox: typeof mailbox.mailbox === 'string' ? mailbox.mailbox : '',
		deliveredTo: [...strings(headers['delivered-to']), ...strings(headers['x-original-to'])],
	};
}

/** R-PROC-6a: forwards the mail of input item `itemIndex` (lib/cases/use-cases/forward-mail.ts). */
export async function forward(
	ctx: IExecuteFunctions,
	itemIndex: number,
	sender: MailSender,
	openStore: ForwardMailDeps['store'],
	systemId: string,
): Promise<INodeExecutionData> {
	const item = ctx.getInputData()[itemIndex];
	const mode = ctx.getNodeParameter('forwardAs', itemIndex, 'attachment') as ForwardMode;
	const options = ctx.getNodeParameter('options', itemIndex, {}) as ForwardOptions;
	const { kind, ...result } = await forwardMail(
		{ sender, store: openStore, systemId, now: () => new Date() },
		{
			...options,
			forwardTo: ctx.getNodeParameter('forwardTo', itemIndex, '') as string,
			mode,
			mail: () => mailFromItem(ctx, itemIndex, { withContent: mode === 'inline' }),
			received: receivedOf(item.json),
		},
	);
	const json = {
		mode,
		sendThrough: sender.kind,
		profileIsDefault: sender.isDefault,
		forwarded: kind === 'forwarded',
		replayed: kind === 'alreadySent',
		...result,
		...('forwardedAt' in result ? { forwardedAt: result.forwardedAt?.toISOString() } : {}),
	};
	return {
		json: { ...item.json, forward: json },
		binary: item.binary,
	};
}
