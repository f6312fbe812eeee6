/** Issue #12.2: Case Match's execute() — parameters → matchMail, matched / unmatched outputs. */
import { MailCasesError } from '../../../../lib/errors';
import { matchMail } from '../../../../lib/cases/use-cases/match-mail';
import { storeFor } from '../../../../nodes/shared/store';
import { CaseMatch } from '../../../../nodes/CaseMatch/CaseMatch.node';
import { fakeExecute } from './fake-execute';
import { fakeStore } from './fake-resources';

jest.mock('../../../../lib/cases/use-cases/match-mail', () => ({ matchMail: jest.fn() }));
jest.mock('../../../../lib/cases/case-json', () => ({
	caseJson: (c: { number: string }) => ({ number: c.number }),
}));
jest.mock('../../../../nodes/shared/store', () => require('./fake-resources').storeModule());
jest.mock('../../../../nodes/shared/mail-item', () => require('./fake-resources').mailItemModule());

const useCase = jest.mocked(matchMail);
const node = new CaseMatch();
const store = { ...fakeStore, caseReferenceKey: async () => 'key' } as unknown as typeof fakeStore;

beforeEach(() => {
	jest.clearAllMocks();
	jest.mocked(storeFor).mockResolvedValue(store);
});

test('matched items on output 0, unmatched on output 1, errors (Continue On Fail) on output 0', async () => {
	useCase
		.mockResolvedValueOnce({
			matched: true,
			case: { number: '2026-000001' },
			reference: 'r',
			caseMatch: { by: 'subject' },
		} as never)
		.mockResolvedValueOnce({
			matched: false,
			reason: 'noReference',
			message: 'no number',
			caseNumbers: [],
		} as never)
		.mockRejectedValueOnce(new MailCasesError('INVALID_INPUT', 'The pattern has no group'));
	const ctx = fakeExecute({
		items: [{ n: 0 }, { n: 1 }, { n: 2 }],
		parameters: {
			senderPolicy: ['anyone'],
			options: { keywords: 'Vorgang, Case', patterns: 'A(\\d+)\nB(\\d+)', bareNumbers: true },
		},
		continueOnFail: true,
	});
	const [matched, unmatched] = await node.execute.call(ctx);
	expect(useCase.mock.calls[0]).toEqual([
		{ store, referenceKey: 'key' },
		expect.objectContaining({
			mail: { messageId: '<m0@x>' },
			keywords: ['Vorgang', 'Case'],
			patterns: ['A(\\d+)', 'B(\\d+)'],
			bareNumbers: true,
		}),
	]);
	expect(matched).toEqual([
		{
			json: { n: 0, case: { number: '2026-000001' }, caseMatch: { by: 'subject' } },
			pairedItem: { item: 0 },
		},
		{
			json: { n: 2, error: 'The pattern has no group', code: 'INVALID_INPUT' },
			pairedItem: { item: 2 },
		},
	]);
	expect(unmatched).toEqual([
		{
			json: { n: 1, reason: 'noReference', reasonMessage: 'no number', caseNumbers: [] },
			pairedItem: { item: 1 },
		},
	]);
});

test('a store that cannot be opened: the error of item 0 with its index', async () => {
	jest
		.mocked(storeFor)
		.mockRejectedValue(new MailCasesError('STORE_UNAVAILABLE', 'The case store cannot be reached'));
	await expect(
		node.execute.call(fakeExecute({ items: [{}], parameters: { senderPolicy: ['anyone'] } })),
	).rejects.toMatchObject({
		message: 'The case store cannot be reached',
		context: { itemIndex: 0 },
	});
});
