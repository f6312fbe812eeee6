/**
 * #18 templates/case-reply-form.json in n8n's real engine with the real case store and the real
 * Postfix → Dovecot: a submitted Reply Form sends the agent's answer through the default SMTP
 * profile to the requester — signed reference in the subject, the last mail quoted, threaded to
 * it — and records it on the case; the customer's answer to it finds the case. The Note, Fields,
 * Status and Handover forms change the case with the agent recorded. n8n's Form Trigger is a
 * stand-in (test/support/desk-stand-ins.ts) that passes the submitted fields on, as n8n does.
 */
import type { IDataObject } from 'n8n-workflow';
import { closeAllStores, getStore, type Store } from '../../lib/store';
import { storeConfigFrom } from '../../nodes/shared/store';
import { smtpCredentialData } from '../support/credential-data';
import { DESK_STAND_INS, deskTemplate } from '../support/desk-stand-ins';
import { claimUser, stackUser, waitForMail } from '../support/mail-stack';
import { runWorkflow, shutdownN8nEngine } from '../support/n8n';
import { packageCredentialTypes, packageNodeTypes } from '../support/package-nodes';
import { testStore, type TestStore } from '../support/test-stores';

jest.setTimeout(120_000);

const nodeTypes = { ...packageNodeTypes(), ...DESK_STAND_INS };
const support = claimUser();
const customer = claimUser();
const CUSTOMER = stackUser(customer).address;

let site: TestStore;
let store: Store;
let caseNumber: string;
let caseId: number;

beforeAll(async () => {
	site = testStore('sqlite', 'desk-forms');
	store = await getStore(storeConfigFrom(site.credential));
	const workflow = await store.workflows.create({
		name: 'Complaints',
		fields: [
			{ name: 'Name', type: 'text' },
			{ name: 'Amount', type: 'number', optional: true },
		],
	});
	const inbound = await store.orgUnits.create({ name: 'Support', members: ['agent@example.test'] });
	await store.orgUnits.create({ name: 'Billing', members: ['bill@example.test'] });
	const created = await store.ledger.createCaseFromMail({
		messageKey: 'mid:heating-1@customer.example',
		workflowId: workflow.id,
		responsibleOrgUnitId: inbound.id,
		title: 'Heating broken',
		requesterAddress: CUSTOMER,
		mail: {
			messageId: 'heating-1@customer.example',
			from: CUSTOMER,
			subject: 'Heating broken',
			text: 'My heating is broken.\nPlease help.',
		},
	});
	caseNumber = created.case!.number;
	caseId = created.case!.id;
});

afterAll(async () => {
	await closeAllStores();
	await site.drop();
	await shutdownN8nEngine();
});

async function submit(form: string, fields: IDataObject) {
	const result = await runWorkflow({
		workflow: deskTemplate('case-reply-form'),
		nodeTypes,
		credentialTypes: packageCredentialTypes(),
		credentials: {
			mailCasesStore: { store: site.credential },
			mailCasesSmtp: { 'REPLACE-smtp-profile': smtpCredentialData(support, { isDefault: true }) },
		},
		mode: 'trigger',
		startNodeName: form,
		triggerData: [
			[{ json: { submittedAt: new Date().toISOString(), formMode: 'production', ...fields } }],
		],
	});
	expect({ status: result.status, error: result.error?.message }).toEqual({
		status: 'success',
		error: undefined,
	});
	return result;
}

test('Reply Form: the answer reaches the customer with the signed reference, quoting the last mail, recorded on the case', async () => {
	await submit('Reply Form', {
		Case: caseNumber,
		Agent: 'agent@example.test',
		Message: 'We send a technician tomorrow.',
	});
	const mail = await waitForMail(customer, (m) => m.subject.includes(caseNumber), 30_000);
	expect(mail.subject).toMatch(new RegExp(`^Re: \\[#${caseNumber}-[a-z0-9]+\\] Heating broken$`));
	expect(mail.text).toContain('We send a technician tomorrow.');
	expect(mail.text).toContain('> My heating is broken.\n> Please help.');
	expect(mail.parsed.inReplyTo).toBe('<heating-1@customer.example>');
	const history = await store.activities.listForCase(caseId);
	const sent = history.find((a) => a.kind === 'outgoing_mail');
	expect(sent).toMatchObject({ outcome: 'sent', to: [CUSTOMER], subject: mail.subject });
	// the customer's answer to it (In-Reply-To our Message-ID) finds the case
	expect((await store.cases.findCaseByMessageIds([mail.messageId!]))?.id).toBe(caseId);
});

test('Note, Fields, Status and Handover forms change the case, the agent recorded', async () => {
	await submit('Note Form', {
		Case: caseNumber,
		Agent: 'agent@example.test',
		Note: 'Customer called',
	});
	await submit('Fields Form', {
		Case: caseNumber,
		Agent: 'agent@example.test',
		Fields: 'Name = Erika Schulz\nAmount = 12.50\nnot a field line',
	});
	await submit('Status Form', { Case: caseNumber, Agent: 'agent@example.test', Status: 'waiting' });
	await submit('Handover Form', {
		Case: caseNumber,
		Agent: 'lead@example.test',
		'Org Unit or Role': 'Billing',
	});
	const history = await store.activities.listForCase(caseId);
	expect(history.filter((a) => a.kind === 'note').map((a) => [a.from, a.text])).toContainEqual([
		'agent@example.test',
		'Customer called',
	]);
	const changes = history
		.filter((a) => a.kind === 'field_change')
		.map((a) => [a.fieldName, a.oldValue, a.newValue, a.changedBy]);
	const billing = await store.orgUnits.getByName('Billing');
	expect(changes).toEqual(
		expect.arrayContaining([
			['Name', null, 'Erika Schulz', 'agent@example.test'],
			['Amount', null, 12.5, 'agent@example.test'],
			['@status', 'open', 'waiting', 'agent@example.test'],
			['@responsibleOrgUnitId', expect.any(Number), billing!.id, 'lead@example.test'],
		]),
	);
});
