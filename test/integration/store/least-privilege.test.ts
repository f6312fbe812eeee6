/**
 * #15.4: a PostgreSQL store with two roles — an owner that applies the migrations and an
 * application role with data rights only (USAGE on the schema; SELECT, INSERT, UPDATE, DELETE on
 * the tables; USAGE, SELECT on the sequences). The GRANTs are the ones lib/store/README.md gives
 * the users ("PostgreSQL roles").
 */
import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { LATEST_SCHEMA_VERSION, openStore, type Store, type StoreConfig } from '../../../lib/store';
import { pgConnection } from './support/backends';
import { createOlderStore, OLD_DATA } from './support/older-store';

jest.setTimeout(60_000);

const MINUTE = 60_000;

describe('least-privilege PostgreSQL store (#15.4)', () => {
	const suffix = `${process.pid}_${randomUUID().slice(0, 8)}`;
	const owner = `mc_owner_${suffix}`;
	const app = `mc_app_${suffix}`;
	const nobody = `mc_nobody_${suffix}`;
	const schema = `mc_lp_${suffix}`;
	let admin: Client;
	const stores: Store[] = [];

	const configAs = (user: string): StoreConfig => ({
		kind: 'postgres',
		...pgConnection(),
		user,
		password: undefined,
		schema,
		poolSize: 2,
	});

	async function openAs(user: string): Promise<Store> {
		const store = await openStore(configAs(user));
		stores.push(store);
		return store;
	}

	async function closeStores(): Promise<void> {
		for (const store of stores.splice(0)) await store.close();
	}

	beforeEach(async () => {
		admin = new Client(pgConnection());
		await admin.connect();
		// what a database administrator does once (lib/store/README.md, "PostgreSQL roles")
		await admin.query(`CREATE ROLE ${owner} LOGIN`);
		await admin.query(`CREATE ROLE ${app} LOGIN`);
		await admin.query(`CREATE ROLE ${nobody} LOGIN`);
		await admin.query(`CREATE SCHEMA ${schema} AUTHORIZATION ${owner}`);
	});

	/** The application role's rights, exactly as the README gives them. */
	async function grantApplicationRole(): Promise<void> {
		for (const statement of [
			`GRANT USAGE ON SCHEMA ${schema} TO ${app}`,
			`GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA ${schema} TO ${app}`,
			`GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA ${schema} TO ${app}`,
			`ALTER DEFAULT PRIVILEGES FOR ROLE ${owner} IN SCHEMA ${schema} GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO ${app}`,
			`ALTER DEFAULT PRIVILEGES FOR ROLE ${owner} IN SCHEMA ${schema} GRANT USAGE, SELECT ON SEQUENCES TO ${app}`,
		])
			await admin.query(statement);
	}

	afterEach(async () => {
		await closeStores();
		try {
			await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
			for (const role of [app, nobody, owner]) {
				await admin.query(`DROP OWNED BY ${role}`);
				await admin.query(`DROP ROLE ${role}`);
			}
		} finally {
			await admin.end();
		}
	});

	test('the owner migrates a fresh schema; the application role opens it and does all its work with data rights only', async () => {
		await grantApplicationRole();
		expect(await (await openAs(owner)).schemaVersion()).toBe(LATEST_SCHEMA_VERSION);
		await closeStores();

		const store = await openAs(app);
		expect(await store.schemaVersion()).toBe(LATEST_SCHEMA_VERSION);
		const workflow = await store.workflows.create({
			name: 'Complaints',
			fields: [{ name: 'Name', type: 'text' }],
		});
		const desk = await store.orgUnits.create({ name: 'Support', members: ['agent@firma.example'] });
		const created = await store.ledger.createCaseFromMail({
			messageKey: 'mid:request-1@customer.example',
			workflowId: workflow.id,
			responsibleOrgUnitId: desk.id,
			mail: { messageId: 'request-1@customer.example', from: 'schulz@customer.example' },
		});
		const caseId = created.case!.id;
		const added = await store.ledger.addMailToCase({
			messageKey: 'mid:reply-1@customer.example',
			caseId,
			mail: { messageId: 'reply-1@customer.example', from: 'schulz@customer.example' },
			fieldUpdates: { Name: 'Schulz' },
		});
		expect(added.fieldChanges).toHaveLength(1);
		expect(await store.sendClaims.claim('ack:request-1', 5 * MINUTE)).toEqual({ state: 'claimed' });
		expect((await store.sendClaims.claim('ack:request-1', 5 * MINUTE)).state).toBe('held');
		await store.activities.recordOutgoing({
			caseId,
			purpose: 'acknowledgement',
			messageId: 'ack-1@mail-cases.example',
			from: 'service@firma.example',
			to: ['schulz@customer.example'],
			subject: 'Ihr Anliegen',
			outcome: 'sent',
			claimKey: 'ack:request-1',
		});
		expect((await store.sendClaims.claim('ack:request-1', 5 * MINUTE)).state).toBe('done');
		expect(await store.sendClaims.claim('notify:1', 5 * MINUTE)).toEqual({ state: 'claimed' });
		await store.sendClaims.release('notify:1');
		const bounce = await store.ledger.recordDeliveryFailure({
			messageKey: 'mid:bounce-1@mx',
			bouncedMessageId: 'ack-1@mail-cases.example',
			mail: { messageId: 'bounce-1@mx', from: 'MAILER-DAEMON@mx' },
			detail: 'acknowledgement to schulz@customer.example bounced: 550 5.1.1 user unknown',
		});
		expect(bounce.outgoing?.outcome).toBe('bounced');
		expect(await store.sendLimits.reserve('schulz@customer.example', 3, MINUTE)).toMatchObject({
			allowed: true,
		});
		await store.caseReferenceKey();
		expect(await store.activities.listForCase(caseId)).toHaveLength(5);

		// rights revoked while the store is open: a clear error, not a driver message
		await admin.query(`REVOKE ALL ON ${schema}.send_claims FROM ${app}`);
		await expect(store.sendClaims.claim('ack:request-2', 5 * MINUTE)).rejects.toMatchObject({
			code: 'STORE_UNAVAILABLE',
			message: expect.stringContaining(
				"could not claim the send ack:request-2: the store's role lacks a right (permission denied for table send_claims)",
			),
		});

		// the role really has data rights only
		const asApp = new Client({ ...pgConnection(), user: app, password: undefined });
		await asApp.connect();
		try {
			await expect(asApp.query(`CREATE TABLE ${schema}.extra (id int)`)).rejects.toMatchObject({
				code: '42501',
			});
			await expect(
				asApp.query(`ALTER TABLE ${schema}.activities ADD COLUMN extra text`),
			).rejects.toMatchObject({ code: '42501' });
		} finally {
			await asApp.end();
		}
	});

	test('an application role opening a store that needs a migration is told which one, and that the owner must open it once', async () => {
		await createOlderStore(configAs(owner), 4);
		await grantApplicationRole();

		const refused = openStore(configAs(app));
		await expect(refused).rejects.toMatchObject({
			code: 'STORE_UNAVAILABLE',
			message: expect.stringMatching(
				new RegExp(
					`needs schema migration 5 \\(outcomes of activities \\(case history\\) and send claims\\).*the role "${app}" may not apply it \\(must be owner of table activities\\)\\. Open the store once with the role that owns schema "${schema}" \\("${owner}"\\)`,
				),
			),
			details: { missingMigrations: [5] },
		});
		// nothing was changed
		const version = await admin.query(`select max(version) as v from ${schema}.schema_migrations`);
		expect(version.rows[0].v).toBe(4);

		// the owner opens it once; from then on the application role works, also on the new table
		expect(await (await openAs(owner)).schemaVersion()).toBe(LATEST_SCHEMA_VERSION);
		await closeStores();
		const store = await openAs(app);
		const old = (await store.cases.getByNumber(OLD_DATA.caseNumber))!;
		expect(old.title).toBe('Old case');
		expect(await store.sendClaims.claim('ack:old', 5 * MINUTE)).toEqual({ state: 'claimed' });
		await store.activities.recordOutgoing({
			caseId: old.id,
			purpose: 'notification',
			messageId: 'notify-old@mail-cases.example',
			from: 'service@firma.example',
			to: ['agent@firma.example'],
			subject: 'New mail',
			outcome: 'rejected',
			detail: '550 5.1.1 user unknown',
			claimKey: 'ack:old',
		});
		expect((await store.sendClaims.claim('ack:old', 5 * MINUTE)).state).toBe('done');
	});

	test('an application role opening a schema no one has migrated yet is told all missing migrations', async () => {
		await grantApplicationRole();
		await expect(openStore(configAs(app))).rejects.toMatchObject({
			code: 'STORE_UNAVAILABLE',
			message: expect.stringMatching(
				new RegExp(
					`needs schema migrations 1 \\(initial schema\\), 2 .*, 5 \\(outcomes of activities \\(case history\\) and send claims\\) of this package version, and the role "${app}" may not apply them \\(permission denied for schema ${schema}\\)\\. Open the store once with the role that owns schema "${schema}" \\("${owner}"\\)`,
				),
			),
		});
		const tables = await admin.query(
			`select count(*)::int as n from pg_tables where schemaname = $1`,
			[schema],
		);
		expect(tables.rows[0].n).toBe(0);
	});

	test('a role without rights on the schema is told the GRANTs it needs', async () => {
		expect(await (await openAs(owner)).schemaVersion()).toBe(LATEST_SCHEMA_VERSION);
		await expect(openStore(configAs(nobody))).rejects.toMatchObject({
			code: 'STORE_UNAVAILABLE',
			message: expect.stringContaining(
				`the role "${nobody}" may not use the store's tables (permission denied for schema ${schema}). As the owner of schema "${schema}", grant the application role its rights: GRANT USAGE ON SCHEMA "${schema}" TO "${nobody}"; GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA "${schema}" TO "${nobody}"; GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA "${schema}" TO "${nobody}"`,
			),
		});
	});
});
