/** Issue #12.2: Contact Lookup and Parse Fields over the shared runner — parameters → output items. */
import { MailCasesError } from '../../../../lib/errors';
import type { Store } from '../../../../lib/store';
import { storeFor } from '../../../../nodes/shared/store';
import { ContactLookup } from '../../../../nodes/ContactLookup/ContactLookup.node';
import { ParseFields } from '../../../../nodes/ParseFields/ParseFields.node';
import { fakeExecute } from './fake-execute';

jest.mock('../../../../nodes/shared/store', () => require('./fake-resources').storeModule());

describe('Contact Lookup', () => {
	const findAllByEmail = jest.fn();
	beforeEach(() => {
		findAllByEmail.mockReset();
		jest
			.mocked(storeFor)
			.mockReset()
			.mockResolvedValue({ contacts: { findAllByEmail } } as unknown as Store);
	});

	test('the address of a display form is looked up; the oldest contact and the count go to the output property', async () => {
		findAllByEmail.mockResolvedValue([
			{ id: 3, email: 'a@x', firstName: 'A' },
			{ id: 9, email: 'a@x' },
		]);
		const ctx = fakeExecute({
			items: [{ m: 1 }, { m: 2 }],
			parameters: (i) => ({
				email: i === 0 ? ' "A" <a@x> ' : 'kein',
				options: { outputProperty: 'who' },
			}),
		});
		const [out] = await new ContactLookup().execute.call(ctx);
		expect(findAllByEmail.mock.calls).toEqual([['a@x']]);
		expect(out[0]).toMatchObject({
			json: { m: 1, who: { id: 3, firstName: 'A' }, whoMatches: 2 },
			pairedItem: { item: 0 },
		});
		expect(out[1]).toMatchObject({
			json: { m: 2, who: { id: null }, whoMatches: 0 },
			pairedItem: { item: 1 },
		});
		expect(storeFor).toHaveBeenCalledTimes(1);
	});

	test('a store that cannot be opened, with Continue On Fail: error items', async () => {
		jest
			.mocked(storeFor)
			.mockRejectedValue(
				new MailCasesError('STORE_UNAVAILABLE', 'The case store cannot be reached'),
			);
		const [out] = await new ContactLookup().execute.call(
			fakeExecute({ items: [{ m: 1 }], parameters: { email: 'a@x' }, continueOnFail: true }),
		);
		expect(out).toEqual([
			{
				json: { m: 1, error: 'The case store cannot be reached', code: 'STORE_UNAVAILABLE' },
				pairedItem: { item: 0 },
			},
		]);
	});
});

describe('Parse Fields', () => {
	test('text, HTML and options → fields under the output property, input kept, paired', async () => {
		const ctx = fakeExecute({
			items: [{ id: 1 }, { id: 2 }],
			parameters: (i) => ({
				text: i === 0 ? 'Name = Müller\n> Ort = zitiert' : '',
				html: i === 1 ? '<p>Ort = Köln</p>' : '',
				options: { outputProperty: 'werte' },
			}),
		});
		const [out] = await new ParseFields().execute.call(ctx);
		expect(out).toEqual([
			{ json: { id: 1, werte: { Name: 'Müller' } }, pairedItem: { item: 0 } },
			{ json: { id: 2, werte: { Ort: 'Köln' } }, pairedItem: { item: 1 } },
		]);
	});
});
