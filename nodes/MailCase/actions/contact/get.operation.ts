import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { MailCasesError } from '../../../../lib/errors';
import type { Store } from '../../../../lib/store';
import { outputItem, outputItems } from '../common';
import { showFor } from '../properties';

const show = showFor('contact', 'get');

export const description: INodeProperties[] = [
	{
		displayName: 'Email',
		name: 'email',
		type: 'string',
		placeholder: 'name@email.com',
		required: true,
		default: '',
		displayOptions: show,
		description: 'Address to look up (any letter case)',
	},
	{
		displayName: 'All Matches',
		name: 'allMatches',
		type: 'boolean',
		default: false,
		displayOptions: show,
		description:
			'Whether to return every contact with this address (oldest first) instead of only the first, oldest one',
	},
];

/**
 * Contact → Get by E-Mail: the contact directory's first contact for an address. When several
 * contacts share it, the oldest (first created) one is returned (R-PROC-6b).
 */
export async function execute(
	ctx: IExecuteFunctions,
	itemIndex: number,
	store: Store,
): Promise<INodeExecutionData[]> {
	const email = String(ctx.getNodeParameter('email', itemIndex) ?? '').trim();
	if (!email) throw new MailCasesError('INVALID_INPUT', 'An e-mail address is required');
	const matches = ctx.getNodeParameter('allMatches', itemIndex, false)
		? await store.contacts.findAllByEmail(email)
		: [await store.contacts.findByEmail(email)].filter((c) => c !== undefined);
	if (matches.length === 0) {
		throw new MailCasesError('NOT_FOUND', `No contact has the e-mail address ${email}`);
	}
	return matches.length === 1
		? [outputItem(matches[0], itemIndex)]
		: outputItems(matches, itemIndex);
}
