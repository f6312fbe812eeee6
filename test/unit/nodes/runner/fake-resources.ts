import type { MailSender } from '../../../../lib/protocols/mail-sender';
import type { Store } from '../../../../lib/store';

/** A store object the router tests pass through (operations and use cases are mocked). */
export const fakeStore = { kind: 'fake store' } as unknown as Store;

/** A sender that records that it was closed. */
export function fakeSender(): MailSender & { closed: number } {
	const sender = {
		kind: 'smtp' as const,
		from: { address: 'system@example.test' },
		isDefault: true,
		closed: 0,
		send: async () => {
			throw new Error('not in a router test');
		},
		close: () => {
			sender.closed++;
		},
	};
	return sender as unknown as MailSender & { closed: number };
}

/*
 * Module factories for jest.mock (hoisted, so they are required inside the factory):
 *   jest.mock('../../../../nodes/shared/store', () => require('./fake-resources').storeModule());
 * The real module with its opener replaced by a jest.fn().
 */
export const storeModule = () => ({
	...jest.requireActual('../../../../nodes/shared/store'),
	storeFor: jest.fn(),
});
export const senderModule = () => ({
	...jest.requireActual('../../../../nodes/shared/sender'),
	senderFor: jest.fn(),
});
/** mailFromItem: the mail of item i is `{ messageId: '<m{i}@x>' }`. */
export const mailItemModule = () => ({
	mailFromItem: jest.fn(async (_ctx: unknown, i: number) => ({ messageId: `<m${i}@x>` })),
});
