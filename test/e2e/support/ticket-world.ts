/**
 * What the template e2e tests need around a real n8n: the people (test mailboxes), a case
 * store seeded as an administrator would seed it, mail sent through Postfix, and readers that
 * count what arrived where.
 */
import path from 'node:path';
import nodemailer, { type SendMailOptions } from 'nodemailer';

import { closeAllStores, getStore, type Store, type StoreConfig } from '../../../lib/store';
import { pgTestStore } from '../../support/test-stores';
import {
	address,
	claimUser,
	listImap,
	smtpOptions,
	type ListedMessage,
} from '../../support/mail-stack';

/** Test mailboxes shared by the template tests of one n8n version. */
export interface People {
	agentA: string;
	agentB: string;
	customers: string[];
	backOffice: string;
}

export function claimPeople(): People {
	return {
		agentA: claimUser(),
		agentB: claimUser(),
		customers: [claimUser(), claimUser(), claimUser()],
		backOffice: claimUser(),
	};
}

/** The case workflow, inbound workplace and contacts one test creates (names unique per test). */
export interface Seeded {
	workflow: { id: number; name: string };
	unit: { id: number; name: string };
	contactIds: number[];
}

export async function seedStore(store: Store, people: People, tag: string): Promise<Seeded> {
	const workflow = await store.workflows.create({
		name: `Allgemeine Anfrage ${tag}`,
		active: true,
		fields: [
			{ name: 'Telefon', type: 'text', optional: true },
			{ name: 'Vertragsnummer', type: 'text', optional: true },
		],
	});
	const unit = await store.orgUnits.create({
		name: `Kundenservice ${tag}`,
		kind: 'org_unit',
		members: [address(people.agentA), address(people.agentB)],
	});
	const contactIds: number[] = [];
	for (const [i, customer] of people.customers.entries()) {
		const contact = await store.contacts.create({
			email: address(customer),
			firstName: ['Erika', 'Jürgen', 'Özlem'][i] ?? 'Kunde',
			lastName: 'Mustermann',
		});
		contactIds.push(contact.id);
	}
	return {
		workflow: { id: workflow.id, name: workflow.name },
		unit: { id: unit.id, name: unit.name },
		contactIds,
	};
}

/** The embedded store of an n8n user folder, as the nodes open it there. */
export function embeddedStoreConfig(userFolder: string): StoreConfig {
	return { kind: 'sqlite', path: path.join(userFolder, '.n8n', 'mail-cases.sqlite') };
}

/** A fresh PostgreSQL schema (test/support/test-stores.ts); `via` routes n8n through a relay. */
export function freshPgSchema(via?: { host: string; port: number }) {
	return pgTestStore('mc_e2e', via);
}

export { closeAllStores, getStore };

/** Sends a mail through the test Postfix (port-25 relay); Postfix delivers it to Dovecot. */
export async function sendViaPostfix(mail: SendMailOptions): Promise<string> {
	const transport = nodemailer.createTransport(smtpOptions('smtp'));
	try {
		const info = await transport.sendMail(mail);
		return info.messageId;
	} finally {
		transport.close();
	}
}

/** Our case reference in a subject: `[#2026-000123-k7q2mz]` (signed, issue #11.7) or `[#2026-000123]`. */
export const CASE_REF = /\[#(\d{4}-\d{6})(?:-[0-9a-z]{6})?\]/;

/** Whether a subject carries the reference of case `number`, signed or not. */
export const hasCaseRef = (subject: string, number: string) =>
	subject.includes(`[#${number}]`) || subject.includes(`[#${number}-`);

/**
 * Mails of a mailbox whose subject carries `[#number-tag]` and `token` (a word unique to the
 * test: case numbers repeat across the tests' stores, the mailboxes are shared).
 */
export async function mailsForCase(
	user: string,
	number: string,
	token: string,
): Promise<ListedMessage[]> {
	return (await listImap(user)).filter(
		(m) => hasCaseRef(m.subject, number) && m.subject.includes(token),
	);
}

/** Distinct Message-IDs of a list of mails (a resent duplicate carries the same one). */
export const distinctIds = (mails: ListedMessage[]) => new Set(mails.map((m) => m.messageId)).size;
