import type {
	ICredentialsDecrypted,
	ICredentialTestFunctions,
	INodeCredentialTestResult,
} from 'n8n-workflow';
import { openStore, type Store } from '../../lib/store';
import { errorMessage } from './errors';
import { storeConfigFrom } from './store';

/**
 * The "Test" button of the Mail Cases Store credential: opens the store with the entered
 * settings on a fresh connection (applying the schema on first use) and reports the schema
 * version and how many cases it holds, or what is wrong. Messages name the file or
 * user@host:port/database, never the password.
 */
export async function mailCasesStoreTest(
	this: ICredentialTestFunctions,
	credential: ICredentialsDecrypted,
): Promise<INodeCredentialTestResult> {
	let store: Store | undefined;
	try {
		store = await openStore(storeConfigFrom(credential.data ?? {}));
		const version = await store.schemaVersion();
		const cases = await store.countCases();
		return {
			status: 'OK',
			message: `Connected to ${store.description}: schema version ${version}, ${cases} ${cases === 1 ? 'case' : 'cases'}`,
		};
	} catch (error) {
		return { status: 'Error', message: errorMessage(error) };
	} finally {
		await store?.close().catch(() => undefined);
	}
}
