/**
 * Sends the three sample mails one after the other and waits (bounded) for what the active
 * ticket workflow inside n8n should do with each; prints a line per effect seen.
 */
import type { Case, Store } from '../lib/store';
import { listImap, waitForMail, type ListedMessage } from '../test/support/mail-stack';
import { addressOf, DEMO_USERS, REPLY_FIELDS } from './demo-data';
import { hasCaseRef } from '../test/e2e/support/ticket-world';
import { sleep, waitFor } from '../test/e2e/support/wait';
import { detail, step } from './progress';
import { newRequest, outOfOffice, reply, sendThroughPostfix } from './sample-mails';

const EFFECT_MS = 60_000;

export interface ScenarioResult {
	caseNumber?: string;
	problems: string[];
}

// our subjects carry the signed reference `[#number-tag]` (issue #11.7)
const tagged = (number: string) => (m: ListedMessage) => hasCaseRef(m.subject, number);

async function notificationsOf(agent: string, number: string): Promise<ListedMessage[]> {
	return (await listImap(agent)).filter(tagged(number));
}

/** Waits until every agent holds `count` notifications about the case. */
async function waitForNotifications(number: string, count: number): Promise<void> {
	for (const agent of DEMO_USERS.agents) {
		const got = await waitFor(
			async () => {
				const list = await notificationsOf(agent, number);
				return list.length >= count ? list : undefined;
			},
			EFFECT_MS,
			`notification #${count} for ${addressOf(agent)}`,
		);
		detail(`✓ notified ${addressOf(agent)}: "${got[count - 1].subject}"`);
	}
}

async function newRequestStep(store: Store): Promise<{ kase: Case; ack: ListedMessage }> {
	const mail = newRequest();
	step(`mail 1: new request from ${addressOf(DEMO_USERS.customer)}: "${mail.subject}"`);
	await sendThroughPostfix(mail);
	const kase = await waitFor(
		async () => (await store.cases.list())[0],
		EFFECT_MS,
		'case in the store',
	);
	detail(`✓ case ${kase.number} opened: "${kase.title}"`);
	const ack = await waitForMail(DEMO_USERS.customer, tagged(kase.number), EFFECT_MS);
	detail(`✓ acknowledgement to ${addressOf(DEMO_USERS.customer)}: "${ack.subject}"`);
	await waitForNotifications(kase.number, 1);
	return { kase, ack };
}

async function replyStep(store: Store, number: string, ack: ListedMessage): Promise<void> {
	const mail = reply(ack);
	step(
		`mail 2: reply with ${Object.keys(REPLY_FIELDS)
			.map((f) => `"${f} = …"`)
			.join(', ')}: "${mail.subject}"`,
	);
	await sendThroughPostfix(mail);
	const updated = await waitFor(
		async () => {
			const kase = await store.cases.getByNumber(number);
			const set = Object.entries(REPLY_FIELDS).every(([f, v]) => kase?.fields[f] === v);
			return set ? kase : undefined;
		},
		EFFECT_MS,
		'field values on the case',
	);
	for (const field of Object.keys(REPLY_FIELDS))
		detail(`✓ field ${field} = ${String(updated.fields[field])}`);
	await waitForNotifications(number, 2);
}

async function outOfOfficeStep(store: Store): Promise<void> {
	const mail = outOfOffice();
	step(`mail 3: out-of-office from ${addressOf(DEMO_USERS.absent)}: "${mail.subject}"`);
	const before = await store.cases.count();
	await sendThroughPostfix(mail);
	// Give Postfix time to deliver it, then wait until the trigger removed it from the inbox.
	await sleep(2_000);
	await waitFor(
		async () => (await listImap(DEMO_USERS.inbox)).length === 0,
		EFFECT_MS,
		'empty support inbox',
	);
	await sleep(3_000); // anything the mail might wrongly cause would show by now
	const after = await store.cases.count();
	const answered = await listImap(DEMO_USERS.absent);
	if (after !== before) throw new Error(`the out-of-office reply opened a case (${after} cases)`);
	if (answered.length)
		throw new Error(`the out-of-office sender got mail: "${answered[0].subject}"`);
	detail('✓ skipped: no case opened, nobody answered, removed from the inbox');
}

export async function runScenario(store: Store): Promise<ScenarioResult> {
	const result: ScenarioResult = { problems: [] };
	const attempt = async (fn: () => Promise<void>) => {
		try {
			await fn();
			return true;
		} catch (error) {
			const message = (error as Error).message;
			detail(`✗ ${message}`);
			result.problems.push(message);
			return false;
		}
	};
	let ack: ListedMessage | undefined;
	await attempt(async () => {
		const first = await newRequestStep(store);
		result.caseNumber = first.kase.number;
		ack = first.ack;
	});
	if (result.caseNumber && ack) await attempt(() => replyStep(store, result.caseNumber!, ack!));
	await attempt(() => outOfOfficeStep(store));
	return result;
}
