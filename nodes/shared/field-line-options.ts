import type { INodeProperties } from 'n8n-workflow';
import type { FieldLineSettings } from '../../lib/cases/use-cases/field-line-settings';

/**
 * The `Field = Value` line options, one block for every node that reads field lines (Create
 * Case From Mail, Add to Case, Parse Fields). Each node puts them into its own collection under
 * the collection's saved name (`options`, or `fieldOptions` in Add to Case): saved workflows
 * keep working, only labels and descriptions are one.
 */
export const fieldLineOptions: INodeProperties[] = [
	{
		displayName: 'Accept "Field: Value"',
		name: 'colonSeparator',
		type: 'boolean',
		default: false,
		description:
			'Whether "Field: Value" lines count too (off by default: "Hinweis: ..." is common prose)',
	},
	{
		displayName: 'Allowed Fields',
		name: 'allowedFields',
		type: 'string',
		default: '',
		placeholder: 'Name, Telefon',
		description:
			'Only these fields are taken from the mail, separated by commas; empty = every field',
	},
	{
		displayName: 'Case-Insensitive Names',
		name: 'caseInsensitive',
		type: 'boolean',
		default: false,
		description:
			'Whether "name = ..." and "Name = ..." name the same field (by default names must match exactly)',
	},
];

/** For nodes that read the lines against a case form with number fields. */
export const decimalSeparatorOption: INodeProperties = {
	displayName: 'Decimal Separator',
	name: 'decimalSeparator',
	type: 'options',
	options: [
		{ name: 'Comma (German: 1.234 Is 1234)', value: ',' },
		{ name: 'Point (English: 1.234 Is 1.234)', value: '.' },
		{ name: 'Refuse Ambiguous Numbers', value: '' },
	],
	default: '',
	description: 'How to read a number like 1.234 in a number field',
};

/** The values of the options above, as n8n gives a collection. */
export interface FieldLineOptionValues {
	colonSeparator?: boolean;
	allowedFields?: string;
	caseInsensitive?: boolean;
	decimalSeparator?: '' | ',' | '.';
}

/** The option values as the use cases take them. */
export function fieldLineSettings(values: FieldLineOptionValues | undefined): FieldLineSettings {
	const allowed = String(values?.allowedFields ?? '')
		.split(',')
		.map((f) => f.trim())
		.filter(Boolean);
	return {
		separators: values?.colonSeparator ? ['=', ':'] : ['='],
		caseInsensitive: values?.caseInsensitive === true,
		allowedFields: allowed.length > 0 ? allowed : null,
		decimalSeparator: values?.decimalSeparator || undefined,
	};
}
