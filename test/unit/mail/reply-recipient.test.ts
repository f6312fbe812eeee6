import MailComposer from 'nodemailer/lib/mail-composer';
import { buildOutgoingMessage, toNodemailerOptions } from '../../../lib/mail/outgoing-message';
import { replyRecipient } from '../../../lib/mail/reply-recipient';

const many = Array.from({ length: 200 }, (_, i) => `v${i}@x${i}.example.test`).join(',');

describe('#11.6 replyRecipient: an answer to an incoming mail has exactly one valid recipient', () => {
	test('one address, bare or with a display name', () => {
		expect(replyRecipient('kunde@example.test')).toEqual({
			ok: true,
			recipient: { address: 'kunde@example.test', name: undefined },
		});
		expect(replyRecipient('"Kunde, Erika" <erika@example.test>')).toMatchObject({
			ok: true,
			recipient: { address: 'erika@example.test' },
		});
	});

	test.each([
		['empty (the mail had no usable sender)', 'no-recipient', ''],
		['undefined', 'no-recipient', undefined],
		['null', 'no-recipient', null],
		['a number', 'no-recipient', 42],
		['only an empty group', 'no-recipient', 'undisclosed-recipients:;'],
		['a list of 200 in angle brackets', 'invalid-recipient', `<${many}>`],
		['a list of 200 with a display name', 'invalid-recipient', `"Boss" <${many}>`],
		['a quoted local part with a comma', 'invalid-recipient', '"a,b"@example.test'],
		['CRLF', 'invalid-recipient', 'a@example.test\r\nBcc: v@example.test'],
		['an address literal', 'invalid-recipient', 'a@[127.0.0.1]'],
		['a comma list (what `<a,b>` became before #11.6)', 'several-recipients', many],
		['a semicolon list', 'several-recipients', 'a@example.test; b@example.test'],
		['a group of two', 'several-recipients', 'Team: a@example.test, b@example.test;'],
		['an array of two', 'several-recipients', ['a@example.test', 'b@example.test']],
	])('%s → skipped %s', (_what, skipped, to) => {
		const result = replyRecipient(to);
		expect(result).toMatchObject({ ok: false, skipped });
		// the reason never echoes what the stranger wrote
		if (!result.ok) expect(result.reason.length).toBeLessThan(200);
	});
});

describe('#11.6 nodemailer gets only validated envelopes', () => {
	/** The SMTP envelope nodemailer would use for a message built by buildOutgoingMessage. */
	function envelopeOf(to: string): { from: string | false; to: string[] } {
		const message = buildOutgoingMessage({
			from: { address: 'service@example.test' },
			to,
			subject: 'x',
			text: 'x',
		});
		return new MailComposer(toNodemailerOptions(message)).compile().getEnvelope();
	}

	test('nodemailer itself splits a header-like To string at commas: that is why To is parsed and checked by us', () => {
		const composed = new MailComposer({
			from: 'service@example.test',
			to: 'v1@a.example.test,v2@b.example.test,v3@c.example.test',
		})
			.compile()
			.getEnvelope();
		expect(composed.to).toHaveLength(3);
	});

	test('the envelope is exactly the checked recipients, one per address object', () => {
		expect(envelopeOf('kunde@example.test').to).toEqual(['kunde@example.test']);
		expect(envelopeOf('a@example.test, "B" <b@example.test>').to).toEqual([
			'a@example.test',
			'b@example.test',
		]);
	});

	test('a To that hides a list inside one address is refused before nodemailer sees it', () => {
		expect(() => envelopeOf(`<${many}>`)).toThrow(/is not one valid e-mail address/);
		expect(() => envelopeOf(`"Boss" <${many}>`)).toThrow(/\(\d+ characters\)/);
		expect(() => envelopeOf('"a,b"@example.test')).toThrow(/is not one valid e-mail address/);
	});
});
