/**
 * Credential data of the package's mail profiles pointing at the test Dovecot/Postfix, as a user
 * enters it in n8n's credential dialog. `trustCa: false` leaves the CA certificate out (the e2e
 * n8n trusts the test CA through NODE_EXTRA_CA_CERTS, as a company n8n trusts its own CA).
 */
import { getStack, stackUser } from './mail-stack';

interface Trust {
	trustCa?: boolean;
}

const ca = ({ trustCa = true }: Trust): Record<string, string> =>
	trustCa ? { caCertificate: getStack().caPem } : {};

/** "Mail Cases Mailbox Profile": IMAPS on the user's INBOX. */
export function mailboxCredentialData(
	user: string,
	trust: Trust = {},
): Record<string, string | number> {
	const stack = getStack();
	const u = stackUser(user);
	return {
		protocol: 'imap',
		host: stack.host,
		tls: 'implicit',
		port: stack.ports.imaps,
		user: u.address,
		password: u.password,
		folder: 'INBOX',
		...ca(trust),
	};
}

/** "Mail Cases SMTP Profile": submission with STARTTLS, the user's login and address. */
export function smtpCredentialData(
	user: string,
	extra: Record<string, string | number | boolean> = {},
	trust: Trust = {},
): Record<string, string | number | boolean> {
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
		fromName: 'Vorgänge',
		...ca(trust),
		...extra,
	};
}
