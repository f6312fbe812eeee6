import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { GraphSender } from '../../lib/protocols/graph/graph-sender';
import { exchangeFromAddress } from '../../lib/protocols/graph/exchange-profile';
import type { MailSender } from '../../lib/protocols/mail-sender';
import { SmtpSender } from '../../lib/protocols/smtp/smtp-transport';
import { exchangeProfileFrom, smtpProfileFrom } from './profiles';

/** The "Send Through" parameter of every node that sends mail. */
export const sendThroughProperty: INodeProperties = {
	displayName: 'Send Through',
	name: 'sendThrough',
	type: 'options',
	noDataExpression: true,
	options: [
		{ name: 'SMTP Profile', value: 'smtp' },
		{ name: 'Exchange Profile (Microsoft Graph)', value: 'exchange' },
	],
	default: 'smtp',
};

/** Credentials entries for nodes that send: one of the two, chosen by "Send Through". */
export const senderCredentials = [
	{ name: 'mailCasesSmtp', required: true, displayOptions: { show: { sendThrough: ['smtp'] } } },
	{
		name: 'mailCasesExchange',
		required: true,
		displayOptions: { show: { sendThrough: ['exchange'] } },
	},
];

/**
 * The sender for one execution: one SMTP connection pool (or one Graph client with its token
 * cache) serves every item. Close it when the execution is done.
 */
export async function senderFor(ctx: IExecuteFunctions): Promise<MailSender> {
	const through = ctx.getNodeParameter('sendThrough', 0, 'smtp') as string;
	if (through === 'exchange') {
		const profile = exchangeProfileFrom(await ctx.getCredentials('mailCasesExchange'));
		const graph = new GraphSender(profile);
		return {
			kind: 'exchange',
			from: { address: exchangeFromAddress(profile), name: profile.fromName },
			isDefault: profile.isDefault === true,
			send: (message) => graph.send(message),
			close: () => graph.close(),
		};
	}
	const profile = smtpProfileFrom(await ctx.getCredentials('mailCasesSmtp'));
	const smtp = new SmtpSender(profile, { pool: true });
	return {
		kind: 'smtp',
		from: { address: profile.fromAddress, name: profile.fromName },
		isDefault: profile.isDefault === true,
		send: (message) => smtp.send(message),
		close: () => smtp.close(),
	};
}
