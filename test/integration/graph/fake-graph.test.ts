import { HttpTransport, type HttpResponse } from '../../../lib/protocols/graph/http-transport';
import { rawMail, startWorld, type GraphWorld } from './support';

/**
 * The stand-in itself answers like the documented APIs for the cases our client does not
 * exercise on its own (so other clients written against it meet the documented behaviour).
 */
let world: GraphWorld;
let http: HttpTransport;
let token: string;

beforeAll(async () => {
	world = await startWorld();
	http = new HttpTransport({ caPem: world.fake.caPem });
	const response = await http.request({
		method: 'POST',
		url: `${world.fake.origin}/contoso.example/oauth2/v2.0/token`,
		headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
		body: new URLSearchParams({
			client_id: world.app.clientId,
			client_secret: world.secret,
			scope: `${world.fake.origin}/.default`,
			grant_type: 'client_credentials',
		}).toString(),
	});
	const body = JSON.parse(response.body.toString());
	expect(body).toMatchObject({ token_type: 'Bearer', expires_in: 3599 });
	token = body.access_token;
});

afterAll(async () => {
	http.close();
	await world.fake.stop();
});

const user = () => `${world.fake.origin}/v1.0/users/${encodeURIComponent(world.mailbox.upn)}`;

function call(
	method: 'GET' | 'POST' | 'PUT' | 'PATCH',
	url: string,
	body?: string | Buffer,
	headers: Record<string, string> = {},
): Promise<HttpResponse> {
	return http.request({
		method,
		url,
		body,
		headers: { Authorization: `Bearer ${token}`, ...headers },
	});
}

const errorOf = (r: HttpResponse) =>
	JSON.parse(r.body.toString()).error as { code: string; message: string };

describe('Graph stand-in follows the documented API', () => {
	it('token endpoint: unsupported grant and bad scope are AADSTS errors', async () => {
		const post = (form: Record<string, string>) =>
			http.request({
				method: 'POST',
				url: `${world.fake.origin}/${world.tenant.id}/oauth2/v2.0/token`,
				headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
				body: new URLSearchParams(form).toString(),
			});
		const grant = await post({
			client_id: world.app.clientId,
			client_secret: world.secret,
			scope: `${world.fake.origin}/.default`,
			grant_type: 'password',
		});
		expect(grant.status).toBe(400);
		expect(JSON.parse(grant.body.toString())).toMatchObject({
			error: 'unsupported_grant_type',
			error_codes: [70003],
		});
		const scope = await post({
			client_id: world.app.clientId,
			client_secret: world.secret,
			scope: 'https://graph.microsoft.com/.default',
			grant_type: 'client_credentials',
		});
		expect(JSON.parse(scope.body.toString())).toMatchObject({
			error: 'invalid_scope',
			error_codes: [70011],
		});
	});

	it('401 InvalidAuthenticationToken without a token', async () => {
		const response = await http.request({ method: 'GET', url: `${user()}/mailFolders/inbox` });
		expect(response.status).toBe(401);
		expect(errorOf(response).code).toBe('InvalidAuthenticationToken');
		expect(response.headers['www-authenticate']).toMatch(/^Bearer /);
	});

	it('sendMail with a JSON message → 202 without body; malformed MIME base64 → 400', async () => {
		const json = await call(
			'POST',
			`${user()}/sendMail`,
			JSON.stringify({
				message: { subject: 'Hi', toRecipients: [{ emailAddress: { address: 'a@example.org' } }] },
			}),
			{
				'Content-Type': 'application/json',
			},
		);
		expect(json.status).toBe(202);
		expect(json.body.length).toBe(0);
		expect(json.headers['content-type']).toBeUndefined();
		expect(world.mailbox.sent.at(-1)).toMatchObject({
			kind: 'json',
			json: { message: { subject: 'Hi' } },
		});
		const bad = await call('POST', `${user()}/sendMail`, 'this is not base64!', {
			'Content-Type': 'text/plain',
		});
		expect(bad.status).toBe(400);
		expect(errorOf(bad)).toMatchObject({
			code: 'ErrorMimeContentInvalidBase64String',
			message: 'Invalid base64 string for MIME content.',
		});
	});

	it('$value is the stored MIME as text/plain; move answers 201 with a new id', async () => {
		const raw = rawMail('stored');
		const id = world.mailbox.seed(raw);
		const value = await call('GET', `${user()}/messages/${encodeURIComponent(id)}/$value`);
		expect(value.headers['content-type']).toBe('text/plain');
		expect(value.body.equals(raw)).toBe(true);
		const moved = await call(
			'POST',
			`${user()}/messages/${encodeURIComponent(id)}/move`,
			JSON.stringify({ destinationId: 'archive' }),
			{ 'Content-Type': 'application/json' },
		);
		expect(moved.status).toBe(201);
		const body = JSON.parse(moved.body.toString());
		expect(body.id).not.toBe(id);
		expect(body.parentFolderId).toBe(world.mailbox.folder('archive')!.id);
	});

	it('delta: a round ends in a deltaLink; the next round reports created and removed messages', async () => {
		const first = await call(
			'GET',
			`${user()}/mailFolders/junkemail/messages/delta?$select=subject`,
		);
		const round1 = JSON.parse(first.body.toString());
		expect(round1.value).toEqual([]);
		const id = world.mailbox.seed(rawMail('junk 1'), { folder: 'junkemail' });
		const second = JSON.parse((await call('GET', round1['@odata.deltaLink'])).body.toString());
		expect(second.value).toEqual([expect.objectContaining({ id, subject: 'junk 1' })]);
		world.mailbox.purge(world.mailbox.messages.get(id)!);
		const third = JSON.parse((await call('GET', second['@odata.deltaLink'])).body.toString());
		expect(third.value).toEqual([
			{ '@odata.type': '#microsoft.graph.message', id, '@removed': { reason: 'deleted' } },
		]);
	});

	it('upload sessions: refused under 3 MB; ranges must come in order', async () => {
		const draft = JSON.parse(
			(
				await call('POST', `${user()}/messages`, rawMail('draft').toString('base64'), {
					'Content-Type': 'text/plain',
				})
			).body.toString(),
		);
		expect(draft.isDraft).toBe(true);
		const base = `${user()}/messages/${encodeURIComponent(draft.id)}/attachments/createUploadSession`;
		const small = await call(
			'POST',
			base,
			JSON.stringify({ AttachmentItem: { attachmentType: 'file', name: 'a', size: 1000 } }),
			{ 'Content-Type': 'application/json' },
		);
		expect(errorOf(small).code).toBe('ErrorAttachmentSizeShouldNotBeLessThanMinimumSize');
		const size = 3 * 1024 * 1024 + 10;
		const session = JSON.parse(
			(
				await call(
					'POST',
					base,
					JSON.stringify({ AttachmentItem: { attachmentType: 'file', name: 'big.bin', size } }),
					{ 'Content-Type': 'application/json' },
				)
			).body.toString(),
		);
		expect(session.nextExpectedRanges).toEqual(['0-']);
		const put = (start: number, end: number) =>
			http.request({
				method: 'PUT',
				url: session.uploadUrl,
				body: Buffer.alloc(end - start + 1, 7),
				headers: {
					'Content-Type': 'application/octet-stream',
					'Content-Range': `bytes ${start}-${end}/${size}`,
				},
			});
		const outOfOrder = await put(10, 19);
		expect(outOfOrder.status).toBe(416);
		const partial = await put(0, 2_000_000);
		expect(JSON.parse(partial.body.toString()).nextExpectedRanges).toEqual(['2000001']);
		const last = await put(2_000_001, size - 1);
		expect(last.status).toBe(201);
		expect(last.headers.location).toMatch(/\/Attachments\('[^']+'\)$/);
		expect(world.mailbox.messages.get(draft.id)!.attachments[0]).toMatchObject({
			name: 'big.bin',
			via: 'uploadSession',
		});
	});
});
