import { randomBytes } from 'node:crypto';
import { simpleParser } from 'mailparser';
import { loopHeaders } from '../../../lib/mail/loop-header';
import {
	buildOutgoingMessage,
	type OutgoingMessageInput,
} from '../../../lib/mail/outgoing-message';
import { GraphSender, composeMime } from '../../../lib/protocols/graph/graph-sender';
import { startWorld, type GraphWorld } from './support';

/**
 * R-EXO-2 (sending through Microsoft Graph), R-PLUS-4 (threading headers), R-PLUS-3 (our loop
 * header): mail sent as MIME arrives at the stand-in byte for byte; large mail goes through a
 * draft with an upload session.
 */
jest.setTimeout(30_000);

let world: GraphWorld;
const senders: GraphSender[] = [];

beforeEach(async () => {
	world = await startWorld();
});

afterEach(async () => {
	for (const sender of senders.splice(0)) sender.close();
	await world.fake.stop();
});

function sender(
	options: ConstructorParameters<typeof GraphSender>[1] = {},
	profile = world.profile,
) {
	const s = new GraphSender(profile, options);
	senders.push(s);
	return s;
}

const pdf = Buffer.concat([Buffer.from('%PDF-1.4\n'), randomBytes(20_000)]);

function reply(extra: Partial<OutgoingMessageInput> = {}) {
	return buildOutgoingMessage({
		from: { address: 'service@contoso.example', name: 'Contoso Service' },
		to: 'Erika Müller <erika@example.org>',
		cc: 'team@contoso.example',
		bcc: 'archive@contoso.example',
		subject: 'Re: [#2026-000123] Heizung defekt',
		text: 'Guten Tag,\r\nwir kümmern uns darum.\r\n',
		html: '<p>Guten Tag,<br>wir kümmern uns darum.</p><img src="cid:logo@contoso">',
		inReplyTo: '<original.1@example.org>',
		references: ['<start.0@example.org>', '<original.1@example.org>'],
		headers: loopHeaders('prod-1'),
		attachments: [
			{ filename: 'Angebot März.pdf', content: pdf, contentType: 'application/pdf' },
			{
				filename: 'logo.png',
				content: randomBytes(600),
				contentType: 'image/png',
				cid: 'logo@contoso',
				contentDisposition: 'inline',
			},
		],
		...extra,
	});
}

describe('R-EXO-2 / R-PLUS-4: sending through Graph', () => {
	it('sendMail gets our MIME byte for byte: threading headers, loop header, Bcc, attachments', async () => {
		const message = reply();
		const raw = await composeMime(message);
		const result = await sender().sendMime(raw, message);
		expect(result).toMatchObject({
			method: 'mime',
			response: '202 Accepted',
			messageId: message.messageId,
			rejected: [],
		});
		expect(result.accepted).toEqual([
			'erika@example.org',
			'team@contoso.example',
			'archive@contoso.example',
		]);

		expect(world.mailbox.sent).toHaveLength(1);
		const sent = world.mailbox.sent[0];
		expect(sent.kind).toBe('mime');
		expect(sent.mime!.equals(raw)).toBe(true);
		const request = world.fake.graphRequests().find((r) => r.path.endsWith('/sendMail'))!;
		expect(request.status).toBe(202);

		const parsed = await simpleParser(sent.mime!);
		expect(parsed.messageId).toBe(message.messageId);
		expect(parsed.inReplyTo).toBe('<original.1@example.org>');
		expect(parsed.references).toEqual(['<start.0@example.org>', '<original.1@example.org>']);
		expect(parsed.headers.get('x-mail-cases-loop')).toBe('prod-1');
		expect(sent.mime!.toString('latin1')).toMatch(/^Bcc: archive@contoso\.example$/m);
		const files = parsed.attachments.map((a) => [
			a.filename,
			a.contentType,
			a.content.length,
			a.cid ?? null,
		]);
		expect(files).toEqual(
			expect.arrayContaining([
				['Angebot März.pdf', 'application/pdf', pdf.length, null],
				['logo.png', 'image/png', 600, 'logo@contoso'],
			]),
		);
		expect(files).toHaveLength(2);
		expect(
			parsed.attachments.find((a) => a.filename === 'Angebot März.pdf')!.content.equals(pdf),
		).toBe(true);
		// Saved to Sent Items, as Graph does for sendMail.
		expect(world.mailbox.list('sentitems')).toHaveLength(1);
	});

	it('send() composes and sends a normal mail as MIME', async () => {
		const message = reply();
		const result = await sender().send(message);
		expect(result.method).toBe('mime');
		const parsed = await simpleParser(world.mailbox.sent[0].mime!);
		expect(parsed.subject).toBe('Re: [#2026-000123] Heizung defekt');
		expect(parsed.text).toContain('wir kümmern uns darum.');
		expect(parsed.from?.value[0]).toEqual({
			address: 'service@contoso.example',
			name: 'Contoso Service',
		});
	});

	it('more than 3 MB: draft from MIME, attachment through an upload session in byte ranges, then send', async () => {
		const big = randomBytes(3_500_000);
		const message = reply({
			attachments: [
				{ filename: 'scan.tif', content: big, contentType: 'image/tiff' },
				{ filename: 'Angebot.pdf', content: pdf, contentType: 'application/pdf' },
			],
		});
		const result = await sender().send(message);
		expect(result.method).toBe('draft');
		expect(result.size).toBeGreaterThan(3_500_000);

		expect(world.mailbox.sent).toHaveLength(1);
		const sent = world.mailbox.sent[0];
		expect(sent.kind).toBe('draft');
		expect(sent.attachments.map((a) => [a.name, a.contentType, a.via, a.content.length])).toEqual([
			['scan.tif', 'image/tiff', 'uploadSession', big.length],
			['Angebot.pdf', 'application/pdf', 'post', pdf.length],
		]);
		expect(sent.attachments[0].content.equals(big)).toBe(true);
		expect(sent.attachments[1].content.equals(pdf)).toBe(true);

		// The draft's MIME keeps the threading and loop headers.
		const draft = await simpleParser(sent.mime!);
		expect(draft.messageId).toBe(message.messageId);
		expect(draft.inReplyTo).toBe('<original.1@example.org>');
		expect(draft.references).toEqual(['<start.0@example.org>', '<original.1@example.org>']);
		expect(draft.headers.get('x-mail-cases-loop')).toBe('prod-1');

		// Byte ranges under 4 MB each, without the Graph token (pre-authenticated URL).
		const puts = world.fake.requests.filter((r) => r.method === 'PUT');
		expect(puts.map((r) => r.status)).toEqual([200, 201]);
		expect(puts.every((r) => !r.authorization && r.bodyBytes < 4 * 1024 * 1024)).toBe(true);
		expect(world.mailbox.list('drafts')).toHaveLength(0);
		expect(world.mailbox.list('sentitems')).toHaveLength(1);
	});

	it('a failed large send removes its draft again', async () => {
		world.fake.injectFault({ method: 'POST', path: /\/send$/, status: 500 });
		const message = reply({
			attachments: [
				{ filename: 'scan.tif', content: randomBytes(3_200_000), contentType: 'image/tiff' },
			],
		});
		await expect(sender().send(message)).rejects.toMatchObject({ code: 'PROTOCOL_ERROR' });
		expect(world.mailbox.list('drafts')).toHaveLength(0);
		expect(world.mailbox.sent).toHaveLength(0);
	});

	it('a mail over the size limit → MESSAGE_TOO_LARGE naming the limit, nothing sent', async () => {
		const message = reply({
			attachments: [{ filename: 'huge.bin', content: randomBytes(600_000) }],
		});
		const error = await sender({ maxMessageBytes: 500_000 })
			.send(message)
			.catch((e) => e);
		expect(error.code).toBe('MESSAGE_TOO_LARGE');
		expect(error.message).toMatch(
			/Microsoft Graph sends mails up to 500000 bytes \(Exchange Online: the mailbox's limit, 35 MB by default, 150 MB at most\)/,
		);
		expect(world.fake.graphRequests()).toHaveLength(0);
	});

	it('Graph refusing the request size (413) → MESSAGE_TOO_LARGE', async () => {
		world.fake.maxRequestBytes = 10_000;
		const error = await sender()
			.send(reply())
			.catch((e) => e);
		expect(error.code).toBe('MESSAGE_TOO_LARGE');
		expect(world.mailbox.sent).toHaveLength(0);
	});

	it('an app without Mail.Send → AUTH_FAILED naming Mail.Send, secret not shown', async () => {
		const app = world.fake.registerApp({
			tenantId: world.tenant.id,
			secrets: [world.secret],
			roles: ['Mail.ReadWrite'],
		});
		const error = await sender({}, { ...world.profile, clientId: app.clientId })
			.send(reply())
			.catch((e) => e);
		expect(error.code).toBe('AUTH_FAILED');
		expect(error.message).toMatch(
			/Add the Microsoft Graph application permission Mail\.Send to the app registration and grant admin consent/,
		);
		expect(error.message).not.toContain(world.secret);
	});

	it('sendMail throttled once (429 Retry-After) is sent once, not twice', async () => {
		world.fake.injectFault({ method: 'POST', path: '/sendMail', status: 429, retryAfter: 1 });
		await sender().send(reply());
		expect(world.mailbox.sent).toHaveLength(1);
		expect(
			world.fake
				.graphRequests()
				.filter((r) => r.path.endsWith('/sendMail'))
				.map((r) => r.status),
		).toEqual([429, 202]);
	});
});
