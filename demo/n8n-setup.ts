/**
 * What a user clicks together in the editor: an IMAP mailbox profile and an SMTP profile for
 * the support mailbox, and the ticket-system template imported with them and switched on.
 */
import type { CreatedWorkflow, N8nRest, WorkflowDefinition } from '../test/e2e/support/n8n-rest';
import { mailboxData, smtpData } from '../test/e2e/support/profiles';
import { loadTemplate } from '../test/support/templates';
import { DEMO_USERS, CASE_WORKFLOW, INBOUND_WORKPLACE } from './demo-data';

export interface DemoWorkflow extends CreatedWorkflow {
	name: string;
	credentials: string[];
}

/** Creates the two profiles, imports the ticket template with them and activates it. */
export async function importTicketSystem(rest: N8nRest): Promise<DemoWorkflow> {
	const mailbox = await rest.createCredential(
		'Demo: Postfach kundenservice@ (IMAPS)',
		'mailCasesMailbox',
		mailboxData(DEMO_USERS.inbox),
	);
	const smtp = await rest.createCredential(
		'Demo: SMTP kundenservice@ (Submission)',
		'mailCasesSmtp',
		smtpData(DEMO_USERS.inbox, { fromName: 'Kundenservice (Demo)' }),
	);
	// No store credential: the nodes use the embedded SQLite store of the n8n user folder.
	const template = loadTemplate('ticket-system', {
		credentials: { mailCasesMailbox: mailbox, mailCasesSmtp: smtp },
		parameters: {
			'Create Case From Mail': {
				workflow: CASE_WORKFLOW.name,
				inboundWorkplace: INBOUND_WORKPLACE,
			},
		},
	});
	const created = await rest.createWorkflow(template as unknown as WorkflowDefinition);
	await rest.activateWorkflow(created);
	return { ...created, name: template.name, credentials: [mailbox.name, smtp.name] };
}
