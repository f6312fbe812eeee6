import { planFieldUpdates, typedFieldValue } from '../../../lib/cases/field-updates';
import { checkSenderPolicy } from '../../../lib/cases/sender-policy';
import type { FieldDefinition } from '../../../lib/store';

const FORM: FieldDefinition[] = [
	{ name: 'Name', type: 'text' },
	{ name: 'Straße', type: 'text' },
	{ name: 'Betrag', type: 'number' },
	{ name: 'Fällig', type: 'date' },
	{ name: 'Dringend', type: 'boolean' },
];

describe('R-PROC-5: Field = Value lines become typed updates of the case form', () => {
	test('values are typed for the store: number, date, boolean, text; umlauts in names and values (R-PLUS-6)', () => {
		const plan = planFieldUpdates(
			'Hallo,\nName = Müller-Lüdenscheidt\nStraße = Königsallee 5\nBetrag = 1.234,56\nFällig = 29.11.2026\nDringend = ja\n',
			FORM,
		);
		expect(plan.updates).toEqual({
			Name: 'Müller-Lüdenscheidt',
			Straße: 'Königsallee 5',
			Betrag: 1234.56,
			Fällig: '2026-11-29',
			Dringend: true,
		});
		expect(plan).toMatchObject({ unknown: [], invalid: [], rejected: [] });
	});

	test('an empty value clears the field (null); unknown fields are reported, not created', () => {
		const plan = planFieldUpdates('Name =\nFarbe = rot\nBetrag = 0', FORM);
		expect(plan.updates).toEqual({ Name: null, Betrag: 0 });
		expect(plan.unknown).toEqual(['Farbe']);
	});

	test('values that do not fit the field type are reported and not written', () => {
		const plan = planFieldUpdates('Betrag = viel\nFällig = 31.02.2026\nName = Mustermann', FORM);
		expect(plan.updates).toEqual({ Name: 'Mustermann' });
		expect(plan.invalid.map((i) => i.field)).toEqual(['Betrag', 'Fällig']);
	});

	test('quoted reply text is ignored; HTML-only mails are read as text', () => {
		const quoted = planFieldUpdates(
			{
				text: 'Name = Neu\n\nAm 01.03.2026 um 10:00 schrieb Service <s@firma.example>:\n> Name = Alt\n> Betrag = 5',
			},
			FORM,
		);
		expect(quoted.updates).toEqual({ Name: 'Neu' });
		const html = planFieldUpdates(
			{ text: '', html: '<p>Name = Mustermann</p><p>Straße = Hauptstraße 1</p>' },
			FORM,
		);
		expect(html.updates).toEqual({ Name: 'Mustermann', Straße: 'Hauptstraße 1' });
	});

	test('exact names by default, case-insensitive and "Field: Value" as options', () => {
		expect(planFieldUpdates('name = x\nSTRASSE = y', FORM)).toMatchObject({
			updates: {},
			unknown: ['name', 'STRASSE'],
		});
		expect(
			planFieldUpdates('name = x\nSTRASSE = y', FORM, { caseInsensitive: true }).updates,
		).toEqual({ Name: 'x', Straße: 'y' });
		expect(planFieldUpdates('Name: x', FORM).updates).toEqual({});
		expect(planFieldUpdates('Name: x', FORM, { separators: ['=', ':'] }).updates).toEqual({
			Name: 'x',
		});
	});
});

describe('R-PLUS-5: who may set which fields', () => {
	test('fields outside the allowed list are rejected', () => {
		const plan = planFieldUpdates('Name = x\nBetrag = 5', FORM, { allowedFields: ['Name'] });
		expect(plan.updates).toEqual({ Name: 'x' });
		expect(plan.rejected).toEqual([{ field: 'Betrag', reason: 'field may not be set by e-mail' }]);
	});

	test('a sender the policy refuses sets nothing; every field he wrote is rejected with the reason', () => {
		const sender = checkSenderPolicy({
			sender: 'fremder@example.org',
			policy: 'caseContact',
			case: { contactEmail: 'kunde@example.com' },
		});
		const plan = planFieldUpdates('Name = Hacker\nBetrag = kaputt\nFarbe = rot', FORM, { sender });
		expect(plan.updates).toEqual({});
		expect(plan.rejected).toEqual([
			{ field: 'Name', reason: sender.message },
			{ field: 'Betrag', reason: sender.message },
		]);
		expect(plan.unknown).toEqual(['Farbe']);
	});

	test('an allowed sender is applied as usual', () => {
		const sender = checkSenderPolicy({
			sender: 'Kunde@Example.com',
			policy: 'caseContact',
			case: { contactEmail: 'kunde@example.com' },
		});
		expect(planFieldUpdates('Name = Ok', FORM, { sender }).updates).toEqual({ Name: 'Ok' });
	});
});

test('typedFieldValue maps canonical strings to store values', () => {
	expect(typedFieldValue('-3.5', 'number')).toBe(-3.5);
	expect(typedFieldValue('false', 'boolean')).toBe(false);
	expect(typedFieldValue('vielleicht', 'boolean')).toBeUndefined();
	expect(typedFieldValue('2026-01-02', 'date')).toBe('2026-01-02');
	expect(typedFieldValue('', 'number')).toBeNull();
});
