import { onceMessageId } from '../../../lib/mail/once-message-id';
import { messageIdDomain } from '../../../lib/mail/outgoing-message';
import { notificationMessageId } from '../../../lib/cases/compose-notification';
import { buildOutgoingMessage } from '../../../lib/mail/outgoing-message';

describe('R-PLUS-2: onceMessageId (Send Mail "Send Once Per")', () => {
	const base = {
		systemId: 'sys-1',
		scope: 'send',
		caseId: 1,
		key: '<a@b>',
		fromAddress: 'cases@example.com',
	};

	test('is the same for the same installation, case, key and sender domain, and differs otherwise', () => {
		expect(onceMessageId(base)).toBe(onceMessageId({ ...base }));
		expect(onceMessageId(base)).toMatch(/^<mail-cases\.send\.[0-9a-f]{32}@example\.com>$/);
		expect(onceMessageId({ ...base, key: '  <a@b>\n' })).toBe(onceMessageId(base));
		for (const change of [
			{ caseId: 2 },
			{ key: '<c@d>' },
			{ systemId: 'sys-2' },
			{ scope: 'ack' },
			{ fromAddress: 'cases@example.org' },
		]) {
			expect(onceMessageId({ ...base, ...change })).not.toBe(onceMessageId(base));
		}
		// the parts cannot run into each other
		expect(onceMessageId({ ...base, caseId: 1, key: '2x' })).not.toBe(
			onceMessageId({ ...base, caseId: 12, key: 'x' }),
		);
	});

	test('differs from the notification id for the same inputs, which stays as it was', () => {
		const notify = notificationMessageId({
			systemId: 'sys-1',
			mailKey: 'mid:a@b',
			caseId: 1,
			fromAddress: 'cases@example.com',
		});
		expect(notify).toMatch(/^<mail-cases\.notify\.[0-9a-f]{32}@example\.com>$/);
		expect(onceMessageId({ ...base, key: 'mid:a@b' })).not.toBe(notify);
	});

	test('is a valid Message-ID for buildOutgoingMessage, also for an odd sender address', () => {
		for (const fromAddress of ['cases@example.com', 'no-domain']) {
			const id = onceMessageId({ ...base, fromAddress });
			const message = buildOutgoingMessage({
				from: { address: 'cases@example.com' },
				to: 'a@example.com',
				subject: 'x',
				messageId: id,
			});
			expect(message.messageId).toBe(id);
		}
		expect(messageIdDomain('no-domain')).toBe('mail-cases.invalid');
	});

	test('an empty key or an invalid scope is refused', () => {
		expect(() => onceMessageId({ ...base, key: '  ' })).toThrow(/key .* is empty/);
		expect(() => onceMessageId({ ...base, scope: 'a b' })).toThrow(/scope/);
	});
});
