import type { INodeProperties } from 'n8n-workflow';

export const sendTestProperties: INodeProperties[] = [
	{
		displayName: 'Test Recipient',
		name: 'testRecipient',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'you@example.com',
		displayOptions: { show: { operation: ['sendTest'] } },
		description: 'Address that receives the test mail',
	},
];
