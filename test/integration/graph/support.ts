import { randomUUID } from 'node:crypto';
import type { ExchangeProfile } from '../../../lib/protocols/graph/exchange-profile';
import {
	FakeGraphServer,
	type FakeApp,
	type FakeMailbox,
	type FakeTenant,
} from '../../support/fake-graph';

/** A tenant with one app registration and one mailbox on the Graph stand-in. */
export interface GraphWorld {
	fake: FakeGraphServer;
	tenant: FakeTenant;
	app: FakeApp;
	secret: string;
	mailbox: FakeMailbox;
	profile: ExchangeProfile;
}

export async function startWorld(
	options: { roles?: string[]; upn?: string } = {},
): Promise<GraphWorld> {
	const fake = await FakeGraphServer.start();
	const tenant = fake.addTenant(['contoso.example']);
	const secret = `s3cr3t~${randomUUID()}`;
	const app = fake.registerApp({ tenantId: tenant.id, secrets: [secret], roles: options.roles });
	const upn = options.upn ?? 'service@contoso.example';
	const mailbox = fake.addMailbox(tenant.id, upn);
	return {
		fake,
		tenant,
		app,
		secret,
		mailbox,
		profile: profileFor(fake, {
			tenantId: tenant.id,
			clientId: app.clientId,
			secret,
			mailbox: upn,
		}),
	};
}

export function profileFor(
	fake: FakeGraphServer,
	p: { tenantId: string; clientId: string; secret: string; mailbox: string },
): ExchangeProfile {
	return {
		tenantId: p.tenantId,
		clientId: p.clientId,
		auth: { type: 'secret', clientSecret: p.secret },
		mailbox: p.mailbox,
		cloud: 'custom',
		authorityHost: fake.origin,
		graphEndpoint: fake.origin,
		caPem: fake.caPem,
		timeoutMs: 10_000,
	};
}

let counter = 0;

/** A small text mail as raw MIME. */
export function rawMail(subject: string, body = 'Hello'): Buffer {
	counter++;
	return Buffer.from(
		[
			'From: Erika Mustermann <erika@example.org>',
			'To: service@contoso.example',
			`Subject: ${subject}`,
			`Message-ID: <m${counter}.${randomUUID()}@example.org>`,
			'Date: Mon, 05 Jan 2026 09:00:00 +0000',
			'MIME-Version: 1.0',
			'Content-Type: text/plain; charset=utf-8',
			'',
			body,
			'',
		].join('\r\n'),
	);
}
