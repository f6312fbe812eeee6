/**
 * Who and what the demo uses: mailboxes of the local mail stack, the case workflow, org units
 * and contacts seeded into the case store, and the names shared by the other demo files.
 */
import type { ContactInput, OrgUnitInput, WorkflowInput } from '../lib/store';

/** Extra local parts of the mail stack (all @example.test), besides its test users. */
export const DEMO_USERS = {
	/** The support mailbox the ticket template reads and sends from. */
	inbox: 'kundenservice',
	/** The customer: writes the request and the reply, receives the acknowledgement. */
	customer: 'erika.mustermann',
	/** Members of the inbound workplace: receive the notifications. */
	agents: ['max.berger', 'lena.koch'],
	/** Sends the out-of-office reply; must receive nothing. */
	absent: 'jonas.schmidt',
} as const;

export const DEMO_USER_NAMES = [
	DEMO_USERS.inbox,
	DEMO_USERS.customer,
	...DEMO_USERS.agents,
	DEMO_USERS.absent,
];

export const DOMAIN = 'example.test';
export const addressOf = (user: string) => `${user}@${DOMAIN}`;

export const CASE_WORKFLOW: WorkflowInput = {
	name: 'Allgemeine Anfrage',
	fields: [
		{ name: 'Name', type: 'text' },
		{ name: 'Telefon', type: 'text', optional: true },
		{ name: 'Vertragsnummer', type: 'text', optional: true },
	],
};

export const INBOUND_WORKPLACE = 'Kundenservice';

export const ORG_UNITS: OrgUnitInput[] = [
	{ name: INBOUND_WORKPLACE, members: DEMO_USERS.agents.map(addressOf) },
	{ name: 'Vertrieb', members: [addressOf('dave')] },
];

export const CONTACTS: ContactInput[] = [
	{
		email: addressOf(DEMO_USERS.customer),
		firstName: 'Erika',
		lastName: 'Mustermann',
		company: 'Mustermann & Söhne GmbH',
	},
];

/** Values the reply sets with `Field = Value` lines. */
export const REPLY_FIELDS = { Telefon: '0221 123456', Vertragsnummer: 'V-2024-0815' };
