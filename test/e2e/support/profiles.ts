/**
 * Credential data for the e2e n8n: as the tests' profiles, without a CA certificate — n8n trusts
 * the test CA through NODE_EXTRA_CA_CERTS, as a user's n8n would trust their company CA.
 */
import { mailboxCredentialData, smtpCredentialData } from '../../support/credential-data';

export function mailboxData(user: string) {
	return mailboxCredentialData(user, { trustCa: false });
}

export function smtpData(user: string, extra: Record<string, string | number | boolean> = {}) {
	return smtpCredentialData(user, { fromName: 'E2E Kundenservice', ...extra }, { trustCa: false });
}
