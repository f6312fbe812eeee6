/**
 * Issue #13 items 1 and 2, without servers (temp SQLite store):
 *  - 1: every mail has a key — `messageKey` is the Message-ID or `sha256:<hex>` of the raw mail,
 *    turns into exactly the ledger's key, and an empty Send Once Per falls back to it;
 *  - 2: the content digest tells a replay (same mail, other trace headers) from a reuse (another
 *    mail under the same Message-ID), which is stored as a new mail with a note.
 */
import { createHash } from 'node:crypto';
import { DatabaseSync } from 'node:sqlite';
import { contentDigestOf, mailContentDigest } from '../../../lib/cases/mail-content-digest';
import {
	ledgerKeyOfMessageKey,
	mailLedgerKey,
	messageKeyOfMail,
} from '../../../lib/cases/mail-ledger-key';
import { addMailToCase } from '../../../lib/cases/use-cases/add-mail-to-case';
import {
	createCaseFromMail,
	type CreateCaseFromMailResult,
} from '../../../lib/cases/use-cases/create-case-from-mail';
import { forwardMail } from '../../../lib/cases/use-cases/forward-mail';
import { matchMail } from '../../../lib/cases/use-cases/match-mail';
import { sendOnCase } from '../../../lib/cases/use-cases/send-on-case';
import type { CaseMail } from '../../../lib/cases/use-cases/case-mail';
import { LATEST_SCHEMA_VERSION, messageKeyOf, openStore, type Store } from '../../../lib/store';
import { sqliteTestStore, type TestStore } from '../../support/test-stores';
import { mail, mailCasesError } from './use-cases/fixtures';
import { recordingSender } from './use-cases/recording-sender';

const sha = (text: string | Buffer) => createHash('sha256').update(text).digest('hex');

/** A raw mail as a server hands it out: trace headers first, CRLF line ends. */
function rawMail(
	parts: {
		trace?: string[];
		from?: string;
		date?: string;
		subject?: string;
		body?: string;
		messageId?: string | null;
	} = {},
	eol = '\r\n',
): Buffer {
	const {
		trace = [],
		from = 'Kunde <kunde@kunde.example>',
		date = 'Fri, 04 Dec 2026 10:00:00 +0000',
		subject = 'Reklamation',
		body = 'Der Toaster ist kaputt.\n',
		messageId = '<same@kunde.example>',
	} = parts;
	return Buffer.from(
		[
			...trace,
			`From: ${from}`,
			'To: service@firma.example',
			`Subject: ${subject}`,
			`Date: ${date}`,
			...(messageId ? [`Message-ID: ${messageId}`] : []),
			'MIME-Version: 1.0',
			'Content-Type: text/plain; charset=utf-8',
			'',
			...body.split('\n'),
		].join(eol),
	);
}

const TRACE_A = [
	'Return-Path: <kunde@kunde.example>',
	'Delivered-To: service@firma.example',
	'X-Original-To: service@firma.example',
	'Received: from mx1.firma.example by imap.firma.example; Fri, 04 Dec 2026 10:00:02 +0000',
];
const TRACE_B = [
	'Return-Path: <kunde@kunde.example>',
	'Delivered-To: vertrieb@firma.example',
	'X-Original-To: vertrieb@firma.example',
	'Received: from mx2.firma.example by imap.firma.example; Fri, 04 Dec 2026 10:00:09 +0000',
	'Received: from relay.kunde.example by mx2.firma.example; Fri, 04 Dec 2026 10:00:05 +0000',
];

describe('#13.2 the content digest', () => {
	test('the same mail delivered to two mailboxes (other Received, Delivered-To, Return-Path, X-Original-To) has one digest', () => {
		const a = rawMail({ trace: TRACE_A });
		const b = rawMail({ trace: TRACE_B });
		expect(sha(a)).not.toBe(sha(b)); // the raw mails differ ...
		expect(mailContentDigest(a)).toBe(mailContentDigest(b)); // ... the mail does not
	});

	test('CRLF or LF, a folded header and trailing line ends do not count', () => {
		const crlf = rawMail({ subject: 'Reklamation Toaster' });
		expect(mailContentDigest(rawMail({ subject: 'Reklamation Toaster' }, '\n'))).toBe(
			mailContentDigest(crlf),
		);
		expect(mailContentDigest(rawMail({ subject: 'Reklamation\r\n Toaster' }))).toBe(
			mailContentDigest(crlf),
		);
		expect(mailContentDigest(Buffer.concat([crlf, Buffer.from('\r\n\r\n')]))).toBe(
			mailContentDigest(crlf),
		);
	});

	test.each([
		['From', { from: 'Jemand <jemand@anders.example>' }],
		['Date', { date: 'Sat, 05 Dec 2026 08:00:00 +0000' }],
		['Subject', { subject: 'Etwas ganz anderes' }],
		['body', { body: 'Der Toaster geht wieder.\n' }],
	])('another %s is another mail', (_what, change) => {
		expect(mailContentDigest(rawMail(change))).not.toBe(mailContentDigest(rawMail()));
	});

	test('a mail without body or without header end still has a digest; hostile header sections are read in one pass', () => {
		expect(mailContentDigest(Buffer.from('Subject: x'))).toMatch(/^[0-9a-f]{64}$/);
		expect(mailContentDigest(Buffer.alloc(0))).toMatch(/^[0-9a-f]{64}$/);
		// 200,000 folded continuation lines and 200,000 header lines without colon
		const hostile = Buffer.from(
			`Subject: a\r\n${' b\r\n'.repeat(200_000)}${'x'.repeat(10)}\r\n`.repeat(1) +
				'nocolon\r\n'.repeat(200_000) +
				'\r\nbody',
		);
		expect(mailContentDigest(hostile)).toMatch(/^[0-9a-f]{64}$/);
	});

	test('contentDigestOf takes only a well-formed digest', () => {
		const d = mailContentDigest(rawMail());
		expect(contentDigestOf({ contentDigest: d.toUpperCase() })).toBe(d);
		expect(contentDigestOf({ contentDigest: 'abc' })).toBeUndefined();
		expect(contentDigestOf({})).toBeUndefined();
	});
});

describe('#13.1 the message key', () => {
	test('is the Message-ID, or sha256 of the mail without trace headers, and turns into exactly the ledger key', () => {
		const raw = rawMail({ messageId: null, trace: TRACE_A });
		const contentDigest = mailContentDigest(raw);
		const withId = { messageId: '<a.1@kunde.example>', contentDigest };
		const withoutId = { messageId: null, contentDigest };
		expect(messageKeyOfMail(withId)).toBe('<a.1@kunde.example>');
		expect(messageKeyOfMail(withoutId)).toBe(`sha256:${contentDigest}`);
		// the same mail delivered again (other Received, Delivered-To): the same key
		expect(
			messageKeyOfMail({
				messageId: null,
				contentDigest: mailContentDigest(rawMail({ messageId: null, trace: TRACE_B })),
			}),
		).toBe(messageKeyOfMail(withoutId));
		// the ledger's own rule for a Message-ID
		expect(ledgerKeyOfMessageKey(messageKeyOfMail(withId))).toBe(
			messageKeyOf({ messageId: '<a.1@kunde.example>' }),
		);
		expect(ledgerKeyOfMessageKey(messageKeyOfMail(withoutId))).toBe(`sha256:${contentDigest}`);
		// a case node given the item finds the same ledger key, with or without Message-ID
		expect(mailLedgerKey({ messageId: null, messageKey: messageKeyOfMail(withoutId) })).toBe(
			`sha256:${contentDigest}`,
		);
		expect(mailLedgerKey({ messageKey: ' <a.1@kunde.example> ' })).toBe('mid:a.1@kunde.example');
		// an item of an older trigger (no messageKey): the raw hash, as before
		expect(mailLedgerKey({ messageId: null, rawHash: sha(raw) })).toBe(messageKeyOf({ raw }));
		// the ledger form is taken as it is
		expect(ledgerKeyOfMessageKey('mid:a.1@kunde.example')).toBe('mid:a.1@kunde.example');
		expect(ledgerKeyOfMessageKey(' ')).toBeUndefined();
	});

	test('a mail with no key at all: an error that says the Message-ID is missing and what to keep', async () => {
		const error = await mailCasesError(
			(async () => mailLedgerKey({ messageId: null, rawHash: '' }))(),
		);
		expect(error.code).toBe('INVALID_INPUT');
		expect(error.message).toMatch(/no Message-ID/);
		expect(error.message).toMatch(/messageKey/);
	});
});

describe('the use cases against a temp SQLite store', () => {
	let test_: TestStore;
	let store: Store;
	beforeEach(async () => {
		test_ = sqliteTestStore('mail-cases-message-key');
		store = await openStore(test_.config);
		await store.workflows.create({ name: 'Anfrage', fields: [] });
		await store.orgUnits.create({ name: 'Kundenservice', members: ['agent@firma.example'] });
	});
	afterEach(async () => {
		await store.close();
		await test_.drop();
	});

	/** The mail as the trigger's item gives it to the case nodes. */
	function itemMail(raw: Buffer, fields: Partial<CaseMail> = {}): CaseMail {
		const rawHash = sha(raw);
		const m = mail({ rawHash, ...fields });
		const contentDigest = mailContentDigest(raw);
		return { ...m, messageKey: messageKeyOfMail({ ...m, contentDigest }), contentDigest };
	}

	const create = (m: CaseMail) =>
		createCaseFromMail(
			{ store, systemId: 'instance-1' },
			{ mail: m, workflow: 'Anfrage', inboundWorkplace: 'Kundenservice' },
		);
	const opened = (r: CreateCaseFromMailResult) => {
		if (r.kind !== 'case') throw new Error(`expected a case, got ${r.kind}: ${JSON.stringify(r)}`);
		return r;
	};

	test('#13.1 a mail without Message-ID: one case, the same mail delivered again is a replay', async () => {
		const raw = rawMail({ messageId: null, trace: TRACE_A });
		const m = itemMail(raw, { messageId: null });
		const first = opened(await create(m));
		expect(first.replayed).toBe(false);
		const again = itemMail(rawMail({ messageId: null, trace: TRACE_B }), { messageId: null });
		expect(again.rawHash).not.toBe(m.rawHash);
		expect(opened(await create(again))).toMatchObject({
			replayed: true,
			case: { id: first.case.id },
		});
		expect(await store.ledger.lookup(`sha256:${mailContentDigest(raw)}`)).toMatchObject({
			outcome: 'case_created',
			caseId: first.case.id,
			contentDigest: mailContentDigest(raw),
		});
	});

	test('#13.2 the same mail from two mailboxes is one mail; another mail under its Message-ID opens its own case with a note', async () => {
		const first = itemMail(rawMail({ trace: TRACE_A }), { messageId: '<same@kunde.example>' });
		const copy = itemMail(rawMail({ trace: TRACE_B }), { messageId: '<same@kunde.example>' });
		const other = itemMail(
			rawMail({
				from: 'Jemand <jemand@anders.example>',
				date: 'Sat, 05 Dec 2026 08:00:00 +0000',
				subject: 'Ganz anders',
				body: 'Eine andere Anfrage.\n',
			}),
			{
				messageId: '<same@kunde.example>',
				subject: 'Ganz anders',
				text: 'Eine andere Anfrage.',
				from: { address: 'jemand@anders.example', name: 'Jemand' },
			},
		);
		const a = opened(await create(first));
		expect(opened(await create(copy))).toMatchObject({ replayed: true, case: { id: a.case.id } });

		const b = opened(await create(other));
		expect(b.replayed).toBe(false);
		expect(b.case.id).not.toBe(a.case.id);
		expect(b.messageIdReused).toMatchObject({
			earlier: { messageKey: 'mid:same@kunde.example', caseId: a.case.id },
			noteActivityId: expect.any(Number),
		});
		// its own key, which turns into the ledger key it was stored under
		const ownKey = `<same@kunde.example> content:${other.contentDigest}`;
		expect(b.messageIdReused?.messageKey).toBe(ownKey);
		expect(await store.ledger.lookup(ledgerKeyOfMessageKey(ownKey)!)).toMatchObject({
			caseId: b.case.id,
			contentDigest: other.contentDigest,
		});
		// its content is stored, and a note on its case says why it is a case of its own
		const activities = await store.activities.listForCase(b.case.id);
		expect(activities.map((x) => x.kind)).toEqual(['incoming_mail', 'note']);
		expect(activities[0]).toMatchObject({ text: 'Eine andere Anfrage.', subject: 'Ganz anders' });
		expect(activities[1].text).toContain('<same@kunde.example>');
		expect(activities[1].text).toContain('different mail');
		expect(activities[1].text).toContain(a.case.number);

		// each of the two is a replay of itself from now on; the other one keeps its own key
		expect(opened(await create({ ...other }))).toMatchObject({
			replayed: true,
			case: { id: b.case.id },
			messageIdReused: { messageKey: ownKey },
		});
		expect(opened(await create({ ...first }))).toMatchObject({
			replayed: true,
			case: { id: a.case.id },
		});
		expect(await store.cases.list()).toHaveLength(2);
	});

	test('#13.2 an entry written before digests were kept counts as the same mail (a replay, as before)', async () => {
		const first = itemMail(rawMail(), { messageId: '<legacy@kunde.example>' });
		const a = opened(await create(first));
		const db = new DatabaseSync((test_.config as { path: string }).path);
		db.exec('update processed_messages set content_digest = null');
		db.close();
		const other = itemMail(rawMail({ subject: 'Anders' }), { messageId: '<legacy@kunde.example>' });
		expect(opened(await create(other))).toMatchObject({ replayed: true, case: { id: a.case.id } });
	});

	test('#13.2 migration 4 on a store of the version before: its entries stay, without digest, and count as replays', async () => {
		const a = opened(await create(itemMail(rawMail(), { messageId: '<alt@kunde.example>' })));
		await store.close();
		// the store as version 3 left it: no content_digest column, migration 4 not applied
		const path = (test_.config as { path: string }).path;
		const db = new DatabaseSync(path);
		db.exec('alter table processed_messages drop column content_digest');
		db.exec('delete from schema_migrations where version = 4');
		db.close();
		store = await openStore(test_.config);
		expect(await store.schemaVersion()).toBe(LATEST_SCHEMA_VERSION);
		expect(await store.ledger.lookup('mid:alt@kunde.example')).toMatchObject({
			caseId: a.case.id,
			contentDigest: null,
		});
		const other = itemMail(rawMail({ body: 'Anders\n' }), { messageId: '<alt@kunde.example>' });
		expect(opened(await create(other))).toMatchObject({ replayed: true, case: { id: a.case.id } });
	});

	test('#13.2 Add to Case and Case Match: another mail under a known Message-ID is added to the case it names, with a note', async () => {
		const c = opened(await create(itemMail(rawMail(), { messageId: '<open@kunde.example>' }))).case;
		const reply = itemMail(rawMail({ body: 'Erste Antwort\n' }), {
			messageId: '<reply@kunde.example>',
			subject: `Re: [#${c.number}]`,
		});
		const reuse = itemMail(rawMail({ body: 'Zweite Antwort\n' }), {
			messageId: '<reply@kunde.example>',
			subject: `Re: [#${c.number}]`,
			text: 'Zweite Antwort',
		});
		const add = (m: CaseMail) => addMailToCase({ store }, { caseNumber: c.number, mail: m });
		expect(await add(reply)).toMatchObject({ kind: 'added' });
		// Case Match: the ledger knows the Message-ID, but not this mail: it is matched by its subject
		const match = await matchMail(
			{ store, referenceKey: await store.caseReferenceKey() },
			{ mail: reuse, senderPolicy: ['anyone'] },
		);
		expect(match).toMatchObject({ matched: true, caseMatch: { via: 'subject' } });
		const second = await add(reuse);
		expect(second).toMatchObject({
			kind: 'added',
			messageIdReused: { earlier: { messageKey: 'mid:reply@kunde.example' } },
		});
		expect(await add({ ...reuse })).toMatchObject({
			kind: 'replayed',
			messageIdReused: { messageKey: `<reply@kunde.example> content:${reuse.contentDigest}` },
		});
		// an acknowledgement per mail: Send Once Per = the messageKey each node output gives
		const sender = recordingSender();
		const ack = (key: string) =>
			sendOnCase(
				{ sender, systemId: 'instance-1', store: async () => store },
				{ to: 'kunde@kunde.example', subject: 'Danke', caseNumber: c.number, sendOnceKey: key },
			);
		const reusedKey = second.kind === 'added' ? second.messageIdReused?.messageKey : undefined;
		expect(reusedKey).toBe(`<reply@kunde.example> content:${reuse.contentDigest}`);
		expect(await ack(reply.messageKey!)).toMatchObject({ kind: 'sent' });
		expect(await ack(reusedKey!)).toMatchObject({ kind: 'sent' });
		expect(await ack(reusedKey!)).toMatchObject({ kind: 'alreadySent' });
		const replayOfFirst = await add({ ...reply });
		expect(replayOfFirst).toMatchObject({ kind: 'replayed' });
		expect(replayOfFirst).not.toHaveProperty('messageIdReused');
		const kinds = (await store.activities.listForCase(c.id)).map((x) => x.kind);
		// #14.1: the two acknowledgements are in the history as well
		expect(kinds).toEqual([
			'incoming_mail',
			'incoming_mail',
			'incoming_mail',
			'note',
			'outgoing_mail',
			'outgoing_mail',
		]);
	});

	test('#13.2 Forward Once: another mail under the same Message-ID is forwarded too, each once', async () => {
		const sender = recordingSender();
		const forward = (m: CaseMail) =>
			forwardMail(
				{ sender, systemId: 'instance-1', store: async () => store, now: () => new Date() },
				{ forwardTo: 'team@partner.example', mode: 'inline', mail: async () => m },
			);
		const one = itemMail(rawMail(), { messageId: '<fw@kunde.example>' });
		const two = itemMail(rawMail({ body: 'Anders\n' }), { messageId: '<fw@kunde.example>' });
		expect(await forward(one)).toMatchObject({ kind: 'forwarded' });
		expect(await forward({ ...one })).toMatchObject({ kind: 'alreadySent' });
		expect(await forward(two)).toMatchObject({ kind: 'forwarded' });
		expect(await forward({ ...two })).toMatchObject({ kind: 'alreadySent' });
		expect(sender.sent).toHaveLength(2);
	});

	test('#13.1 an empty Send Once Per takes the incoming messageKey; without one the error names the missing Message-ID and the existing case', async () => {
		const c = opened(await create(itemMail(rawMail({ messageId: null }), { messageId: null })));
		const sender = recordingSender();
		const send = (extra: { sendOnceKey?: string; incomingMessageKey?: string }) =>
			sendOnCase(
				{ sender, systemId: 'instance-1', store: async () => store },
				{ to: 'kunde@kunde.example', subject: 'Ihre Anfrage', caseNumber: c.case.number, ...extra },
			);
		const key = `sha256:${'a'.repeat(64)}`;
		const sent = await send({ sendOnceKey: '', incomingMessageKey: key });
		if (sent.kind !== 'sent') throw new Error(`not sent: ${JSON.stringify(sent)}`);
		// the same as Send Once Per = the key itself
		expect(await send({ sendOnceKey: key })).toMatchObject({
			kind: 'alreadySent',
			messageId: sent.messageId,
		});
		expect(await send({ sendOnceKey: '', incomingMessageKey: key })).toMatchObject({
			kind: 'alreadySent',
		});
		expect(sender.sent).toHaveLength(1);

		const error = await send({ sendOnceKey: '' }).then(
			() => undefined,
			(e: unknown) => e as Error & { code: string },
		);
		expect(error?.code).toBe('INVALID_INPUT');
		expect(error?.message).toContain('"Send Once Per" is empty');
		expect(error?.message).toContain('no Message-ID');
		expect(error?.message).toContain(`case ${c.case.number}`);
		expect(error?.message).toContain('exists already');
		expect(error?.message).toContain('{{ $json.messageKey }}');
		expect(sender.sent).toHaveLength(1);
	});
});
