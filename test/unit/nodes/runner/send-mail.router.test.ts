/** Issue #12.2: Send Mail's execute() — operation → send (sendOnCase) or sendTest, over the shared runner. */
import { MailCasesError } from '../../../../lib/errors';
import { sendOnCase } from '../../../../lib/cases/use-cases/send-on-case';
import { senderFor } from '../../../../nodes/shared/sender';
import { storeFor } from '../../../../nodes/shared/store';
import { sendTest } from '../../../../nodes/MailCasesSendMail/actions/send-test.operation';
import { MailCasesSendMail } from '../../../../nodes/MailCasesSendMail/MailCasesSendMail.node';
import { fakeExecute } from './fake-execute';
import { fakeSender, fakeStore } from './fake-resources';

jest.mock('../../../../lib/cases/use-cases/send-on-case', () => ({ sendOnCase: jest.fn() }));
jest.mock('../../../../nodes/MailCasesSendMail/actions/send-test.operation', () => ({
	sendTest: jest.fn(),
}));
jest.mock('../../../../nodes/shared/store', () => require('./fake-resources').storeModule());
jest.mock('../../../../nodes/shared/sender', () => require('./fake-resources').senderModule());
jest.mock('../../../../nodes/shared/mail-item', () => require('./fake-resources').mailItemModule());

const useCase = jest.mocked(sendOnCase);
const node = new MailCasesSendMail();

beforeEach(() => {
	jest.clearAllMocks();
	jest.mocked(storeFor).mockResolvedValue(fakeStore);
});

test('send: sendOnCase gets the mapped parameters; sendTest needs no sender; one sender, closed once', async () => {
	const sender = fakeSender();
	jest.mocked(senderFor).mockResolvedValue(sender);
	useCase.mockResolvedValue({
		kind: 'sent',
		messageId: '<s@x>',
		accepted: ['k@x'],
		rejected: [],
	} as never);
	jest.mocked(sendTest).mockResolvedValue({ json: { success: true } });
	const ctx = fakeExecute({
		items: [{}, {}, {}],
		parameters: (i) =>
			i === 1
				? { operation: 'sendTest', testRecipient: 't@x' }
				: {
						operation: 'send',
						to: 'k@x',
						subject: `S${i}`,
						emailFormat: 'text',
						text: 'Hallo',
						options: {
							caseNumber: ' 2026-000001 ',
							headers: { header: [{ name: 'X-A', value: '1' }] },
						},
					},
	});
	const [out] = await node.execute.call(ctx);
	expect(sendTest).toHaveBeenCalledWith(ctx, 1);
	expect(useCase).toHaveBeenCalledTimes(2);
	const [deps, input] = useCase.mock.calls[1];
	expect(deps).toMatchObject({ sender, systemId: 'instance-1' });
	await expect(deps.store()).resolves.toBe(fakeStore);
	expect(input).toMatchObject({
		to: 'k@x',
		subject: 'S2',
		text: 'Hallo',
		html: undefined,
		caseNumber: '2026-000001',
		headers: { 'X-A': '1' },
	});
	expect(senderFor).toHaveBeenCalledTimes(1);
	expect(sender.closed).toBe(1);
	expect(out.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
	expect(out[0].json).toMatchObject({ sent: true, messageId: '<s@x>', sentThrough: 'smtp' });
});

test('a profile that cannot work fails only the items that send (Continue On Fail)', async () => {
	jest
		.mocked(senderFor)
		.mockRejectedValue(new MailCasesError('INVALID_INPUT', 'The Exchange client id is not a GUID'));
	jest.mocked(sendTest).mockResolvedValue({ json: { success: true } });
	const ctx = fakeExecute({
		items: [{}, {}],
		parameters: (i) => ({
			operation: i === 0 ? 'send' : 'sendTest',
			to: 'k@x',
			emailFormat: 'text',
		}),
		continueOnFail: true,
	});
	const [out] = await node.execute.call(ctx);
	expect(out).toEqual([
		{
			json: { error: 'The Exchange client id is not a GUID', code: 'INVALID_INPUT' },
			pairedItem: { item: 0 },
		},
		{ json: { success: true }, pairedItem: { item: 1 } },
	]);
});
