import { bareMessageId } from '../../../lib/mail/message-id';
import { messageKeyOf, normalizeEmail } from '../../../lib/store';

describe('message keys (R-PLUS-2)', () => {
	test('Message-IDs lose their angle brackets and spaces, keep their case', () => {
		expect(bareMessageId(' <Abc.123@Mail.Example> ')).toBe('Abc.123@Mail.Example');
		expect(bareMessageId('abc@x')).toBe('abc@x');
		expect(bareMessageId('<>')).toBeUndefined();
		expect(bareMessageId(undefined)).toBeUndefined();
		expect(bareMessageId(null)).toBeUndefined();
	});

	test('the ledger key is the Message-ID, else a SHA-256 of the raw message', () => {
		expect(messageKeyOf({ messageId: '<a@b>', raw: Buffer.from('x') })).toBe('mid:a@b');
		const raw = 'From: a@b\r\n\r\nhello';
		const key = messageKeyOf({ messageId: '  ', raw });
		expect(key).toBe(
			'sha256:' + require('node:crypto').createHash('sha256').update(raw).digest('hex'),
		);
		expect(messageKeyOf({ raw: Buffer.from(raw) })).toBe(key);
		expect(messageKeyOf({ raw: Buffer.from(raw + ' ') })).not.toBe(key);
		expect(() => messageKeyOf({})).toThrow(expect.objectContaining({ code: 'INVALID_INPUT' }));
	});

	test('addresses are compared lower-cased', () => {
		expect(normalizeEmail(' Erika.Müller@Example.DE ')).toBe('erika.müller@example.de');
	});
});
