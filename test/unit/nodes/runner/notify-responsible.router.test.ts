/** Issue #12.2: Notify Responsible's execute() — parameters → notifyResponsible, over the shared runner. */
import { MailCasesError } from '../../../../lib/errors';
import { notifyResponsible } from '../../../../lib/cases/use-cases/notify-responsible';
import { senderFor } from '../../../../nodes/shared/sender';
import { storeFor } from '../../../../nodes/shared/store';
import { NotifyResponsible } from '../../../../nodes/NotifyResponsible/NotifyResponsible.node';
import { fakeExecute } from './fake-execute';
import { fakeSender, fakeStore } from './fake-resources';

jest.mock('../../../../lib/cases/use-cases/notify-responsible', () => ({
	notifyResponsible: jest.fn(),
}));
jest.mock('../../../../nodes/shared/store', () => require('./fake-resources').storeModule());
jest.mock('../../../../nodes/shared/sender', () => require('./fake-resources').senderModule());
jest.mock('../../../../nodes/shared/mail-item', () => require('./fake-resources').mailItemModule());

const useCase = jest.mocked(notifyResponsible);
const node = new NotifyResponsible();

beforeEach(() => {
	jest.clearAllMocks();
	jest.mocked(storeFor).mockResolvedValue(fakeStore);
});

test('each item: notifyResponsible gets the store, the sender, the mail and the parameters; sender closed once', async () => {
	const sender = fakeSender();
	jest.mocked(senderFor).mockResolvedValue(sender);
	useCase.mockResolvedValue({
		kind: 'notified',
		case: { id: 5 },
		orgUnit: { id: 2, name: 'Team', kind: 'unit' },
		recipients: ['a@x'],
	} as never);
	const ctx = fakeExecute({
		items: [{ subject: 'a' }, { subject: 'b' }],
		parameters: (i) => ({ caseNumber: ` 2026-00000${i} `, options: { language: 'en' } }),
	});
	const [out] = await node.execute.call(ctx);
	expect(useCase).toHaveBeenCalledTimes(2);
	expect(useCase).toHaveBeenNthCalledWith(
		2,
		{ store: fakeStore, sender, systemId: 'instance-1' },
		{ language: 'en', mail: { messageId: '<m1@x>' }, caseNumber: '2026-000001' },
	);
	expect(senderFor).toHaveBeenCalledTimes(1);
	expect(sender.closed).toBe(1);
	expect(out.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 1 }]);
	expect(out[1].json).toMatchObject({
		subject: 'b',
		notification: { caseNumber: '2026-000001', caseId: 5, notified: true },
	});
});

test('a bad SMTP profile with Continue On Fail: an error item per item, the run goes on', async () => {
	jest
		.mocked(senderFor)
		.mockRejectedValue(new MailCasesError('INVALID_INPUT', 'The SMTP profile names no host'));
	const ctx = fakeExecute({
		items: [{ a: 1 }, { a: 2 }],
		parameters: { caseNumber: '1' },
		continueOnFail: true,
	});
	const [out] = await node.execute.call(ctx);
	expect(out).toEqual(
		[0, 1].map((i) => ({
			json: { a: i + 1, error: 'The SMTP profile names no host', code: 'INVALID_INPUT' },
			pairedItem: { item: i },
		})),
	);
	expect(senderFor).toHaveBeenCalledTimes(1);
	expect(useCase).not.toHaveBeenCalled();
});
