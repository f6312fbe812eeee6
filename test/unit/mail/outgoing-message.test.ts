import { buildOutgoingMessage, parseRecipients } from '../../../lib/mail/outgoing-message';
import { MailCasesError } from '../../../lib/errors';

const base = {
	from: { address: 'service@example.test', name: 'Service Desk' },
	to: 'kunde@example.test',
	subject: 'Hallo',
};

function codeOf(fn: () => unknown): string | undefined {
	try {
		fn();
	} catch (error) {
		return (error as MailCasesError).code;
	}
	return undefined;
}

describe('outgoing message (R-OUT-4, R-OUT-5)', () => {
	test('builds From from the profile and generates a Message-ID in the sender domain', () => {
		const message = buildOutgoingMessage(base);
		expect(message.from).toEqual({ address: 'service@example.test', name: 'Service Desk' });
		expect(message.messageId).toMatch(/^<[0-9a-f-]{36}@example\.test>$/);
		expect(message.to).toEqual([{ address: 'kunde@example.test', name: undefined }]);
	});

	test('parses address lists with display names, umlauts and groups', () => {
		expect(
			parseRecipients(
				'To',
				'"Müller, Jörg" <joerg@example.test>, b@example.test; Team: c@example.test, d@example.test;',
			),
		).toEqual([
			{ address: 'joerg@example.test', name: 'Müller, Jörg' },
			{ address: 'b@example.test', name: undefined },
			{ address: 'c@example.test', name: undefined },
			{ address: 'd@example.test', name: undefined },
		]);
	});

	test('needs at least one recipient', () => {
		expect(codeOf(() => buildOutgoingMessage({ ...base, to: '' }))).toBe('INVALID_INPUT');
	});

	test('rejects invalid addresses', () => {
		expect(codeOf(() => buildOutgoingMessage({ ...base, to: 'not an address' }))).toBe(
			'INVALID_ADDRESS',
		);
		expect(codeOf(() => buildOutgoingMessage({ ...base, from: { address: 'no-at-sign' } }))).toBe(
			'INVALID_ADDRESS',
		);
	});

	test('normalises threading headers', () => {
		const message = buildOutgoingMessage({
			...base,
			inReplyTo: 'abc@x.test',
			references: '<a@x.test> b@x.test',
		});
		expect(message.inReplyTo).toBe('<abc@x.test>');
		expect(message.references).toEqual(['<a@x.test>', '<b@x.test>']);
	});
});

describe('header injection is rejected', () => {
	const attempts: Array<[string, Parameters<typeof buildOutgoingMessage>[0]]> = [
		['CRLF in To', { ...base, to: 'a@example.test\r\nBcc: victim@example.test' }],
		['LF in CC', { ...base, cc: 'a@example.test\nBcc: victim@example.test' }],
		['CR in subject', { ...base, subject: 'Hi\rBcc: victim@example.test' }],
		['CRLF in subject', { ...base, subject: 'Hi\r\nContent-Type: text/html' }],
		[
			'LF in sender name',
			{ ...base, from: { address: 'service@example.test', name: 'X\nBcc: v@example.test' } },
		],
		['CRLF in header value', { ...base, headers: { 'X-Ticket': '1\r\nBcc: victim@example.test' } }],
		['colon in header name', { ...base, headers: { 'X-A: b\r\nBcc': 'v@example.test' } }],
		['LF in header name', { ...base, headers: { 'X-A\nBcc': 'v@example.test' } }],
		['CRLF in In-Reply-To', { ...base, inReplyTo: '<a@x>\r\nBcc: v@example.test' }],
		['LF in References', { ...base, references: '<a@x>\nBcc: v@example.test' }],
		['LF in Reply-To', { ...base, replyTo: 'a@example.test\nBcc: v@example.test' }],
		[
			'CRLF in attachment file name',
			{ ...base, attachments: [{ filename: 'a.txt\r\nBcc: v@x', content: Buffer.from('x') }] },
		],
		['Unicode line separator in subject', { ...base, subject: 'Hi\u2028Bcc: v@example.test' }],
	];
	test.each(attempts)('%s', (_name, input) => {
		expect(codeOf(() => buildOutgoingMessage(input))).toBe('HEADER_INJECTION');
	});

	test('structural headers cannot be overridden as custom headers', () => {
		expect(
			codeOf(() => buildOutgoingMessage({ ...base, headers: { From: 'boss@example.test' } })),
		).toBe('INVALID_INPUT');
		expect(
			codeOf(() => buildOutgoingMessage({ ...base, headers: { 'content-type': 'text/html' } })),
		).toBe('INVALID_INPUT');
	});

	test('harmless custom headers pass', () => {
		expect(
			buildOutgoingMessage({
				...base,
				headers: { 'X-Case': '2026-000001', 'Auto-Submitted': 'auto-generated' },
			}).headers,
		).toEqual({
			'X-Case': '2026-000001',
			'Auto-Submitted': 'auto-generated',
		});
	});
});
