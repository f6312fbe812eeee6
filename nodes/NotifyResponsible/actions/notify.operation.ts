import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
} from 'n8n-workflow';
import { mailLedgerKey } from '../../../lib/cases/mail-ledger-key';
import { recordSentOnCase, wasSentBefore } from '../../../lib/cases/sent-on-case';
import { MailCasesError } from '../../../lib/errors';
import {
	composeNotification,
	notificationMessageId,
	type NotificationLanguage,
} from '../../../lib/mail/compose-notification';
import { autoHeaders } from '../../../lib/mail/loop-header';
import { buildOutgoingMessage, parseRecipients } from '../../../lib/mail/outgoing-message';
import type { MailSender } from '../../../lib/protocols/mail-sender';
import type { Store } from '../../../lib/store';
import { mailFromItem } from '../../shared/mail-item';

interface NotifyOptions {
	additionalRecipients?: string;
	excerptLength?: number;
	language?: NotificationLanguage;
	includeSender?: boolean;
	replyTo?: string;
	subject?: string;
}

const lower = (a: string) => a.trim().toLowerCase();

/** R-PROC-3: one notification for the case of input item `itemIndex`. */
export async function notify(
	ctx: IExecuteFunctions,
	itemIndex: number,
	store: Store,
	sender: MailSender,
	systemId: string,
): Promise<INodeExecutionData> {
	const item = ctx.getInputData()[itemIndex];
	const mail = await mailFromItem(ctx, itemIndex);
	const options = ctx.getNodeParameter('options', itemIndex, {}) as NotifyOptions;
	const caseNumber = String(ctx.getNodeParameter('caseNumber', itemIndex, '') ?? '').trim();
	if (!caseNumber) {
		throw new MailCasesError(
			'INVALID_INPUT',
			'No case number: set "Case Number" (the item has no case.number)',
		);
	}
	const theCase = await store.cases.requireByNumber(caseNumber);
	const unit = await store.orgUnits.get(theCase.responsibleOrgUnitId);
	if (!unit)
		throw new MailCasesError(
			'NOT_FOUND',
			`Case ${caseNumber}: its responsible org unit ${theCase.responsibleOrgUnitId} does not exist`,
		);

	const senderAddress = mail.from?.address ? lower(mail.from.address) : '';
	const extra = parseRecipients('Additional Recipients', options.additionalRecipients).map(
		(a) => a.address,
	);
	const seen = new Set<string>();
	const recipients: string[] = [];
	for (const address of [...unit.members, ...extra]) {
		const key = lower(address);
		if (seen.has(key)) continue;
		seen.add(key);
		if (!options.includeSender && key === senderAddress) continue;
		recipients.push(address.trim());
	}
	const base: IDataObject = {
		caseNumber,
		caseId: theCase.id,
		orgUnit: { id: unit.id, name: unit.name, kind: unit.kind },
		sendThrough: sender.kind,
		profileIsDefault: sender.isDefault,
	};
	const done = (notification: IDataObject): INodeExecutionData => ({
		json: { ...item.json, notification: { ...base, ...notification } },
		binary: item.binary,
		pairedItem: { item: itemIndex },
	});

	if (recipients.length === 0) {
		if (unit.members.length === 0 && extra.length === 0) {
			throw new MailCasesError(
				'INVALID_INPUT',
				`Case ${caseNumber}: ${unit.kind === 'role' ? 'role' : 'org unit'} "${unit.name}" has no members with an e-mail address, so nobody can be notified. Add members or Additional Recipients.`,
			);
		}
		return done({
			notified: false,
			replayed: false,
			reason: 'The sender of the mail is the only one to notify',
			recipients: [],
		});
	}

	let mailKey: string | undefined;
	try {
		mailKey = mailLedgerKey(mail);
	} catch {
		mailKey = undefined; // no way to recognise the mail again: notify without the once-only check
	}
	const messageId = mailKey
		? notificationMessageId({
				systemId,
				mailKey,
				caseId: theCase.id,
				fromAddress: sender.from.address,
			})
		: undefined;
	if (await wasSentBefore(store.cases, messageId)) {
		return done({
			notified: false,
			replayed: true,
			reason: 'This mail was notified for this case before (the same mail processed again)',
			messageId,
			recipients,
		});
	}

	const composed = composeNotification({
		caseNumber: theCase.number,
		caseTitle: theCase.title,
		responsibleName: unit.name,
		mail,
		language: options.language,
		excerptLength: options.excerptLength,
		subject: options.subject,
		referenceKey: await store.caseReferenceKey(),
	});
	const message = buildOutgoingMessage({
		from: sender.from,
		to: recipients,
		replyTo: options.replyTo || undefined,
		subject: composed.subject,
		text: composed.text,
		html: composed.html,
		headers: autoHeaders(systemId),
		inReplyTo: composed.inReplyTo,
		references: composed.references,
		messageId,
	});
	const result = await sender.send(message);
	const sentId = result.messageId || message.messageId;
	// R-PLUS-4: a reply to the notification (In-Reply-To = this id) finds the case.
	await recordSentOnCase(store.cases, theCase, sentId);
	return done({
		notified: true,
		replayed: false,
		messageId: sentId,
		subject: message.subject,
		recipients,
		accepted: result.accepted,
		rejected: result.rejected,
		from: message.from.address,
	});
}
