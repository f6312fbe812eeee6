import type {
	ICredentialDataDecryptedObject,
	IExecuteFunctions,
	ILoadOptionsFunctions,
} from 'n8n-workflow';
import {
	assertStoreShared,
	defaultSqlitePath,
	getStore,
	type Store,
	type StoreConfig,
} from '../../lib/store';

const str = (value: unknown) => (typeof value === 'string' ? value.trim() : '');

/** Credential "Mail Cases Store" → engine config. */
export function storeConfigFrom(data: ICredentialDataDecryptedObject): StoreConfig {
	const common = {
		caseNumberFormat: str(data.caseNumberFormat) || undefined,
		maxAttachmentBytesPerMail: data.maxAttachmentMb
			? Number(data.maxAttachmentMb) * 1024 * 1024
			: undefined,
	};
	if (data.kind === 'postgres') {
		return {
			kind: 'postgres',
			host: str(data.host) || 'localhost',
			port: Number(data.port) || 5432,
			database: str(data.database),
			user: str(data.user),
			password: typeof data.password === 'string' ? data.password : undefined,
			schema: str(data.schema) || undefined,
			// credential values: 'off' | 'noVerify' | 'verify' (names of earlier versions)
			ssl: data.ssl === 'verify' ? 'verify' : data.ssl === 'noVerify' ? 'require' : 'disable',
			caPem: data.ssl === 'verify' ? str(data.caCertificate) || undefined : undefined,
			...common,
		};
	}
	const path = str(data.path).replace(/^~(?=\/|$)/, process.env.HOME ?? '~');
	return { kind: 'sqlite', path: path || undefined, ...common };
}

/** The embedded default when a node has no store credential: mail-cases.sqlite in the n8n user folder. */
export function defaultStoreConfig(): StoreConfig {
	return { kind: 'sqlite', path: defaultSqlitePath() };
}

/**
 * The case store of a node: the "Mail Cases Store" credential when the node has one, else the
 * embedded SQLite file. Stores are cached per process (one pool / one database handle for all
 * executions).
 */
export async function storeFor(ctx: IExecuteFunctions | ILoadOptionsFunctions): Promise<Store> {
	// Only a node without the credential uses the embedded store; a credential that is set but
	// cannot be read is an error, never a silent switch to another database.
	// In queue mode and multi-main setups only a shared PostgreSQL store works (issue #15.1).
	if (!ctx.getNode().credentials?.mailCasesStore) {
		const config = defaultStoreConfig();
		assertStoreShared(config, false);
		return getStore(config);
	}
	const data = (await ctx.getCredentials('mailCasesStore')) as ICredentialDataDecryptedObject;
	const config = storeConfigFrom(data);
	assertStoreShared(config, true);
	return getStore(config);
}
