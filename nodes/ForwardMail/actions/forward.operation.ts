import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
} from 'n8n-workflow';
import { mailLedgerKey } from '../../../lib/cases/mail-ledger-key';
import { MailCasesError } from '../../../lib/errors';
import {
	composeForward,
	forwardLedgerKey,
	forwardLoopConflicts,
	mailboxAddresses,
	resentHeaders,
	type ForwardLanguage,
	type ForwardMode,
} from '../../../lib/mail/compose-forward';
import { loopHeaders } from '../../../lib/mail/loop-header';
import {
	buildOutgoingMessage,
	newMessageId,
	parseRecipients,
} from '../../../lib/mail/outgoing-message';
import type { MailSender } from '../../../lib/protocols/mail-sender';
import type { Store } from '../../../lib/store';
import { mailFromItem } from '../../shared/mail-item';

interface ForwardParameters {
	addLoopHeader?: boolean;
	forwardOnce?: boolean;
	language?: ForwardLanguage;
	note?: string;
	ownAddresses?: string;
	subjectPrefix?: string;
}

function headerValues(headers: IDataObject | undefined, name: string): string[] {
	const value = headers?.[name];
	if (value === undefined || value === null) return [];
	return (Array.isArray(value) ? value : [value]).map(String);
}

/**
 * Addresses the forward must not go to: the mailbox the trigger read (from the item's
 * `mailbox`), the addresses the mail was delivered to (Delivered-To / X-Original-To when the
 * item has them), the From of the sending profile, and the Own Addresses option.
 */
export function ownAddressesOf(
	item: INodeExecutionData,
	sender: MailSender,
	option: string | undefined,
): string[] {
	const json = item.json as IDataObject;
	const mailbox = (json.mailbox ?? {}) as IDataObject;
	const headers = (json.headers ?? {}) as IDataObject;
	return [
		...mailboxAddresses(typeof mailbox.mailbox === 'string' ? mailbox.mailbox : ''),
		...[
			...headerValues(headers, 'delivered-to'),
			...headerValues(headers, 'x-original-to'),
		].flatMap((v) => mailboxAddresses(v)),
		sender.from.address,
		...parseRecipients('Own Addresses', option).map((a) => a.address),
	];
}

/** R-PROC-6a: forwards the mail of input item `itemIndex`. */
export async function forward(
	ctx: IExecuteFunctions,
	itemIndex: number,
	sender: MailSender,
	openStore: () => Promise<Store>,
	systemId: string,
): Promise<INodeExecutionData> {
	const item = ctx.getInputData()[itemIndex];
	const mode = ctx.getNodeParameter('forwardAs', itemIndex, 'attachment') as ForwardMode;
	const options = ctx.getNodeParameter('options', itemIndex, {}) as ForwardParameters;
	const targets = parseRecipients(
		'Forward To',
		ctx.getNodeParameter('forwardTo', itemIndex, '') as string,
	).map((a) => a.address);
	if (targets.length === 0)
		throw new MailCasesError('INVALID_INPUT', 'No forwarding address: enter one in "Forward To"');

	const conflicts = forwardLoopConflicts(
		targets,
		ownAddressesOf(item, sender, options.ownAddresses),
	);
	if (conflicts.length > 0) {
		throw new MailCasesError(
			'LOOP_DETECTED',
			`Refusing to forward to ${conflicts.join(', ')}: that is the mailbox the mail was read from or another address of this system. The forward would come straight back in (and be skipped as our own mail, or forwarded again and again). Choose another forwarding address.`,
		);
	}

	const mail = await mailFromItem(ctx, itemIndex, { withContent: mode === 'inline' });
	const forwardOnce = options.forwardOnce !== false;
	const mailKey = forwardOnce ? mailLedgerKey(mail) : undefined;
	const ledgerKey = mailKey ? forwardLedgerKey(mailKey, targets) : undefined;
	const store = ledgerKey ? await openStore() : undefined;
	const base: IDataObject = {
		to: targets,
		mode,
		sendThrough: sender.kind,
		profileIsDefault: sender.isDefault,
	};
	const done = (result: IDataObject): INodeExecutionData => ({
		json: { ...item.json, forward: { ...base, ...result } },
		binary: item.binary,
		pairedItem: { item: itemIndex },
	});

	if (store && ledgerKey) {
		const earlier = await store.ledger.lookup(ledgerKey);
		if (earlier) {
			return done({
				forwarded: false,
				replayed: true,
				reason: 'This mail was forwarded to these addresses before (the same mail processed again)',
				forwardedAt: earlier.processedAt.toISOString(),
			});
		}
	}

	const composed = composeForward(mail, {
		mode,
		note: options.note,
		subjectPrefix: options.subjectPrefix,
		language: options.language,
	});
	const messageId = newMessageId(sender.from.address);
	const message = buildOutgoingMessage({
		from: sender.from,
		to: targets,
		subject: composed.subject,
		text: composed.text,
		html: composed.html,
		attachments: composed.attachments,
		headers: {
			...(options.addLoopHeader === false ? {} : loopHeaders(systemId)),
			...resentHeaders({ from: sender.from.address, to: targets, messageId, date: new Date() }),
		},
		references: composed.references,
		messageId,
	});
	const result = await sender.send(message);
	// Recorded after sending: a failed send leaves no record, so the retry forwards (at least once).
	if (store && ledgerKey) {
		await store.ledger.recordOutcome({
			messageKey: ledgerKey,
			outcome: 'forwarded',
			detail: `${mailKey} forwarded to ${targets.join(', ')}`.slice(0, 1000),
		});
	}
	return done({
		forwarded: true,
		replayed: false,
		messageId: result.messageId || message.messageId,
		subject: message.subject,
		accepted: result.accepted,
		rejected: result.rejected,
		from: message.from.address,
	});
}
