/**
 * Our `ICredentialsHelper`: credentials are given decrypted, per type and id,
 * `{ imapProfile: { '1': { host: '127.0.0.1', … } } }`, and the node's
 * `credentials: { imapProfile: { id: '1', name: '…' } }` in the workflow JSON picks one.
 *
 * What n8n's server does that we keep (packages/cli credentials-helper.js `getDecrypted`):
 * the lookup by id AND type with its error messages, and — when the credential type is given —
 * filling in the defaults of the type's properties (`NodeHelpers.getNodeParameters`), so a
 * node sees e.g. a default port that the stored credential left out.
 * What we leave out: encryption, credential overwrites, expressions inside credential fields,
 * dynamic/external-secret resolution, `authenticate`/`preAuthentication` (HTTP auth) and tests.
 */
import type {
	ICredentialDataDecryptedObject,
	ICredentials,
	ICredentialType,
	IHttpRequestHelper,
	IHttpRequestOptions,
	INode,
	INodeCredentialsDetails,
	INodeParameters,
	INodeProperties,
	IRequestOptionsSimplified,
	IWorkflowExecuteAdditionalData,
	Workflow,
	WorkflowExecuteMode,
} from 'n8n-workflow';
import { ICredentialsHelper, NodeHelpers, UserError } from 'n8n-workflow';

/** `{ [credentialType]: { [credentialId]: decryptedData } }` */
export type CredentialsMap = Record<string, Record<string, ICredentialDataDecryptedObject>>;
export type CredentialTypeInput = ICredentialType | (new () => ICredentialType);

export class HarnessCredentialsHelper extends ICredentialsHelper {
	private readonly types = new Map<string, ICredentialType>();
	/** Every `getDecrypted` call, for tests that check which credential a node asked for. */
	readonly requests: Array<{ type: string; id: string | null; mode: WorkflowExecuteMode }> = [];

	private readonly store: CredentialsMap;

	constructor(store: CredentialsMap = {}, credentialTypes: CredentialTypeInput[] = []) {
		super();
		this.store = structuredClone(store);
		for (const input of credentialTypes) {
			const type = typeof input === 'function' ? new input() : input;
			this.types.set(type.name, type);
		}
	}

	getParentTypes(name: string): string[] {
		const parents = this.types.get(name)?.extends ?? [];
		return parents.flatMap((parent) => [parent, ...this.getParentTypes(parent)]);
	}

	isCredentialUsableByNode(credentialType: string, nodeType: string): boolean {
		const type = this.types.get(credentialType);
		if (!type?.restrictToSupportedNodes) return true;
		return (type.supportedNodes ?? []).includes(nodeType);
	}

	async authenticate(
		_credentials: ICredentialDataDecryptedObject,
		typeName: string,
		_requestOptions: IHttpRequestOptions | IRequestOptionsSimplified,
		_workflow?: Workflow,
		_node?: INode,
	): Promise<IHttpRequestOptions> {
		throw new Error(`The test harness does not implement credential authentication (${typeName})`);
	}

	async preAuthentication(
		_helpers: IHttpRequestHelper,
		_credentials: ICredentialDataDecryptedObject,
		typeName: string,
	): Promise<ICredentialDataDecryptedObject | undefined> {
		throw new Error(`The test harness does not implement preAuthentication (${typeName})`);
	}

	async runPreAuthentication(
		_helpers: IHttpRequestHelper,
		_credentials: ICredentialDataDecryptedObject,
		typeName: string,
	): Promise<ICredentialDataDecryptedObject | undefined> {
		throw new Error(`The test harness does not implement preAuthentication (${typeName})`);
	}

	async getCredentials(
		nodeCredentials: INodeCredentialsDetails,
		type: string,
	): Promise<ICredentials> {
		throw new Error(
			`The test harness returns decrypted credentials only (asked for encrypted ${type} "${nodeCredentials.id}")`,
		);
	}

	async getDecrypted(
		_additionalData: IWorkflowExecuteAdditionalData,
		nodeCredentials: INodeCredentialsDetails,
		type: string,
		mode: WorkflowExecuteMode,
	): Promise<ICredentialDataDecryptedObject> {
		this.requests.push({ type, id: nodeCredentials.id, mode });
		const data = this.lookup(nodeCredentials, type);
		const copy = structuredClone(data);
		const properties = this.getCredentialsProperties(type);
		if (properties.length === 0) return copy;
		const withDefaults = NodeHelpers.getNodeParameters(
			properties,
			copy as INodeParameters,
			true,
			false,
			null,
			null,
		);
		return { ...copy, ...(withDefaults ?? {}) } as ICredentialDataDecryptedObject;
	}

	async updateCredentials(
		nodeCredentials: INodeCredentialsDetails,
		type: string,
		data: ICredentialDataDecryptedObject,
	): Promise<void> {
		this.lookup(nodeCredentials, type);
		this.store[type][nodeCredentials.id as string] = structuredClone(data);
	}

	async updateCredentialsOauthTokenData(
		nodeCredentials: INodeCredentialsDetails,
		type: string,
		data: ICredentialDataDecryptedObject,
	): Promise<void> {
		const current = this.lookup(nodeCredentials, type);
		this.store[type][nodeCredentials.id as string] = { ...current, oauthTokenData: data };
	}

	getCredentialsProperties(type: string): INodeProperties[] {
		const own = this.types.get(type);
		if (!own) return [];
		const inherited = (own.extends ?? []).flatMap((parent) =>
			this.getCredentialsProperties(parent),
		);
		return [...inherited, ...own.properties];
	}

	private lookup(
		nodeCredentials: INodeCredentialsDetails,
		type: string,
	): ICredentialDataDecryptedObject {
		if (!nodeCredentials.id) {
			// n8n: CredentialMissingIdError
			throw new UserError(`Found credential with no ID (${type} "${nodeCredentials.name}").`);
		}
		const data = this.store[type]?.[nodeCredentials.id];
		if (!data) {
			// n8n: CredentialNotFoundError, same wording
			throw new UserError(
				`Credential with ID "${nodeCredentials.id}" does not exist for type "${type}".`,
			);
		}
		return data;
	}
}
