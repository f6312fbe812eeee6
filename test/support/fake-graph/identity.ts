import { X509Certificate, randomUUID } from 'node:crypto';
import { aadError, json, type Exchange } from './http';
import { parseJwt, signHs256, verifyRsaSignature } from './jwt';

/**
 * The Microsoft identity platform v2.0 endpoints of the client-credentials flow, written from
 * https://learn.microsoft.com/entra/identity-platform/<page>:
 * - v2-protocols-oidc: GET /{tenant}/v2.0/.well-known/openid-configuration (issuer
 *   https://host/{tenant-id}/v2.0, token_endpoint, authorization_endpoint, jwks_uri, …)
 * - v2-oauth2-client-creds-grant-flow, "Get a token": POST /{tenant}/oauth2/v2.0/token,
 *   form-encoded client_id, scope={resource}/.default, grant_type=client_credentials and either
 *   client_secret or client_assertion_type=urn:ietf:params:oauth:client-assertion-type:jwt-bearer
 *   + client_assertion; success {token_type, expires_in, access_token}; errors 400/401 with
 *   {error, error_description "AADSTSnnnn: …", error_codes, timestamp, trace_id, correlation_id}
 * - certificate-credentials: the assertion's header (PS256 + x5t#S256, or RS256 + x5t) and
 *   claims aud = token endpoint, iss = sub = client id, exp, nbf, jti; signature with the
 *   registered certificate's key (PSS padding for PS256)
 * - reference-error-codes: AADSTS90002 (tenant not found), 700016 (application not found in
 *   the directory), 7000215 (invalid client secret), 700027 (assertion signature / certificate
 *   not registered), 700024 (assertion outside its time range), 70011 (invalid scope)
 * Also GET /common/discovery/instance, which MSAL calls only without knownAuthorities.
 * Stand-in choices: 700212 / 700021 / 50027 for assertion audience / issuer / format problems.
 */
export interface FakeTenant {
	id: string;
	domains: string[];
}

export interface FakeApp {
	tenantId: string;
	clientId: string;
	/** Client secret values that are accepted. */
	secrets: string[];
	/** PEM certificates registered as certificate credentials. */
	certificates: string[];
	/** Application permissions with admin consent, e.g. Mail.ReadWrite, Mail.Send. */
	roles: string[];
}

export interface IssuedToken {
	jti: string;
	tenantId: string;
	clientId: string;
	roles: string[];
	expiresAtMs: number;
	revoked: boolean;
}

export interface IdentityHost {
	readonly origin: string;
	readonly signingKey: Buffer;
	tokenLifetimeSeconds: number;
	readonly tenants: Map<string, FakeTenant>;
	readonly apps: FakeApp[];
	readonly tokens: Map<string, IssuedToken>;
	/** Counts of token endpoint outcomes, for assertions. */
	readonly tokenStats: { issued: number; refused: number };
}

export function findTenant(host: IdentityHost, ref: string): FakeTenant | undefined {
	const lower = ref.toLowerCase();
	for (const tenant of host.tenants.values()) {
		if (tenant.id.toLowerCase() === lower || tenant.domains.some((d) => d.toLowerCase() === lower))
			return tenant;
	}
	return undefined;
}

function tenantNotFound(ref: string): string {
	return `Tenant '${ref}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud. Check with your subscription administrator, this may happen if there are no active subscriptions for the tenant.`;
}

/** The OpenID Connect metadata document, shaped like the v2.0 one of login.microsoftonline.com. */
export function openIdConfiguration(host: IdentityHost, ex: Exchange, tenantRef: string): void {
	const tenant = findTenant(host, tenantRef);
	if (!tenant) {
		json(ex, 400, {
			error: 'invalid_tenant',
			error_description: `AADSTS90002: ${tenantNotFound(tenantRef)}`,
			error_codes: [90002],
			timestamp: new Date().toISOString(),
			trace_id: randomUUID(),
			correlation_id: randomUUID(),
			error_uri: `${host.origin}/error?code=90002`,
		});
		return;
	}
	const base = `${host.origin}/${tenant.id}`;
	json(ex, 200, {
		token_endpoint: `${base}/oauth2/v2.0/token`,
		token_endpoint_auth_methods_supported: [
			'client_secret_post',
			'private_key_jwt',
			'client_secret_basic',
		],
		jwks_uri: `${host.origin}/${tenant.id}/discovery/v2.0/keys`,
		response_modes_supported: ['query', 'fragment', 'form_post'],
		subject_types_supported: ['pairwise'],
		id_token_signing_alg_values_supported: ['RS256'],
		response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
		scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
		issuer: `${base}/v2.0`,
		request_uri_parameter_supported: false,
		userinfo_endpoint: `${host.origin}/oidc/userinfo`,
		authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
		device_authorization_endpoint: `${base}/oauth2/v2.0/devicecode`,
		http_logout_supported: true,
		frontchannel_logout_supported: true,
		end_session_endpoint: `${base}/oauth2/v2.0/logout`,
		claims_supported: [
			'sub',
			'iss',
			'cloud_instance_name',
			'cloud_instance_host_name',
			'cloud_graph_host_name',
			'msgraph_host',
			'aud',
			'exp',
			'iat',
			'auth_time',
			'acr',
			'nonce',
			'preferred_username',
			'name',
			'tid',
			'ver',
			'at_hash',
			'c_hash',
			'email',
		],
		kerberos_endpoint: `${base}/kerberos`,
		tenant_region_scope: 'EU',
		cloud_instance_name: 'microsoftonline.com',
		cloud_graph_host_name: 'graph.windows.net',
		msgraph_host: new URL(host.origin).host,
		rbac_url: 'https://pas.windows.net',
	});
}

/** Instance discovery answer (MSAL calls it only without knownAuthorities / metadata). */
export function instanceDiscovery(host: IdentityHost, ex: Exchange): void {
	const hostName = new URL(host.origin).host;
	json(ex, 200, {
		tenant_discovery_endpoint: `${host.origin}/common/v2.0/.well-known/openid-configuration`,
		'api-version': '1.1',
		metadata: [{ preferred_network: hostName, preferred_cache: hostName, aliases: [hostName] }],
	});
}

const ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

export function tokenEndpoint(host: IdentityHost, ex: Exchange, tenantRef: string): void {
	const refuse = (status: number, error: string, code: number, description: string) => {
		host.tokenStats.refused++;
		aadError(ex, status, error, code, description);
	};
	const form = new URLSearchParams(ex.body.toString('utf8'));
	const tenant = findTenant(host, tenantRef);
	if (!tenant) return refuse(400, 'invalid_request', 90002, tenantNotFound(tenantRef));
	if (form.get('grant_type') !== 'client_credentials') {
		return refuse(
			400,
			'unsupported_grant_type',
			70003,
			'The app requested an unsupported grant type.',
		);
	}
	const clientId = form.get('client_id') ?? '';
	const app = host.apps.find(
		(a) => a.tenantId === tenant.id && a.clientId.toLowerCase() === clientId.toLowerCase(),
	);
	if (!app) {
		return refuse(
			400,
			'unauthorized_client',
			700016,
			`Application with identifier '${clientId}' was not found in the directory '${tenant.domains[0] ?? tenant.id}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.`,
		);
	}
	const scope = form.get('scope') ?? '';
	const expectedScope = `${host.origin}/.default`;
	if (!scope.split(' ').includes(expectedScope)) {
		return refuse(
			400,
			'invalid_scope',
			70011,
			`The provided value for the input parameter 'scope' is not valid. The scope ${scope} is not valid.`,
		);
	}
	const secret = form.get('client_secret');
	const assertion = form.get('client_assertion');
	if (secret !== null) {
		if (!app.secrets.includes(secret)) {
			return refuse(
				401,
				'invalid_client',
				7000215,
				`Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${app.clientId}'.`,
			);
		}
	} else if (assertion !== null) {
		if (form.get('client_assertion_type') !== ASSERTION_TYPE) {
			return refuse(
				400,
				'invalid_request',
				90014,
				"The request body must contain the following parameter: 'client_assertion_type'.",
			);
		}
		const problem = checkAssertion(host, app, tenant, assertion);
		if (problem) return refuse(401, 'invalid_client', problem.code, problem.description);
	} else {
		return refuse(
			400,
			'invalid_client',
			7000218,
			"The request body must contain the following parameter: 'client_assertion' or 'client_secret'.",
		);
	}
	const nowMs = Date.now();
	const jti = randomUUID();
	const lifetime = host.tokenLifetimeSeconds;
	const accessToken = signHs256(
		{
			aud: host.origin,
			iss: `${host.origin}/${tenant.id}/`,
			iat: Math.floor(nowMs / 1000),
			nbf: Math.floor(nowMs / 1000),
			exp: Math.floor(nowMs / 1000) + lifetime,
			appid: app.clientId,
			idtyp: 'app',
			roles: app.roles,
			tid: tenant.id,
			ver: '1.0',
			jti,
		},
		host.signingKey,
	);
	host.tokens.set(jti, {
		jti,
		tenantId: tenant.id,
		clientId: app.clientId,
		roles: [...app.roles],
		expiresAtMs: nowMs + lifetime * 1000,
		revoked: false,
	});
	host.tokenStats.issued++;
	json(
		ex,
		200,
		{
			token_type: 'Bearer',
			expires_in: lifetime,
			ext_expires_in: lifetime,
			access_token: accessToken,
		},
		{ 'Cache-Control': 'no-store, no-cache', Pragma: 'no-cache' },
	);
}

/** Checks a certificate client assertion; returns the AADSTS refusal, or undefined when valid. */
function checkAssertion(
	host: IdentityHost,
	app: FakeApp,
	tenant: FakeTenant,
	token: string,
): { code: number; description: string } | undefined {
	const parsed = parseJwt(token);
	if (!parsed) return { code: 50027, description: 'JWT token is invalid or malformed.' };
	const { header, claims } = parsed;
	const x5tS256 = typeof header['x5t#S256'] === 'string' ? header['x5t#S256'] : undefined;
	const x5t = typeof header.x5t === 'string' ? header.x5t : undefined;
	const thumb = (hex: string) => Buffer.from(hex.replace(/:/g, ''), 'hex').toString('base64url');
	const cert = app.certificates
		.map((pem) => new X509Certificate(pem))
		.find((c) =>
			x5tS256 ? thumb(c.fingerprint256) === x5tS256 : x5t ? thumb(c.fingerprint) === x5t : false,
		);
	if (!cert) {
		return {
			code: 700027,
			description: `The certificate with identifier used to sign the client assertion is not registered on application. [Reason - The key was not found., Thumbprint of key used by client: '${x5tS256 ?? x5t ?? 'none'}']`,
		};
	}
	if (
		(header.alg === 'PS256' && !x5tS256) ||
		(header.alg === 'RS256' && !x5t) ||
		!verifyRsaSignature(parsed, cert.publicKey)
	) {
		return { code: 700027, description: 'Client assertion failed signature validation.' };
	}
	const now = Math.floor(Date.now() / 1000);
	const expectedAudience = `${host.origin}/${tenant.id}/oauth2/v2.0/token`;
	const audiences = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
	if (
		!audiences.some(
			(a) => typeof a === 'string' && a.toLowerCase() === expectedAudience.toLowerCase(),
		)
	) {
		return {
			code: 700212,
			description: `The client assertion's audience claim does not match the token endpoint ${expectedAudience}.`,
		};
	}
	if (claims.iss !== app.clientId || claims.sub !== app.clientId) {
		return {
			code: 700021,
			description: "Client assertion application identifier doesn't match 'client_id' parameter.",
		};
	}
	const exp = Number(claims.exp);
	const nbf = Number(claims.nbf ?? 0);
	if (!Number.isFinite(exp) || exp < now - 300 || nbf > now + 300) {
		return { code: 700024, description: 'Client assertion is not within its valid time range.' };
	}
	if (typeof claims.jti !== 'string' || !claims.jti)
		return { code: 50027, description: 'JWT token is invalid or malformed: no jti claim.' };
	return undefined;
}
