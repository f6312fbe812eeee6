/** Issue #12.2: Create Case from Mail's execute() — parameters → createCaseFromMail, case / skipped outputs. */
import { MailCasesError } from '../../../../lib/errors';
import { createCaseFromMail } from '../../../../lib/cases/use-cases/create-case-from-mail';
import { storeFor } from '../../../../nodes/shared/store';
import { CreateCaseFromMail } from '../../../../nodes/CreateCaseFromMail/CreateCaseFromMail.node';
import { fakeExecute } from './fake-execute';
import { fakeStore } from './fake-resources';

jest.mock('../../../../lib/cases/use-cases/create-case-from-mail', () => ({
	createCaseFromMail: jest.fn(),
}));
jest.mock('../../../../nodes/shared/store', () => require('./fake-resources').storeModule());
jest.mock('../../../../nodes/shared/mail-item', () => require('./fake-resources').mailItemModule());

const useCase = jest.mocked(createCaseFromMail);
const node = new CreateCaseFromMail();

beforeEach(() => {
	jest.clearAllMocks();
	jest.mocked(storeFor).mockResolvedValue(fakeStore);
});

test('createCaseFromMail gets the store, the system id and the parameters; a skipped mail leaves on output 1', async () => {
	useCase.mockResolvedValue({
		kind: 'automatic-mail',
		message: 'an auto-reply',
		verdict: { autoSubmitted: 'auto-replied' },
	} as never);
	const ctx = fakeExecute({
		items: [{ classification: { kind: 'auto' } }],
		parameters: {
			workflow: 'Beschwerden',
			inboundWorkplace: 'Eingang',
			options: { title: 'T', skipAutomaticMail: true },
		},
	});
	const [cases, skipped] = await node.execute.call(ctx);
	expect(useCase).toHaveBeenCalledWith(
		{ store: fakeStore, systemId: 'instance-1' },
		expect.objectContaining({
			mail: { messageId: '<m0@x>' },
			classification: { kind: 'auto' },
			workflow: 'Beschwerden',
			inboundWorkplace: 'Eingang',
			title: 'T',
			skipAutomaticMail: true,
		}),
	);
	expect(cases).toEqual([]);
	expect(skipped).toEqual([
		expect.objectContaining({
			json: {
				classification: { kind: 'auto' },
				skipped: { reason: 'an auto-reply', autoSubmitted: 'auto-replied' },
			},
			pairedItem: { item: 0 },
		}),
	]);
});

test('a store that cannot be opened, with Continue On Fail: an error item per item on the case output', async () => {
	jest
		.mocked(storeFor)
		.mockRejectedValue(new MailCasesError('STORE_UNAVAILABLE', 'The case store cannot be reached'));
	const [cases, skipped] = await node.execute.call(
		fakeExecute({ items: [{ a: 1 }, { a: 2 }], continueOnFail: true }),
	);
	expect(cases.map((item) => [item.json, item.pairedItem])).toEqual([
		[{ a: 1, error: 'The case store cannot be reached', code: 'STORE_UNAVAILABLE' }, { item: 0 }],
		[{ a: 2, error: 'The case store cannot be reached', code: 'STORE_UNAVAILABLE' }, { item: 1 }],
	]);
	expect(skipped).toEqual([]);
	expect(storeFor).toHaveBeenCalledTimes(1);
});
