import type { ICredentialsDecrypted, ICredentialTestFunctions, INodeCredentialTestResult } from 'n8n-workflow';
import { testExchangeProfile } from '../../lib/protocols/graph/graph-connection-test';
import { errorMessage } from './errors';
import { exchangeProfileFrom } from './profiles';

/**
 * R-EXO-2, R-IN-3 analogue: the "Test" button of the Exchange profile dialog (credential test
 * `mailCasesExchangeTest` of the Mail Cases Trigger and of Send Mail). Gets a token from
 * Microsoft Entra ID, reads the folder through Graph and reports how many mails are in it; with a
 * test recipient it also sends a test mail. A failure says which part of the profile is wrong
 * (tenant, client id, secret or certificate, permission, mailbox, folder) and never shows the
 * secret.
 */
export async function exchangeCredentialTest(this: ICredentialTestFunctions, credential: ICredentialsDecrypted): Promise<INodeCredentialTestResult> {
	try {
		const result = await testExchangeProfile(exchangeProfileFrom(credential.data ?? {}));
		return { status: 'OK', message: result.message };
	} catch (error) {
		return { status: 'Error', message: errorMessage(error) };
	}
}
