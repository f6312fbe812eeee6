import { MailCasesError } from '../../errors';
import type { StoreContext } from '../context';
import type { Executor } from '../db-types';
import { normalizeEmail } from '../message-keys';
import { orgUnitFromRow } from '../rows';
import { isUniqueViolation } from '../sql-errors';
import type { OrgUnit, OrgUnitInput, OrgUnitKind } from '../types';

const KINDS: readonly OrgUnitKind[] = ['org_unit', 'role'];

/** Basic shape check of an address (one @, no spaces or angle brackets). */
export function checkAddress(email: unknown, what: string): string {
	const text = typeof email === 'string' ? email.trim() : '';
	if (!/^[^\s<>@]+@[^\s<>@]+$/.test(text)) {
		throw new MailCasesError(
			'INVALID_ADDRESS',
			`${what}: "${String(email ?? '')}" is not an e-mail address`,
		);
	}
	return text;
}

function cleanMembers(name: string, members: unknown): string[] {
	if (members === undefined || members === null) return [];
	if (!Array.isArray(members)) {
		throw new MailCasesError(
			'INVALID_INPUT',
			`Org unit "${name}": members must be a list of e-mail addresses`,
		);
	}
	const seen = new Set<string>();
	const out: string[] = [];
	for (const member of members) {
		const email = checkAddress(member, `Org unit "${name}"`);
		const key = normalizeEmail(email);
		if (seen.has(key)) continue; // the same address twice is one member
		seen.add(key);
		out.push(email);
	}
	return out;
}

async function loadMembers(db: Executor, ids: number[]): Promise<Map<number, string[]>> {
	const map = new Map<number, string[]>(ids.map((id) => [id, []]));
	if (ids.length === 0) return map;
	const rows = await db
		.selectFrom('org_unit_members')
		.select(['org_unit_id', 'email'])
		.where('org_unit_id', 'in', ids)
		.orderBy('org_unit_id')
		.orderBy('position')
		.execute();
	for (const row of rows) map.get(Number(row.org_unit_id))?.push(row.email);
	return map;
}

export async function loadOrgUnit(db: Executor, id: number): Promise<OrgUnit | undefined> {
	const row = await db.selectFrom('org_units').selectAll().where('id', '=', id).executeTakeFirst();
	if (!row) return undefined;
	const members = await loadMembers(db, [id]);
	return orgUnitFromRow(row, members.get(id) ?? []);
}

/** The org chart: org units and roles with the e-mail addresses of their members. */
export class OrgUnitRepository {
	constructor(private readonly ctx: StoreContext) {}

	async create(input: OrgUnitInput): Promise<OrgUnit> {
		const name = typeof input?.name === 'string' ? input.name.trim() : '';
		if (!name) throw new MailCasesError('INVALID_INPUT', 'An org unit needs a name');
		const kind = input.kind ?? 'org_unit';
		if (!KINDS.includes(kind)) {
			throw new MailCasesError(
				'INVALID_INPUT',
				`Org unit "${name}": kind must be org_unit or role, got "${kind}"`,
			);
		}
		const members = cleanMembers(name, input.members);
		const now = this.ctx.now();
		try {
			return await this.ctx.transaction(`create org unit "${name}"`, async (trx) => {
				const row = await trx
					.insertInto('org_units')
					.values({ name, kind, created_at: now, updated_at: now })
					.returningAll()
					.executeTakeFirstOrThrow();
				await this.writeMembers(trx, Number(row.id), members);
				return orgUnitFromRow(row, members);
			});
		} catch (error) {
			if (isUniqueViolation(error.cause)) {
				throw new MailCasesError('CONFLICT', `An org unit or role named "${name}" exists already`, {
					cause: error,
				});
			}
			throw error;
		}
	}

	private async writeMembers(trx: Executor, id: number, members: string[]): Promise<void> {
		await trx.deleteFrom('org_unit_members').where('org_unit_id', '=', id).execute();
		if (members.length === 0) return;
		await trx
			.insertInto('org_unit_members')
			.values(
				members.map((email, position) => ({
					org_unit_id: id,
					email,
					email_normalized: normalizeEmail(email),
					position,
				})),
			)
			.execute();
	}

	async get(id: number): Promise<OrgUnit | undefined> {
		return await this.ctx.run(`read org unit ${id}`, (db) => loadOrgUnit(db, id));
	}

	async getByName(name: string): Promise<OrgUnit | undefined> {
		return await this.ctx.run(`read org unit "${name}"`, async (db) => {
			const row = await db
				.selectFrom('org_units')
				.select('id')
				.where('name', '=', name.trim())
				.executeTakeFirst();
			return row ? await loadOrgUnit(db, Number(row.id)) : undefined;
		});
	}

	async list(): Promise<OrgUnit[]> {
		return await this.ctx.run('list org units', async (db) => {
			const rows = await db
				.selectFrom('org_units')
				.selectAll()
				.orderBy('name')
				.orderBy('id')
				.execute();
			const members = await loadMembers(
				db,
				rows.map((r) => Number(r.id)),
			);
			return rows.map((row) => orgUnitFromRow(row, members.get(Number(row.id)) ?? []));
		});
	}

	/** Org units / roles that have this address as a member (case-insensitive). */
	async findByMember(email: string): Promise<OrgUnit[]> {
		return await this.ctx.run(`find org units of ${email}`, async (db) => {
			const rows = await db
				.selectFrom('org_units')
				.selectAll('org_units')
				.where('id', 'in', (eb) =>
					eb
						.selectFrom('org_unit_members')
						.select('org_unit_id')
						.where('email_normalized', '=', normalizeEmail(email)),
				)
				.orderBy('name')
				.execute();
			const members = await loadMembers(
				db,
				rows.map((r) => Number(r.id)),
			);
			return rows.map((row) => orgUnitFromRow(row, members.get(Number(row.id)) ?? []));
		});
	}

	/** Changes name, kind and/or members (members given = the complete new list). */
	async update(id: number, patch: Partial<OrgUnitInput>): Promise<OrgUnit> {
		const newName = patch.name !== undefined ? String(patch.name).trim() : undefined;
		if (newName === '')
			throw new MailCasesError('INVALID_INPUT', `Org unit ${id}: the name cannot be empty`);
		if (patch.kind !== undefined && !KINDS.includes(patch.kind)) {
			throw new MailCasesError(
				'INVALID_INPUT',
				`Org unit ${id}: kind must be org_unit or role, got "${patch.kind}"`,
			);
		}
		try {
			return await this.ctx.transaction(`update org unit ${id}`, async (trx) => {
				// PostgreSQL: lock the row so two member updates at once run one after the other
				if (this.ctx.isPostgres) {
					await trx.selectFrom('org_units').select('id').where('id', '=', id).forUpdate().execute();
				}
				const current = await loadOrgUnit(trx, id);
				if (!current) throw new MailCasesError('NOT_FOUND', `Org unit ${id} does not exist`);
				const name = newName ?? current.name;
				const row = await trx
					.updateTable('org_units')
					.set({ name, kind: patch.kind ?? current.kind, updated_at: this.ctx.now() })
					.where('id', '=', id)
					.returningAll()
					.executeTakeFirstOrThrow();
				let members = current.members;
				if (patch.members !== undefined) {
					members = cleanMembers(name, patch.members);
					await this.writeMembers(trx, id, members);
				}
				return orgUnitFromRow(row, members);
			});
		} catch (error) {
			if (isUniqueViolation(error.cause)) {
				throw new MailCasesError(
					'CONFLICT',
					`An org unit or role named "${newName}" exists already`,
					{ cause: error },
				);
			}
			throw error;
		}
	}

	/** Deletes an org unit no case is assigned to; otherwise CONFLICT. */
	async delete(id: number): Promise<void> {
		await this.ctx.transaction(`delete org unit ${id}`, async (trx) => {
			const current = await loadOrgUnit(trx, id);
			if (!current) throw new MailCasesError('NOT_FOUND', `Org unit ${id} does not exist`);
			const used = await trx
				.selectFrom('cases')
				.select('case_number')
				.where('responsible_org_unit_id', '=', id)
				.limit(1)
				.executeTakeFirst();
			if (used) {
				throw new MailCasesError(
					'CONFLICT',
					`Org unit ${id} ("${current.name}") is responsible for cases (e.g. ${used.case_number}); reassign them first`,
				);
			}
			await trx.deleteFrom('org_units').where('id', '=', id).execute();
		});
	}
}
