import type {
	ICredentialDataDecryptedObject,
	ICredentialsDecrypted,
	ICredentialTestFunctions,
	INodeCredentialTestResult,
} from 'n8n-workflow';
import { testExchangeProfile } from '../../lib/protocols/graph/graph-connection-test';
import { testMailboxProfile } from '../../lib/protocols/mailbox-connection-test';
import { testSmtpProfile } from '../../lib/protocols/smtp/smtp-connection-test';
import { errorMessage } from './errors';
import { exchangeProfileFrom, mailboxProfileFrom, smtpProfileFrom } from './profiles';

type CredentialTest = (
	this: ICredentialTestFunctions,
	credential: ICredentialsDecrypted,
) => Promise<INodeCredentialTestResult>;

/** A "Test" button of a profile dialog: the profile's connection test, its message or error. */
function profileTest<P>(
	profileFrom: (data: ICredentialDataDecryptedObject) => P,
	test: (profile: P) => Promise<{ message: string }>,
): CredentialTest {
	return async function (credential) {
		try {
			const result = await test(profileFrom(credential.data ?? {}));
			return { status: 'OK', message: result.message };
		} catch (error) {
			return { status: 'Error', message: errorMessage(error) };
		}
	};
}

/**
 * R-OUT-7, credential test `mailCasesSmtpTest` (Send Mail): connects, authenticates and, with a
 * test recipient, sends a test mail; a failure says what is wrong, never the password.
 */
export const mailCasesSmtpTest = profileTest(smtpProfileFrom, testSmtpProfile);

/**
 * R-IN-3, credential test `mailCasesMailboxTest` (Mail Cases Trigger): logs in and counts the
 * mails in the folder or inbox, or says what is wrong.
 */
export const mailCasesMailboxTest = profileTest(mailboxProfileFrom, testMailboxProfile);

/**
 * R-EXO-2, credential test `mailCasesExchangeTest` (Mail Cases Trigger and Send Mail): gets a
 * token from Microsoft Entra ID, reads the folder through Graph and reports how many mails are in
 * it; with a test recipient it also sends a test mail. A failure says which part of the profile is
 * wrong (tenant, client id, secret or certificate, permission, mailbox, folder), never the secret.
 */
export const mailCasesExchangeTest = profileTest(exchangeProfileFrom, testExchangeProfile);
