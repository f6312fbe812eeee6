/**
 * Case store benchmark (issue #3): run with `npm run bench` or `npm run bench -- store`.
 *
 * Per backend (SQLite temp file, PostgreSQL fresh schema — dropped afterwards):
 *   1. bulk-loads BENCH_CASES cases (default 1,000,000) and BENCH_CONTACTS contacts (default
 *      1,000,000) with one SQL statement each (SQLite: recursive CTE inside one transaction;
 *      PostgreSQL: generate_series), then ANALYZE, and moves the case-number counter past them;
 *   2. times BENCH_LOOKUPS random lookups through the public API: case by number and contact by
 *      e-mail (mixed case, so the case-insensitive path is measured) — median and p95 in µs;
 *   3. times case creation through the API: one after another, 20 in flight, and
 *      "create case from mail" (ledger + case + activity in one transaction).
 * Then, SQLite only, the attachment storage comparison (content in the database vs files next
 * to the SQLite file, fsync'd) that decided where attachment content lives.
 *
 * Environment: BENCH_CASES, BENCH_CONTACTS, BENCH_LOOKUPS (2000), BENCH_CREATES (300),
 * BENCH_BACKENDS (sqlite,postgres), PGHOST/PGPORT/PGUSER/PGPASSWORD/PGDATABASE
 * (default 127.0.0.1:5432 postgres/test). Results also go to bench/results/store.json.
 */
import {
	closeSync,
	fsyncSync,
	mkdirSync,
	mkdtempSync,
	openSync,
	readFileSync,
	rmSync,
	statSync,
	writeFileSync,
	writeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { Client } from 'pg';
import { openStore, type Store, type StoreConfig } from '../../lib/store';
import { counterScope } from '../../lib/store/writes/cases';

const CASES = Number(process.env.BENCH_CASES ?? 1_000_000);
const CONTACTS = Number(process.env.BENCH_CONTACTS ?? 1_000_000);
const LOOKUPS = Number(process.env.BENCH_LOOKUPS ?? 2000);
const CREATES = Number(process.env.BENCH_CREATES ?? 300);
const BACKENDS = (process.env.BENCH_BACKENDS ?? 'sqlite,postgres')
	.split(',')
	.map((s) => s.trim()) as Array<'sqlite' | 'postgres'>;
const YEAR = new Date().getFullYear();
const FORMAT = '{YYYY}-{SEQ:6}';

const pg = {
	host: process.env.PGHOST || '127.0.0.1',
	port: Number(process.env.PGPORT || 5432),
	user: process.env.PGUSER || 'postgres',
	password: process.env.PGPASSWORD || undefined,
	database: process.env.PGDATABASE || 'test',
};

interface Row {
	backend: string;
	loadSeconds: number;
	dbSize: string;
	caseByNumber: { median: number; p95: number };
	contactByEmail: { median: number; p95: number };
	createSequential: number;
	createParallel20: number;
	createFromMail: number;
}

function percentile(sorted: number[], p: number): number {
	return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length - 1) * p))];
}

async function timeEach(count: number, op: (i: number) => Promise<unknown>) {
	for (let i = 0; i < Math.min(200, count); i++) await op(i); // warm-up
	const micros: number[] = [];
	for (let i = 0; i < count; i++) {
		const start = process.hrtime.bigint();
		await op(i);
		micros.push(Number(process.hrtime.bigint() - start) / 1000);
	}
	micros.sort((a, b) => a - b);
	return { median: Math.round(percentile(micros, 0.5)), p95: Math.round(percentile(micros, 0.95)) };
}

async function rate(
	count: number,
	parallel: number,
	op: (i: number) => Promise<unknown>,
): Promise<number> {
	let next = 0;
	const start = process.hrtime.bigint();
	await Promise.all(
		Array.from({ length: parallel }, async () => {
			while (next < count) await op(next++);
		}),
	);
	const seconds = Number(process.hrtime.bigint() - start) / 1e9;
	return Math.round(count / seconds);
}

function mb(bytes: number): string {
	return `${(bytes / 1024 / 1024).toFixed(0)} MB`;
}

/** Loads contacts and cases straight into the tables (the API would take hours for 1M). */
async function bulkLoadSqlite(path: string, workflowId: number, orgUnitId: number): Promise<void> {
	const db = new DatabaseSync(path);
	const now = new Date().toISOString();
	db.exec('BEGIN IMMEDIATE');
	db.prepare(
		`WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < ?)
		 INSERT INTO contacts (email, email_normalized, first_name, last_name, company, phone, created_at, updated_at)
		 SELECT 'User' || i || '@Example.com', 'user' || i || '@example.com', 'First' || i, 'Last' || i, 'Company ' || (i % 1000), '+49 30 ' || i, ?, ? FROM s`,
	).run(CONTACTS, now, now);
	db.prepare(
		`WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < ?)
		 INSERT INTO cases (case_number, workflow_id, title, status, fields, responsible_org_unit_id, contact_id, requester_address, created_at, updated_at)
		 SELECT printf('%d-%06d', ?, i), ?, 'Case ' || i, 'open', '{"Name":"Mustermann"}', ?, ((i - 1) % ?) + 1, 'user' || (((i - 1) % ?) + 1) || '@example.com', ?, ? FROM s`,
	).run(CASES, YEAR, workflowId, orgUnitId, CONTACTS, CONTACTS, now, now);
	db.prepare(
		'INSERT INTO case_number_counters (scope, last_seq) VALUES (?, ?) ON CONFLICT (scope) DO UPDATE SET last_seq = excluded.last_seq',
	).run(counterScope(FORMAT, YEAR), CASES);
	db.exec('COMMIT');
	db.exec('ANALYZE');
	db.exec('PRAGMA wal_checkpoint(TRUNCATE)');
	db.close();
}

async function bulkLoadPostgres(
	schema: string,
	workflowId: number,
	orgUnitId: number,
): Promise<void> {
	const client = new Client(pg);
	await client.connect();
	try {
		await client.query(`SET search_path TO "${schema}"`);
		await client.query('BEGIN');
		await client.query(
			`INSERT INTO contacts (email, email_normalized, first_name, last_name, company, phone, created_at, updated_at)
			 SELECT 'User' || i || '@Example.com', 'user' || i || '@example.com', 'First' || i, 'Last' || i, 'Company ' || (i % 1000), '+49 30 ' || i, now(), now()
			 FROM generate_series(1, $1::int) AS i`,
			[CONTACTS],
		);
		await client.query(
			`INSERT INTO cases (case_number, workflow_id, title, status, fields, responsible_org_unit_id, contact_id, requester_address, created_at, updated_at)
			 SELECT $1::int || '-' || lpad(i::text, greatest(6, length(i::text)), '0'), $2, 'Case ' || i, 'open', '{"Name":"Mustermann"}'::jsonb, $3,
			        ((i - 1) % $4::int) + 1, 'user' || (((i - 1) % $4::int) + 1) || '@example.com', now(), now()
			 FROM generate_series(1, $5::int) AS i`,
			[YEAR, workflowId, orgUnitId, CONTACTS, CASES],
		);
		await client.query(
			`INSERT INTO case_number_counters (scope, last_seq) VALUES ($1, $2)
			 ON CONFLICT (scope) DO UPDATE SET last_seq = excluded.last_seq`,
			[counterScope(FORMAT, YEAR), CASES],
		);
		await client.query('COMMIT');
		await client.query('ANALYZE');
	} finally {
		await client.end();
	}
}

async function pgSize(schema: string): Promise<string> {
	const client = new Client(pg);
	await client.connect();
	try {
		const { rows } = await client.query(
			`SELECT sum(pg_total_relation_size(c.oid))::bigint AS bytes FROM pg_class c
			 JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relkind = 'r'`,
			[schema],
		);
		return mb(Number(rows[0].bytes));
	} finally {
		await client.end();
	}
}

async function dropSchema(schema: string): Promise<void> {
	const client = new Client(pg);
	await client.connect();
	try {
		await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
	} finally {
		await client.end();
	}
}

async function measure(backend: 'sqlite' | 'postgres', dir: string): Promise<Row> {
	const schema = `mc_bench_${process.pid}`;
	const config: StoreConfig =
		backend === 'sqlite'
			? { kind: 'sqlite', path: join(dir, 'bench.sqlite'), caseNumberFormat: FORMAT }
			: { kind: 'postgres', ...pg, schema, caseNumberFormat: FORMAT };
	try {
		let store: Store = await openStore(config);
		const workflow = await store.workflows.create({
			name: 'Bench',
			fields: [{ name: 'Name', type: 'text' }],
		});
		const unit = await store.orgUnits.create({ name: 'Support', members: ['support@example.com'] });
		await store.close();

		process.stdout.write(
			`[${backend}] bulk-loading ${CONTACTS.toLocaleString('en')} contacts and ${CASES.toLocaleString('en')} cases ... `,
		);
		const loadStart = Date.now();
		if (backend === 'sqlite')
			await bulkLoadSqlite((config as { path: string }).path, workflow.id, unit.id);
		else await bulkLoadPostgres(schema, workflow.id, unit.id);
		const loadSeconds = (Date.now() - loadStart) / 1000;
		process.stdout.write(`${loadSeconds.toFixed(1)} s\n`);

		store = await openStore(config);
		if ((await store.countCases()) !== CASES)
			throw new Error('bulk load did not produce the expected number of cases');

		// deterministic pseudo-random picks (a 32-bit LCG), the same for both backends
		let seed = 12345;
		const random = (n: number) => {
			seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
			return (seed % n) + 1;
		};
		const caseByNumber = await timeEach(LOOKUPS, async () => {
			const n = random(CASES);
			const found = await store.cases.getByNumber(`${YEAR}-${String(n).padStart(6, '0')}`);
			if (!found) throw new Error(`case ${n} not found`);
		});
		const contactByEmail = await timeEach(LOOKUPS, async () => {
			const n = random(CONTACTS);
			const found = await store.contacts.findByEmail(`USER${n}@example.COM`);
			if (!found || found.id !== n) throw new Error(`contact ${n} not found`);
		});
		process.stdout.write(`[${backend}] lookups done; creating cases ...\n`);

		const create = () =>
			store.cases.create({
				workflowId: workflow.id,
				responsibleOrgUnitId: unit.id,
				requesterAddress: 'user7@example.com',
			});
		const createSequential = await rate(CREATES, 1, create);
		const createParallel20 = await rate(CREATES, 20, create);
		const createFromMail = await rate(CREATES, 1, (i) =>
			store.ledger.createCaseFromMail({
				messageKey: `mid:bench-${i}@example.com`,
				workflowId: workflow.id,
				responsibleOrgUnitId: unit.id,
				fields: { Name: 'Muster' },
				mail: {
					messageId: `bench-${i}@example.com`,
					from: `user${i + 1}@example.com`,
					to: ['support@example.com'],
					subject: 'Reklamation',
					text: 'Name = Muster\n\nBitte um Rückruf.',
					html: '<p>Name = Muster</p><p>Bitte um Rückruf.</p>',
				},
			}),
		);
		const expected = CASES + 3 * CREATES;
		const total = await store.countCases();
		if (total !== expected)
			throw new Error(`expected ${expected} cases after the run, found ${total}`);
		await store.close();
		const dbSize =
			backend === 'sqlite'
				? mb(statSync((config as { path: string }).path).size)
				: await pgSize(schema);
		return {
			backend,
			loadSeconds,
			dbSize,
			caseByNumber,
			contactByEmail,
			createSequential,
			createParallel20,
			createFromMail,
		};
	} finally {
		if (backend === 'postgres') await dropSchema(schema);
	}
}

interface AttachmentRow {
	size: string;
	mails: number;
	dbWrite: number;
	fileWrite: number;
	dbRead: number;
	fileRead: number;
}

/**
 * The measurement behind the attachment decision (SQLite): N mails with one attachment each,
 * written (a) as BLOB in the activity's transaction, (b) as a file next to the database,
 * fsync'd before the metadata row commits (what "on disk" would have to do to be as safe).
 * MB/s written and read back.
 */
async function measureAttachments(dir: string): Promise<AttachmentRow[]> {
	const rows: AttachmentRow[] = [];
	const store = await openStore({
		kind: 'sqlite',
		path: join(dir, 'attachments.sqlite'),
		maxAttachmentBytesPerMail: 64 * 1024 * 1024,
	});
	const workflow = await store.workflows.create({ name: 'A' });
	const unit = await store.orgUnits.create({ name: 'U' });
	const c = await store.cases.create({ workflowId: workflow.id, responsibleOrgUnitId: unit.id });
	const filesDir = join(dir, 'attachments');
	mkdirSync(filesDir);
	for (const [label, size, mails] of [
		['100 KB', 100 * 1024, 100],
		['1 MB', 1024 * 1024, 40],
		['10 MB', 10 * 1024 * 1024, 8],
	] as const) {
		const content = Buffer.alloc(size, 0x5a);
		const totalMb = (size * mails) / 1024 / 1024;
		const ids: number[] = [];
		let start = process.hrtime.bigint();
		for (let i = 0; i < mails; i++) {
			const a = await store.activities.add({
				caseId: c.id,
				kind: 'incoming_mail',
				attachments: [{ fileName: `f${i}`, content }],
			});
			ids.push(a.attachments[0].id);
		}
		const dbWrite = totalMb / (Number(process.hrtime.bigint() - start) / 1e9);

		const files: string[] = [];
		start = process.hrtime.bigint();
		for (let i = 0; i < mails; i++) {
			const file = join(filesDir, `${label.replace(' ', '')}-${i}.bin`);
			const fd = openSync(file, 'w');
			writeSync(fd, content);
			fsyncSync(fd);
			closeSync(fd);
			files.push(file);
			await store.activities.add({
				caseId: c.id,
				kind: 'incoming_mail',
				attachments: [{ fileName: `f${i}`, size, content: null }],
			});
		}
		const fileWrite = totalMb / (Number(process.hrtime.bigint() - start) / 1e9);

		start = process.hrtime.bigint();
		for (const id of ids)
			if ((await store.activities.getAttachmentContent(id))!.length !== size)
				throw new Error('short read');
		const dbRead = totalMb / (Number(process.hrtime.bigint() - start) / 1e9);
		start = process.hrtime.bigint();
		for (const file of files) if (readFileSync(file).length !== size) throw new Error('short read');
		const fileRead = totalMb / (Number(process.hrtime.bigint() - start) / 1e9);
		rows.push({ size: label, mails, dbWrite, fileWrite, dbRead, fileRead });
	}
	await store.close();
	return rows;
}

function table(headers: string[], rows: string[][]): string {
	const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
	const line = (cells: string[]) =>
		cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join(' | ');
	return [line(headers), widths.map((w) => '-'.repeat(w)).join('-|-'), ...rows.map(line)].join(
		'\n',
	);
}

export async function main(): Promise<void> {
	const dir = mkdtempSync(join(tmpdir(), 'mail-cases-bench-'));
	const results: Row[] = [];
	const failures: string[] = [];
	try {
		for (const backend of BACKENDS) {
			try {
				results.push(await measure(backend, dir));
			} catch (error) {
				failures.push(`${backend}: ${(error as Error).message}`);
			}
		}
		const attachments = await measureAttachments(dir);

		console.log(
			`\nCase store, ${CASES.toLocaleString('en')} cases and ${CONTACTS.toLocaleString('en')} contacts, ${LOOKUPS} lookups each (µs = microseconds per call through the public API)\n`,
		);
		console.log(
			table(
				[
					'backend',
					'bulk load',
					'size',
					'case by number median/p95 µs',
					'contact by e-mail median/p95 µs',
					'create/s (1)',
					'create/s (20 parallel)',
					'case from mail/s',
				],
				results.map((r) => [
					r.backend,
					`${r.loadSeconds.toFixed(1)} s`,
					r.dbSize,
					`${r.caseByNumber.median} / ${r.caseByNumber.p95}`,
					`${r.contactByEmail.median} / ${r.contactByEmail.p95}`,
					String(r.createSequential),
					String(r.createParallel20),
					String(r.createFromMail),
				]),
			),
		);
		console.log(
			'\nAttachment content on SQLite: in the database (BLOB, same transaction) vs file next to the database (fsync) + metadata row, MB/s\n',
		);
		console.log(
			table(
				['attachment', 'mails', 'DB write', 'file write', 'DB read', 'file read'],
				attachments.map((a) => [
					a.size,
					String(a.mails),
					a.dbWrite.toFixed(0),
					a.fileWrite.toFixed(0),
					a.dbRead.toFixed(0),
					a.fileRead.toFixed(0),
				]),
			),
		);
		const out = join(__dirname, '..', 'results');
		mkdirSync(out, { recursive: true });
		writeFileSync(
			join(out, 'store.json'),
			JSON.stringify(
				{
					at: new Date().toISOString(),
					cases: CASES,
					contacts: CONTACTS,
					lookups: LOOKUPS,
					results,
					attachments,
				},
				null,
				2,
			),
		);
		if (failures.length > 0) throw new Error(`benchmark failed on ${failures.join('; ')}`);
	} finally {
		rmSync(dir, { recursive: true, force: true });
	}
}
