import type { IDataObject, INodeExecutionData } from 'n8n-workflow';
import { INVISIBLE_CHARACTERS } from '../../lib/mail/display-text';

/**
 * Facts about the mail an item carries and what the nodes before did with it, read from the
 * item's JSON (the trigger's fields plus what Case Match, Create Case, Add to Case, Notify
 * Responsible, Send Mail and Forward Mail added). Used for the execution's custom data (#14.3)
 * and for error messages that name the mail and what was already done (#14.4). Every text from
 * the mail is a stranger's: control and invisible characters are removed, whitespace is folded
 * and the text is cut to a length.
 */

/** `text` on one line without control or invisible characters, at most `max` characters. */
export function plainText(value: unknown, max: number): string {
	if (typeof value !== 'string' && typeof value !== 'number') return '';
	const text = String(value)
		.replace(/[\r\n\t]+/g, ' ')
		.replace(INVISIBLE_CHARACTERS, '')
		.replace(/\s+/g, ' ')
		.trim();
	return cut(text, max);
}

/** `text` cut to `max` characters, the cut marked with an ellipsis. */
export function cut(text: string, max: number): string {
	if (text.length <= max) return text;
	if (max <= 1) return text.slice(0, max);
	return `${[...text.slice(0, max - 1)].join('').replace(/[\ud800-\udbff]$/, '')}…`;
}

const object = (value: unknown): IDataObject | undefined =>
	value && typeof value === 'object' && !Array.isArray(value) ? (value as IDataObject) : undefined;

/** The mail an item carries, as far as its JSON tells (null when the item is not a mail). */
export interface MailFacts {
	subject: string;
	/** The sender's address ('' when the mail had none). */
	from: string;
	messageId: string;
	/** The trigger's key of the mail: the Message-ID, or `sha256:…` for a mail without one. */
	messageKey: string;
}

const SUBJECT_MAX = 120;
const ADDRESS_MAX = 120;
const ID_MAX = 200;

export function mailFactsOf(json: IDataObject | undefined): MailFacts | null {
	if (!json) return null;
	const messageId = plainText(json.messageId, ID_MAX);
	const messageKey = plainText(json.messageKey, ID_MAX);
	const fromObject = object(json.from);
	const from = plainText(
		fromObject ? fromObject.address : typeof json.from === 'string' ? json.from : '',
		ADDRESS_MAX,
	);
	const hasSubject = typeof json.subject === 'string';
	// A mail item has the trigger's key or Message-ID and a subject or a sender.
	if (!messageId && !messageKey) return null;
	if (!hasSubject && !from) return null;
	return { subject: plainText(json.subject, SUBJECT_MAX), from, messageId, messageKey };
}

/** `"Anfrage" from erika@example.com (Message-ID <a@b>)` — the mail as a message names it. */
export function describeMail(mail: MailFacts): string {
	const subject = mail.subject ? `"${mail.subject}"` : '(no subject)';
	const from = mail.from ? ` from ${mail.from}` : ' (no sender)';
	let id: string;
	if (mail.messageId) id = `Message-ID ${mail.messageId}`;
	else if (mail.messageKey) id = `no Message-ID, key ${mail.messageKey}`;
	else id = 'no Message-ID';
	return `${subject}${from} (${id})`;
}

/** The case an item is on: its number, when the item JSON names one. */
export function caseNumberOf(json: IDataObject | undefined): string {
	if (!json) return '';
	const theCase = object(json.case);
	const number =
		theCase?.number ??
		object(json.notification)?.caseNumber ??
		json.caseNumber ??
		object(json.skipped)?.caseNumber ??
		object(json.deliveryFailure)?.caseNumber;
	return plainText(number ?? '', 40);
}

const count = (value: unknown): number => (Array.isArray(value) ? value.length : 0);

/**
 * What the nodes before did with the mail of an item, in the order of the template
 * (case found/created, mail added, fields changed, agents notified, mail sent, forwarded):
 * `["case 1042 created", "agents notified (2 recipients)"]`.
 */
export function doneFactsOf(json: IDataObject | undefined): string[] {
	if (!json) return [];
	const done: string[] = [];
	const theCase = object(json.case);
	const number = plainText(theCase?.number ?? '', 40);
	if (number) {
		if (object(json.caseMatch)) done.push(`case ${number} found`);
		else if ('activityId' in json)
			done.push(
				json.replayed === true
					? `case ${number} had been created by an earlier run`
					: `case ${number} created`,
			);
		else done.push(`case ${number} found`);
	}
	const activity = object(json.activity);
	if (activity && number) done.push(`mail added to case ${number}`);
	const fields = object(json.fields);
	const changed = count(fields?.changed);
	if (changed > 0) done.push(`${changed} field${changed === 1 ? '' : 's'} changed`);
	const notification = object(json.notification);
	if (notification) {
		const recipients = count(notification.recipients);
		const whom = recipients > 0 ? ` (${recipients} recipient${recipients === 1 ? '' : 's'})` : '';
		if (notification.notified === true) done.push(`agents notified${whom}`);
		else if (notification.replayed === true) done.push('agents notified by an earlier run');
		else if (notification.outcome === 'rejected')
			done.push('the notification was rejected permanently (recorded on the case)');
	}
	if (json.sent === true) done.push('mail sent');
	else if (json.sent === false && json.replayed === true) done.push('mail sent by an earlier run');
	else if (json.sent === false && json.outcome === 'rejected')
		done.push('the mail was rejected permanently (recorded on the case)');
	const forward = object(json.forward);
	if (forward?.forwarded === true) done.push('mail forwarded');
	else if (forward?.replayed === true) done.push('mail forwarded by an earlier run');
	return done;
}

/** Only the first `max` entries, the rest as "+N more". */
export function listWithMore(values: string[], maxLength: number): string {
	let text = '';
	for (let i = 0; i < values.length; i++) {
		const more = values.length - i - 1;
		const next = text ? `${text}, ${values[i]}` : values[i];
		const suffix = more > 0 ? ` (+${more} more)` : '';
		if ((next + suffix).length > maxLength) {
			const rest = values.length - i;
			return text ? `${text} (+${rest} more)` : cut(`${values[i]}${suffix}`, maxLength);
		}
		text = next;
	}
	return text;
}

/** Items' JSON objects (undefined entries left out). */
export function jsonOf(items: INodeExecutionData[]): IDataObject[] {
	return items.map((item) => item?.json).filter((json): json is IDataObject => !!json);
}
