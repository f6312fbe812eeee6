import MailComposer from 'nodemailer/lib/mail-composer';
import { MailCasesError } from '../../../lib/errors';
import { classifyMessage } from '../../../lib/mail/classify';
import {
	LOOP_HEADER,
	autoHeaders,
	isOwnMail,
	loopHeaderValue,
	loopHeaders,
} from '../../../lib/mail/loop-header';
import { parseMessage, parseMessageHeaders } from '../../../lib/mail/parse-message';
import { simpleMail } from './mail-builder';

function compose(headers: Record<string, string>): Promise<Buffer> {
	return new MailComposer({
		from: 'Support <support@example.com>',
		to: 'Erika Müller <erika@example.org>',
		subject: 'Neue Nachricht zu Vorgang 2026-000123',
		text: 'Es ist eine neue Nachricht eingegangen.',
		headers,
	})
		.compile()
		.build();
}

describe('R-PLUS-3: our loop header', () => {
	it('is X-Mail-Cases-Loop carrying the system id', () => {
		expect(LOOP_HEADER).toBe('X-Mail-Cases-Loop');
		expect(loopHeaderValue('  prod-1 ')).toBe('prod-1');
		expect(loopHeaders('prod-1')).toEqual({ 'X-Mail-Cases-Loop': 'prod-1' });
	});

	it('autoHeaders adds Auto-Submitted: auto-generated and X-Auto-Response-Suppress: All', () => {
		expect(autoHeaders('prod-1')).toEqual({
			'X-Mail-Cases-Loop': 'prod-1',
			'Auto-Submitted': 'auto-generated',
			'X-Auto-Response-Suppress': 'All',
		});
	});

	it.each(['', 'two words', 'line\r\nBcc: x@example.com', 'ü', 'x'.repeat(201)])(
		'rejects the system id %j',
		(id) => {
			expect(() => loopHeaderValue(id)).toThrow(MailCasesError);
			expect(() => autoHeaders(id)).toThrow(expect.objectContaining({ code: 'INVALID_INPUT' }));
		},
	);

	it('isOwnMail: header present (any system) / naming this system', async () => {
		const own = await parseMessage(simpleMail(['X-Mail-Cases-Loop: prod-1']));
		const other = await parseMessage(simpleMail(['X-Mail-Cases-Loop: test-7']));
		const none = await parseMessage(simpleMail());
		expect(isOwnMail(own)).toBe(true);
		expect(isOwnMail(own, 'prod-1')).toBe(true);
		expect(isOwnMail(other)).toBe(true);
		expect(isOwnMail(other, 'prod-1')).toBe(false);
		expect(isOwnMail(none)).toBe(false);
		expect(isOwnMail(none, 'prod-1')).toBe(false);
		expect(
			isOwnMail(
				parseMessageHeaders(simpleMail(['X-Mail-Cases-Loop:', 'X-Mail-Cases-Loop: prod-1'])),
				'prod-1',
			),
		).toBe(true);
	});

	it('a notification composed with autoHeaders comes back as loop, and another system sees an auto-reply', async () => {
		const raw = await compose(autoHeaders('prod-1'));
		const parsed = await parseMessage(raw);
		expect(isOwnMail(parsed, 'prod-1')).toBe(true);
		expect(classifyMessage(parsed, { systemId: 'prod-1' })).toEqual({
			class: 'loop',
			reasons: [
				'X-Mail-Cases-Loop: prod-1 (mail sent by this system)',
				'Auto-Submitted: auto-generated',
				'X-Auto-Response-Suppress: All',
			],
		});
		expect(classifyMessage(parsed, { systemId: 'other' }).class).toBe('autoReply');
	});

	it('a reply to a customer composed with loopHeaders only is recognised when it loops back', async () => {
		const parsed = await parseMessage(await compose(loopHeaders('prod-1')));
		expect(parsed.headers['auto-submitted']).toBeUndefined();
		expect(classifyMessage(parsed, { systemId: 'prod-1' }).class).toBe('loop');
		expect(classifyMessage(parsed, { systemId: 'other' }).class).toBe('autoReply');
	});
});
