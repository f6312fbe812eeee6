/**
 * #11.6: the editor options of Send Mail's "Reply to Incoming Mail" mode; what they do is
 * lib/cases/use-cases/reply-gate.ts.
 */
import type { INodeProperties } from 'n8n-workflow';
import {
	DEFAULT_LIMIT_PER_RECIPIENT,
	DEFAULT_LIMIT_PERIOD_MINUTES,
} from '../../lib/cases/use-cases/reply-gate';

export const limitPerRecipientOption: INodeProperties = {
	displayName: 'Limit per Recipient',
	name: 'limitPerRecipient',
	type: 'number',
	default: DEFAULT_LIMIT_PER_RECIPIENT,
	typeOptions: { minValue: 0, numberPrecision: 0 },
	description:
		'Needs Reply to Incoming Mail. At most this many mails to the same address within the Limit Period, counted in the case store across executions and n8n instances; further ones are not sent (the item says skipped: rate-limited, no error). 0 = no limit.',
};

export const limitPeriodOption: INodeProperties = {
	displayName: 'Limit Period (Minutes)',
	name: 'limitPeriodMinutes',
	type: 'number',
	default: DEFAULT_LIMIT_PERIOD_MINUTES,
	typeOptions: { minValue: 1, maxValue: 10080, numberPrecision: 0 },
	description:
		'Needs Reply to Incoming Mail. The sliding window of Limit per Recipient (1 minute to 7 days).',
};

export const replyToIncomingOption: INodeProperties = {
	displayName: 'Reply to Incoming Mail',
	name: 'replyToIncoming',
	type: 'boolean',
	default: false,
	description:
		'Whether this mail answers an incoming mail (acknowledgement, auto-reply) and To comes from that mail. Then To must be exactly one valid address, CC and BCC cannot be used, and at most 10 mails per recipient and hour are sent (Limit per Recipient). An answer that cannot go out for these reasons is skipped, not failed: the item says sent: false and why.',
};
