import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { LATEST_SCHEMA_VERSION, openStore } from '../../../lib/store';
import { createOlderStore, OLD_DATA } from '../../integration/store/support/older-store';

let dir: string;
beforeEach(() => {
	dir = mkdtempSync(join(tmpdir(), 'mail-cases-migration-'));
});
afterEach(() => {
	rmSync(dir, { recursive: true, force: true });
});

describe('migration 5 (#14.1 activity outcomes, #15.2 send claims) on sqlite', () => {
	test('a version-4 store migrates when opened and keeps its data', async () => {
		const path = join(dir, 'cases.sqlite');
		await createOlderStore({ kind: 'sqlite', path }, 4);

		const store = await openStore({ kind: 'sqlite', path });
		try {
			expect(LATEST_SCHEMA_VERSION).toBe(5);
			expect(await store.schemaVersion()).toBe(5);
			const kase = (await store.cases.getByNumber(OLD_DATA.caseNumber))!;
			expect(kase).toMatchObject({ title: 'Old case', requesterAddress: 'old@customer.example' });
			const history = await store.activities.listForCase(kase.id);
			expect(
				history.map((a) => [a.kind, a.subject, a.purpose, a.outcome, a.outcomeDetail]),
			).toEqual([
				['incoming_mail', 'Old request', null, null, null],
				['outgoing_mail', 'Old acknowledgement', null, null, null],
			]);
			expect(await store.cases.isOutgoingMessageId(OLD_DATA.ackMessageId)).toBe(true);
			expect(await store.ledger.lookup(`mid:${OLD_DATA.requestMessageId}`)).toMatchObject({
				outcome: 'case_created',
				caseId: kase.id,
				contentDigest: OLD_DATA.digest,
			});

			// what migration 5 adds works on the migrated store
			expect(await store.sendClaims.claim('ack:old', 60_000)).toEqual({ state: 'claimed' });
			const bounce = await store.ledger.recordDeliveryFailure({
				messageKey: 'mid:bounce-old@mx.customer.example',
				bouncedMessageId: OLD_DATA.ackMessageId,
				mail: { messageId: 'bounce-old@mx.customer.example', from: 'MAILER-DAEMON@mx' },
				detail: 'acknowledgement to old@customer.example bounced: 550 5.1.1 user unknown',
			});
			expect(bounce.case?.id).toBe(kase.id);
			// the old outgoing mail had no outcome: it is now the one that bounced
			expect(bounce.outgoing).toMatchObject({ subject: 'Old acknowledgement', outcome: 'bounced' });
			const sent = await store.activities.recordOutgoing({
				caseId: kase.id,
				purpose: 'notification',
				messageId: 'notify-new@mail-cases.example',
				from: 'service@firma.example',
				to: ['agent@firma.example'],
				subject: 'New mail on 2026-000001',
				outcome: 'sent',
				claimKey: 'ack:old',
			});
			expect(sent).toMatchObject({ purpose: 'notification', outcome: 'sent' });
		} finally {
			await store.close();
		}

		const db = new DatabaseSync(path);
		try {
			expect(
				db.prepare('select version, name from schema_migrations order by version').all(),
			).toEqual([
				{ version: 1, name: 'initial schema' },
				{ version: 2, name: 'store secrets (case reference tag key)' },
				{ version: 3, name: 'send limits per recipient (acknowledgements)' },
				{ version: 4, name: 'content digest of processed mails (Message-ID reuse)' },
				{ version: 5, name: 'outcomes of activities (case history) and send claims' },
			]);
			expect(db.prepare("select state from send_claims where claim_key = 'ack:old'").get()).toEqual(
				{ state: 'done' },
			);
			// the state is checked by the table too
			expect(() =>
				db
					.prepare(
						"insert into send_claims (claim_key, state, claimed_at) values ('x', 'maybe', '2026-01-01')",
					)
					.run(),
			).toThrow(/CHECK constraint failed/);
		} finally {
			db.close();
		}
	});

	test('opening a current store only reads its version: it opens while another connection holds the write lock', async () => {
		const path = join(dir, 'cases.sqlite');
		await (await openStore({ kind: 'sqlite', path })).close();
		const other = new DatabaseSync(path);
		other.exec('BEGIN IMMEDIATE');
		try {
			// a migration run would need the write lock (BEGIN IMMEDIATE) and give up after 200 ms
			const store = await openStore({ kind: 'sqlite', path, busyTimeoutMs: 200 });
			expect(await store.schemaVersion()).toBe(LATEST_SCHEMA_VERSION);
			await store.close();

			// a store that misses a migration does need the lock
			other.exec(`delete from schema_migrations where version = ${LATEST_SCHEMA_VERSION}`);
			other.exec('COMMIT');
			other.exec('BEGIN IMMEDIATE');
			await expect(openStore({ kind: 'sqlite', path, busyTimeoutMs: 200 })).rejects.toMatchObject({
				code: 'STORE_UNAVAILABLE',
				message: expect.stringContaining('is locked by another process'),
			});
		} finally {
			other.exec('ROLLBACK');
			other.close();
		}
	});
});
