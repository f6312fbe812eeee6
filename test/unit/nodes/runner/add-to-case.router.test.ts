/** Issue #12.2: Add to Case's execute() — parameters → addMailToCase, over the shared runner. */
import { MailCasesError } from '../../../../lib/errors';
import { addMailToCase } from '../../../../lib/cases/use-cases/add-mail-to-case';
import { storeFor } from '../../../../nodes/shared/store';
import { AddToCase } from '../../../../nodes/AddToCase/AddToCase.node';
import { fakeExecute } from './fake-execute';
import { fakeStore } from './fake-resources';

jest.mock('../../../../lib/cases/use-cases/add-mail-to-case', () => ({ addMailToCase: jest.fn() }));
jest.mock('../../../../nodes/shared/store', () => require('./fake-resources').storeModule());
jest.mock('../../../../nodes/shared/mail-item', () => require('./fake-resources').mailItemModule());

const useCase = jest.mocked(addMailToCase);
const node = new AddToCase();

beforeEach(() => {
	jest.clearAllMocks();
	jest.mocked(storeFor).mockResolvedValue(fakeStore);
});

test('each item: addMailToCase gets the store, the case number, the mail and the field rules only when applied', async () => {
	useCase.mockResolvedValue({ kind: 'replayed', blockedImages: 0 } as never);
	const ctx = fakeExecute({
		items: [{ subject: 'a' }, { subject: 'b' }],
		parameters: (i) => ({
			caseNumber: `2026-00000${i}`,
			applyFields: i === 1,
			fieldOptions: { plusAddressing: 'same' },
		}),
	});
	const [out] = await node.execute.call(ctx);
	expect(storeFor).toHaveBeenCalledTimes(1);
	expect(useCase.mock.calls[0]).toEqual([
		{ store: fakeStore },
		expect.objectContaining({
			caseNumber: '2026-000000',
			mail: { messageId: '<m0@x>' },
			applyFields: undefined,
		}),
	]);
	expect(useCase.mock.calls[1][1]).toMatchObject({
		caseNumber: '2026-000001',
		applyFields: { plusAddressing: 'same', senderPolicy: expect.anything() },
	});
	expect(out).toEqual(
		[0, 1].map((i) =>
			expect.objectContaining({
				json: expect.objectContaining({ replayed: true }),
				pairedItem: { item: i },
			}),
		),
	);
});

test('a case that does not exist: Continue On Fail → { ...input, error, code: NOT_FOUND }; else the error with its item index', async () => {
	useCase.mockRejectedValue(new MailCasesError('NOT_FOUND', 'Case 2026-999999 does not exist'));
	const [out] = await node.execute.call(
		fakeExecute({
			items: [{ subject: 'a' }],
			parameters: { caseNumber: '2026-999999' },
			continueOnFail: true,
		}),
	);
	expect(out).toEqual([
		{
			json: { subject: 'a', error: 'Case 2026-999999 does not exist', code: 'NOT_FOUND' },
			pairedItem: { item: 0 },
		},
	]);
	await expect(
		node.execute.call(fakeExecute({ items: [{}, {}], parameters: { caseNumber: '1' } })),
	).rejects.toMatchObject({
		context: { itemIndex: 0 },
	});
});
