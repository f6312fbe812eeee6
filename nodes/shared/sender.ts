import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { GraphSender } from '../../lib/protocols/graph/graph-sender';
import { exchangeFromAddress } from '../../lib/protocols/graph/exchange-profile';
import type { MailSender } from '../../lib/protocols/mail-sender';
import { smtpPools } from '../../lib/protocols/smtp/smtp-pool';
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

/**
 * The node's SMTP credential id: a pool found under it again with other settings (the credential
 * was edited) is dropped (lib/protocols/smtp/smtp-pool.ts).
 */
function smtpCredentialOwner(ctx: IExecuteFunctions): string | undefined {
	const id = ctx.getNode().credentials?.mailCasesSmtp?.id;
	return id ? `n8n-credential:${id}` : undefined;
}

/**
 * The items of an execution go this wide (#17.5): the sender's concurrency, 1 when the sender
 * cannot be opened (every item gets its error, as before).
 */
export async function sendConcurrency(resources: {
	sender: () => Promise<MailSender>;
}): Promise<number> {
	return (await resources.sender()).concurrency ?? 1;
}

/**
 * The sender for one execution: a lease on the process's SMTP pool of the profile (#17.5: shared
 * by every execution and node, closed when idle) or one Graph client with its token cache.
 * Close it when the execution is done (the SMTP lease is released, the pool stays).
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
	const lease = smtpPools.acquire(profile, smtpCredentialOwner(ctx));
	return {
		kind: 'smtp',
		from: { address: profile.fromAddress, name: profile.fromName },
		isDefault: profile.isDefault === true,
		concurrency: lease.concurrency,
		send: (message) => lease.send(message),
		close: () => lease.release(),
	};
}
