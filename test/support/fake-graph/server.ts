import { randomBytes, randomUUID } from 'node:crypto';
import { promises as fs } from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createTestCertificates } from '../mail-stack/tls';
import { graphRoute, uploadRoute, type GraphHost, type UploadSession } from './graph-api';
import { graphError, type Exchange } from './http';
import {
	instanceDiscovery,
	openIdConfiguration,
	tokenEndpoint,
	type FakeApp,
	type FakeTenant,
	type IssuedToken,
} from './identity';
import { FakeMailbox } from './mail-store';

/**
 * A local stand-in for the Microsoft identity platform and the Microsoft Graph mail API, on
 * HTTPS with a throw-away test CA (SAN 127.0.0.1 / localhost), on a random port. One origin
 * serves both: the authority is `https://localhost:PORT/{tenant}`, Graph is
 * `https://localhost:PORT/v1.0`. State lives in memory; tests seed mail, register apps and
 * inject faults through the methods below, and inspect what was sent.
 */
export interface RequestRecord {
	method: string;
	path: string;
	query: string;
	status: number;
	/** Whether an Authorization header came with the request. */
	authorization: boolean;
	bodyBytes: number;
	/** Set when the answer came from an injected fault. */
	fault?: boolean;
}

export interface Fault {
	method?: string;
	/** Substring or pattern of the path (without query). */
	path?: string | RegExp;
	status: number;
	/** Retry-After header value in seconds. */
	retryAfter?: number;
	/** Graph error code in the body (default per status). */
	code?: string;
	/** How many matching requests fail (default 1). */
	times?: number;
	/** Matching requests to let through before failing (default 0). */
	after?: number;
}

const DEFAULT_CODES: Record<number, string> = {
	429: 'TooManyRequests',
	503: 'ServiceNotAvailable',
	504: 'GatewayTimeout',
	500: 'InternalServerError',
};

export class FakeGraphServer implements GraphHost {
	readonly signingKey = randomBytes(32);
	tokenLifetimeSeconds = 3599;
	readonly tenants = new Map<string, FakeTenant>();
	readonly apps: FakeApp[] = [];
	readonly tokens = new Map<string, IssuedToken>();
	readonly tokenStats = { issued: 0, refused: 0 };
	readonly mailboxes: FakeMailbox[] = [];
	readonly uploads = new Map<string, UploadSession>();
	deltaGeneration = 1;
	maxRequestBytes = 4 * 1024 * 1024;
	readonly requests: RequestRecord[] = [];
	/** Called after each answered request (e.g. to expire tokens mid-run). */
	onRequest?: (record: RequestRecord) => void;
	private faults: Array<Fault & { seen: number; failed: number }> = [];

	private constructor(
		private readonly server: https.Server,
		readonly caPem: string,
		private readonly dir: string,
	) {}

	static async start(): Promise<FakeGraphServer> {
		const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'fake-graph-'));
		const certs = await createTestCertificates(path.join(dir, 'tls'));
		const [key, cert] = await Promise.all([
			fs.readFile(certs.keyFile),
			fs.readFile(certs.certFile),
		]);
		let instance: FakeGraphServer | undefined;
		const server = https.createServer({ key, cert }, (req, res) => {
			const chunks: Buffer[] = [];
			req.on('data', (c: Buffer) => chunks.push(c));
			req.on('end', () =>
				instance!.handle({
					req,
					res,
					url: new URL(req.url ?? '/', instance!.origin),
					body: Buffer.concat(chunks),
				}),
			);
		});
		instance = new FakeGraphServer(server, certs.caPem, dir);
		await new Promise<void>((resolve, reject) => {
			server.once('error', reject);
			server.listen(0, '127.0.0.1', () => resolve());
		});
		return instance;
	}

	get port(): number {
		return (this.server.address() as AddressInfo).port;
	}

	/** https://localhost:PORT — authority host and Graph endpoint at once. */
	get origin(): string {
		return `https://localhost:${this.port}`;
	}

	addTenant(domains: string[] = [], id: string = randomUUID()): FakeTenant {
		const tenant = { id, domains };
		this.tenants.set(id, tenant);
		return tenant;
	}

	registerApp(app: {
		tenantId: string;
		clientId?: string;
		secrets?: string[];
		certificates?: string[];
		roles?: string[];
	}): FakeApp {
		const registered: FakeApp = {
			tenantId: app.tenantId,
			clientId: app.clientId ?? randomUUID(),
			secrets: app.secrets ?? [],
			certificates: app.certificates ?? [],
			roles: app.roles ?? ['Mail.ReadWrite', 'Mail.Send'],
		};
		this.apps.push(registered);
		return registered;
	}

	addMailbox(
		tenantId: string,
		upn: string,
		options: { id?: string; restEnabled?: boolean } = {},
	): FakeMailbox {
		const mailbox = new FakeMailbox(
			upn,
			options.id ?? randomUUID(),
			tenantId,
			options.restEnabled ?? true,
		);
		this.mailboxes.push(mailbox);
		return mailbox;
	}

	/** Makes every token issued so far invalid (Graph answers 401 InvalidAuthenticationToken). */
	expireTokens(): void {
		for (const token of this.tokens.values()) token.revoked = true;
	}

	/** Makes every delta token issued so far invalid (410 SyncStateNotFound). */
	expireDeltaTokens(): void {
		this.deltaGeneration++;
	}

	injectFault(fault: Fault): void {
		this.faults.push({ ...fault, seen: 0, failed: 0 });
	}

	/** Requests to Graph (/v1.0/…) so far. */
	graphRequests(): RequestRecord[] {
		return this.requests.filter((r) => r.path.startsWith('/v1.0/'));
	}

	private takeFault(ex: Exchange): Fault | undefined {
		const method = ex.req.method ?? 'GET';
		for (const fault of this.faults) {
			if (fault.method && fault.method !== method) continue;
			if (
				fault.path &&
				!(typeof fault.path === 'string'
					? ex.url.pathname.includes(fault.path)
					: fault.path.test(ex.url.pathname))
			)
				continue;
			if (fault.failed >= (fault.times ?? 1)) continue;
			fault.seen++;
			if (fault.seen <= (fault.after ?? 0)) continue;
			fault.failed++;
			return fault;
		}
		return undefined;
	}

	private handle(ex: Exchange): void {
		let isFault = false;
		try {
			const fault = this.takeFault(ex);
			if (fault) {
				isFault = true;
				const headers: Record<string, string> =
					fault.retryAfter !== undefined ? { 'Retry-After': String(fault.retryAfter) } : {};
				graphError(
					ex,
					fault.status,
					fault.code ?? DEFAULT_CODES[fault.status] ?? 'generalException',
					'Please retry again later.',
					headers,
				);
			} else {
				this.route(ex);
			}
		} catch (error) {
			if (!ex.res.headersSent)
				graphError(ex, 500, 'InternalServerError', `stand-in failure: ${(error as Error).message}`);
		}
		const record: RequestRecord = {
			method: ex.req.method ?? 'GET',
			path: ex.url.pathname,
			query: ex.url.search,
			status: ex.status ?? 0,
			authorization: !!ex.req.headers.authorization,
			bodyBytes: ex.body.length,
			...(isFault ? { fault: true } : {}),
		};
		this.requests.push(record);
		this.onRequest?.(record);
	}

	private route(ex: Exchange): void {
		const pathname = ex.url.pathname;
		const method = ex.req.method ?? 'GET';
		if (pathname.startsWith('/v1.0/')) return graphRoute(this, ex, pathname.slice('/v1.0'.length));
		const upload = /^\/upload\/AttachmentSessions\('([0-9a-f]+)'\)$/.exec(pathname);
		if (upload) return uploadRoute(this, ex, upload[1]);
		if (pathname === '/common/discovery/instance' && method === 'GET')
			return instanceDiscovery(this, ex);
		const oidc = /^\/([^/]+)\/v2\.0\/\.well-known\/openid-configuration$/.exec(pathname);
		if (oidc && method === 'GET') return openIdConfiguration(this, ex, decodeURIComponent(oidc[1]));
		const token = /^\/([^/]+)\/oauth2\/v2\.0\/token$/.exec(pathname);
		if (token && method === 'POST') return tokenEndpoint(this, ex, decodeURIComponent(token[1]));
		graphError(ex, 404, 'NotFound', `No route for ${method} ${pathname}`);
	}

	async stop(): Promise<void> {
		this.server.closeAllConnections();
		await new Promise<void>((resolve) => this.server.close(() => resolve()));
		await fs.rm(this.dir, { recursive: true, force: true });
	}
}
