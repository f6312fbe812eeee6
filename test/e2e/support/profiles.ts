/**
 * Credential data of the package's profiles pointing at the test Dovecot/Postfix, as a user
 * would enter them in n8n's credential dialog.
 */
import { getStack, stackUser } from '../../support/mail-stack';

export function mailboxData(user: string) {
	const stack = getStack();
	const u = stackUser(user);
	// No CA certificate in the profile: n8n trusts the test CA through NODE_EXTRA_CA_CERTS, as a
	// user's n8n would trust their company CA.
	return {
		protocol: 'imap',
		host: stack.host,
		tls: 'implicit',
		port: stack.ports.imaps,
		user: u.address,
		password: u.password,
		folder: 'INBOX',
	};
}

export function smtpData(user: string, extra: Record<string, unknown> = {}) {
	const stack = getStack();
	const u = stackUser(user);
	return {
		host: stack.host,
		protocol: 'smtp',
		port: stack.ports.submission,
		starttls: 'auto',
		user: u.address,
		password: u.password,
		fromAddress: u.address,
		fromName: 'E2E Kundenservice',
		...extra,
	};
}
