import { MailCasesError } from '../../../lib/errors';
import type { ExchangeProfile } from '../../../lib/protocols/graph/exchange-profile';
import { GraphClient, retryAfterMs } from '../../../lib/protocols/graph/graph-client';
import type {
	HttpRequest,
	HttpResponse,
	HttpTransport,
} from '../../../lib/protocols/graph/http-transport';

const SECRET = 'Zx8Q~very-secret-value';
const profile: ExchangeProfile = {
	tenantId: 'contoso.onmicrosoft.com',
	clientId: '11111111-2222-3333-4444-555555555555',
	auth: { type: 'secret', clientSecret: SECRET },
	mailbox: 'service@contoso.com',
};

type Answer = Partial<HttpResponse> & { status: number; json?: unknown };

/** A transport that answers from a script and records what was asked. */
function scripted(answers: Answer[]) {
	const seen: HttpRequest[] = [];
	const transport = {
		async request(req: HttpRequest): Promise<HttpResponse> {
			seen.push(req);
			const answer = answers.shift();
			if (!answer) throw new Error('no more scripted answers');
			const body =
				answer.json !== undefined
					? Buffer.from(JSON.stringify(answer.json))
					: (answer.body ?? Buffer.alloc(0));
			return { status: answer.status, headers: answer.headers ?? {}, body };
		},
		close() {},
	} as unknown as HttpTransport;
	return { transport, seen };
}

function setup(answers: Answer[]) {
	const { transport, seen } = scripted(answers);
	const tokens: boolean[] = [];
	const waits: number[] = [];
	const client = new GraphClient(profile, {
		transport,
		tokens: {
			getToken: async (force = false) => (tokens.push(force), force ? 'token-2' : 'token-1'),
		},
		sleep: async (ms) => void waits.push(ms),
	});
	return { client, seen, tokens, waits };
}

/** The MailCasesError a call rejects with (fails the test when it resolves). */
async function failureOf(promise: Promise<unknown>): Promise<MailCasesError> {
	const error = await promise.then(
		() => undefined,
		(e: unknown) => e,
	);
	expect(error).toBeInstanceOf(MailCasesError);
	return error as MailCasesError;
}

const graphError = (code: string, message = 'x') => ({ error: { code, message } });
const call = {
	method: 'GET' as const,
	path: '/users/x/messages',
	what: 'listing mails',
	permission: 'Mail.ReadWrite' as const,
};

describe('retryAfterMs', () => {
	it('reads seconds and HTTP dates, ignores garbage', () => {
		expect(retryAfterMs('3')).toBe(3000);
		expect(retryAfterMs('0')).toBe(0);
		expect(
			retryAfterMs('Wed, 21 Oct 2015 07:28:10 GMT', Date.parse('Wed, 21 Oct 2015 07:28:00 GMT')),
		).toBe(10_000);
		expect(retryAfterMs('soon')).toBeUndefined();
		expect(retryAfterMs(undefined)).toBeUndefined();
	});
});

describe('GraphClient retries (R-EXO-2)', () => {
	it('waits as long as Retry-After says after 429 and 503, then succeeds', async () => {
		const { client, waits, seen } = setup([
			{ status: 429, headers: { 'retry-after': '2' }, json: graphError('TooManyRequests') },
			{ status: 503, headers: { 'retry-after': '1' }, json: graphError('ServiceNotAvailable') },
			{ status: 200, json: { value: [1] } },
		]);
		await expect(client.json(call)).resolves.toEqual({ value: [1] });
		expect(waits).toEqual([2000, 1000]);
		expect(seen).toHaveLength(3);
		expect(seen[0].headers?.Authorization).toBe('Bearer token-1');
	});

	it('backs off exponentially without Retry-After and gives up as THROTTLED after maxRetries', async () => {
		const answers = Array.from({ length: 5 }, () => ({
			status: 429,
			json: graphError('TooManyRequests'),
		}));
		const { client, waits } = setup(answers);
		const error = await failureOf(client.json(call));
		expect(error).toBeInstanceOf(MailCasesError);
		expect(error.code).toBe('THROTTLED');
		expect(error.message).toContain('5 attempts');
		expect(waits).toEqual([1000, 2000, 4000, 8000]);
	});

	it('does not wait for a Retry-After beyond the cap', async () => {
		const { client, waits } = setup([
			{ status: 429, headers: { 'retry-after': '3600' }, json: graphError('TooManyRequests') },
		]);
		await expect(client.json(call)).rejects.toMatchObject({ code: 'THROTTLED' });
		expect(waits).toEqual([]);
	});

	it('repeats a 504 only for idempotent requests (a POST may have been processed)', async () => {
		const get = setup([{ status: 504 }, { status: 200, json: {} }]);
		await expect(get.client.json(call)).resolves.toEqual({});
		const post = setup([{ status: 504 }]);
		await expect(
			post.client.request({ ...call, method: 'POST', path: '/users/x/sendMail' }),
		).rejects.toMatchObject({ code: 'PROTOCOL_ERROR' });
		expect(post.seen).toHaveLength(1);
	});

	it('gets a fresh token once after 401 InvalidAuthenticationToken', async () => {
		const { client, tokens, seen } = setup([
			{
				status: 401,
				json: graphError(
					'InvalidAuthenticationToken',
					'Lifetime validation failed, the token is expired.',
				),
			},
			{ status: 200, json: { ok: true } },
		]);
		await expect(client.json(call)).resolves.toEqual({ ok: true });
		expect(tokens).toEqual([false, true]);
		expect(seen[1].headers?.Authorization).toBe('Bearer token-2');
	});

	it('forces a new token only once, not again on a later throttling retry', async () => {
		const { client, tokens } = setup([
			{ status: 401, json: graphError('InvalidAuthenticationToken') },
			{ status: 429, headers: { 'retry-after': '0' }, json: graphError('TooManyRequests') },
			{ status: 200, json: {} },
		]);
		await client.json(call);
		expect(tokens).toEqual([false, true, false]);
	});

	it('reports AUTH_FAILED when the fresh token is refused too', async () => {
		const { client } = setup([
			{ status: 401, json: graphError('InvalidAuthenticationToken') },
			{ status: 401, json: graphError('InvalidAuthenticationToken') },
		]);
		const error = await failureOf(client.json(call));
		expect(error.code).toBe('AUTH_FAILED');
		expect(error.message).not.toContain(SECRET);
	});

	it('refuses to follow a nextLink to another host (the token stays with Graph)', async () => {
		const { client, seen } = setup([
			{
				status: 200,
				json: {
					value: [1],
					'@odata.nextLink': 'https://evil.example/v1.0/users/x/messages?$skip=1',
				},
			},
		]);
		const pages = client.pages(call);
		await expect(pages.next()).resolves.toMatchObject({ value: [1] });
		await expect(pages.next()).rejects.toMatchObject({ code: 'PROTOCOL_ERROR' });
		expect(seen).toHaveLength(1);
	});

	it('sends no token to a pre-authenticated upload URL', async () => {
		const { client, seen, tokens } = setup([{ status: 201 }]);
		await client.request({
			method: 'PUT',
			path: 'https://upload.example/session?authtoken=abc',
			body: Buffer.from('x'),
			anonymous: true,
			what: 'uploading',
		});
		expect(seen[0].headers?.Authorization).toBeUndefined();
		expect(tokens).toEqual([]);
	});
});

describe('Graph error mapping (R-EXO-2: messages a user can act on)', () => {
	const cases: Array<[string, Answer, string, RegExp]> = [
		[
			'403 names the missing permission',
			{ status: 403, json: graphError('ErrorAccessDenied', 'Access is denied.') },
			'AUTH_FAILED',
			/application permission Mail\.ReadWrite/,
		],
		[
			'404 ErrorInvalidUser names the mailbox',
			{ status: 404, json: graphError('ErrorInvalidUser', "The requested user 'x' is invalid.") },
			'MAILBOX_NOT_FOUND',
			/Mailbox "service@contoso\.com" was not found/,
		],
		[
			'MailboxNotEnabledForRESTAPI explains licensing',
			{ status: 404, json: graphError('MailboxNotEnabledForRESTAPI') },
			'MAILBOX_NOT_FOUND',
			/no Exchange Online license/,
		],
		[
			'404 of an item is NOT_FOUND',
			{ status: 404, json: graphError('ErrorItemNotFound') },
			'NOT_FOUND',
			/Not found while listing mails/,
		],
		[
			'413 is MESSAGE_TOO_LARGE naming the limit',
			{ status: 413, json: graphError('RequestEntityTooLarge') },
			'MESSAGE_TOO_LARGE',
			/35 MB by default, 150 MB at most/,
		],
		[
			'500 is PROTOCOL_ERROR',
			{ status: 500, json: graphError('generalException') },
			'PROTOCOL_ERROR',
			/HTTP 500/,
		],
	];
	it.each(cases)('%s', async (_name, answer, code, message) => {
		const { client } = setup([answer]);
		const error = await failureOf(client.json(call));
		expect(error.code).toBe(code);
		expect(error.message).toMatch(message);
		expect(error.message).not.toContain(SECRET);
	});

	it('403 while sending names Mail.Send', async () => {
		const { client } = setup([{ status: 403, json: graphError('ErrorAccessDenied') }]);
		const error = await failureOf(
			client.request({
				method: 'POST',
				path: '/users/x/sendMail',
				what: 'sending a mail',
				permission: 'Mail.Send',
			}),
		);
		expect(error.message).toMatch(/application permission Mail\.Send /);
	});
});
