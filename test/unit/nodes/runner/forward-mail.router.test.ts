/** Issue #12.2: Forward's execute() — parameters → forwardMail, over the shared runner. */
import { MailCasesError } from '../../../../lib/errors';
import { forwardMail } from '../../../../lib/cases/use-cases/forward-mail';
import { senderFor } from '../../../../nodes/shared/sender';
import { storeFor } from '../../../../nodes/shared/store';
import { ForwardMail } from '../../../../nodes/ForwardMail/ForwardMail.node';
import { fakeExecute } from './fake-execute';
import { fakeSender, fakeStore } from './fake-resources';

jest.mock('../../../../lib/cases/use-cases/forward-mail', () => ({ forwardMail: jest.fn() }));
jest.mock('../../../../nodes/shared/store', () => require('./fake-resources').storeModule());
jest.mock('../../../../nodes/shared/sender', () => require('./fake-resources').senderModule());
jest.mock('../../../../nodes/shared/mail-item', () => require('./fake-resources').mailItemModule());

const useCase = jest.mocked(forwardMail);
const node = new ForwardMail();

beforeEach(() => {
	jest.clearAllMocks();
	jest.mocked(storeFor).mockResolvedValue(fakeStore);
});

test('each item: forwardMail gets the sender, a store opener, the parameters and where the mail came in', async () => {
	const sender = fakeSender();
	jest.mocked(senderFor).mockResolvedValue(sender);
	useCase.mockResolvedValue({ kind: 'forwarded', messageId: '<f@x>' } as never);
	const ctx = fakeExecute({
		items: [{ mailbox: { mailbox: 'in@x' }, headers: { 'delivered-to': 'alias@x' } }],
		parameters: { forwardTo: 'team@x', forwardAs: 'inline', options: { note: 'bitte' } },
	});
	const [out] = await node.execute.call(ctx);
	const [deps, input] = useCase.mock.calls[0];
	expect(deps).toMatchObject({ sender, systemId: 'instance-1' });
	expect(input).toMatchObject({ forwardTo: 'team@x', mode: 'inline', note: 'bitte' });
	expect(input.received).toMatchObject({ mailbox: 'in@x' });
	// the store is opened only when the use case asks for it (Forward Once per Mail)
	expect(storeFor).not.toHaveBeenCalled();
	await expect(deps.store()).resolves.toBe(fakeStore);
	expect(sender.closed).toBe(1);
	expect(out[0]).toMatchObject({
		json: { forward: { forwarded: true, mode: 'inline' } },
		pairedItem: { item: 0 },
	});
});

test('a bad profile: with Continue On Fail error items, without it the error of item 0', async () => {
	jest
		.mocked(senderFor)
		.mockRejectedValue(new MailCasesError('AUTH_FAILED', 'The SMTP server refused the login'));
	const items = [{ a: 1 }, { a: 2 }];
	const [out] = await node.execute.call(
		fakeExecute({ items, parameters: { forwardTo: 'x@y' }, continueOnFail: true }),
	);
	expect(out.map((item) => [item.json.code, item.pairedItem])).toEqual([
		['AUTH_FAILED', { item: 0 }],
		['AUTH_FAILED', { item: 1 }],
	]);
	await expect(
		node.execute.call(fakeExecute({ items, parameters: { forwardTo: 'x@y' } })),
	).rejects.toMatchObject({
		message: 'The SMTP server refused the login',
		context: { itemIndex: 0 },
	});
	expect(useCase).not.toHaveBeenCalled();
});
