import type { INodeProperties, INodePropertyOptions } from 'n8n-workflow';
import type { SenderPolicy } from '../../lib/cases/sender-policy';

/** R-PLUS-5: the sender policies a user can combine (any one that allows the sender suffices). */
export const senderPolicyOptions: Array<INodePropertyOptions & { value: SenderPolicy }> = [
	{
		name: 'Anyone',
		value: 'anyone',
		description: 'Every sender (the plain behaviour of the spec)',
	},
	{
		name: 'Case Contact',
		value: 'caseContact',
		description: "The case's contact from the contact directory",
	},
	{
		name: 'Case Contact or Requester',
		value: 'caseContactOrRequester',
		description: "The case's contact or the address that opened the case by mail",
	},
	{
		name: 'Case Participant',
		value: 'caseParticipant',
		description: 'Case contact, requester, or a member of the responsible org unit / role',
	},
	{
		name: 'Known Contact',
		value: 'knownContact',
		description: 'Any address in the contact directory',
	},
	{ name: 'Nobody', value: 'nobody' },
	{
		name: 'Organisation Member',
		value: 'orgMember',
		description: 'A member of any org unit / role',
	},
	{
		name: 'Responsible Member',
		value: 'responsibleMember',
		description: 'A member of the org unit / role responsible for the case',
	},
];

/**
 * Issue #11.7: Case Match's own policy (it needs to know how the mail named its case, which only
 * Case Match sees). Listed last, as options are sorted by name.
 */
export const signedOrParticipantOption: INodePropertyOptions & { value: SenderPolicy } = {
	name: 'Signed Reference, Reply to Our Mail, or Participant',
	value: 'signedOrParticipant',
	description:
		'Anyone whose subject carries our signed reference [#number-tag] or who replies to a mail we sent for the case; a number typed by hand only from the case contact, requester, a responsible member or an earlier sender on the case',
};

/** Case Match's policies: the common ones and signedOrParticipant. */
export const caseMatchSenderPolicyOptions = [...senderPolicyOptions, signedOrParticipantOption];

/**
 * The default of Case Match's "Allowed Senders" per node version: version 1 keeps `anyone`
 * (n8n does not store parameters that equal their default, so changing it would change the
 * behaviour of existing workflows); version 2 (new nodes) uses `signedOrParticipant`.
 */
export function defaultSenderPolicy(typeVersion: number): SenderPolicy[] {
	return typeVersion >= 2 ? ['signedOrParticipant'] : ['anyone'];
}

export const plusAddressingOption: INodeProperties = {
	displayName: 'Plus Addressing',
	name: 'plusAddressing',
	type: 'options',
	options: [
		{
			name: 'Distinct Addresses',
			value: 'distinct',
			description: 'Treat max+shop@example.com as another sender than max@example.com',
		},
		{
			name: 'Same Address',
			value: 'same',
			description: 'Ignore a +tag in the local part when comparing senders',
		},
	],
	default: 'distinct',
};

/** Multi-option values as SenderPolicy[] (unknown names are kept: checkCaseSender refuses them). */
export function senderPolicies(value: unknown): SenderPolicy[] {
	return (Array.isArray(value) ? value : [value]).filter(
		(v): v is SenderPolicy => typeof v === 'string' && v !== '',
	);
}
