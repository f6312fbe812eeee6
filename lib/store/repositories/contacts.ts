import { MailCasesError } from '../../errors';
import type { StoreContext } from '../context';
import type { Executor } from '../db-types';
import { normalizeEmail } from '../message-keys';
import { contactFromRow } from '../rows';
import type { Contact, ContactInput } from '../types';
import { checkAddress } from './org-units';

function optionalText(value: unknown): string | null {
	if (value === undefined || value === null) return null;
	const text = String(value).trim();
	return text === '' ? null : text;
}

/**
 * The contact directory's first contact for an address (case-insensitive). When several
 * contacts share the address the OLDEST one wins: the one created first (lowest id — ids only
 * grow, so this is creation order and never ties). R-PROC-6b: "several found → the first one".
 */
export async function findFirstContactByEmail(
	db: Executor,
	email: string,
): Promise<Contact | undefined> {
	const row = await db
		.selectFrom('contacts')
		.selectAll()
		.where('email_normalized', '=', normalizeEmail(email))
		.orderBy('id')
		.limit(1)
		.executeTakeFirst();
	return row ? contactFromRow(row) : undefined;
}

/** The contact directory (e-mail, name, company, phone). */
export class ContactRepository {
	constructor(private readonly ctx: StoreContext) {}

	async create(input: ContactInput): Promise<Contact> {
		const email = checkAddress(input?.email, 'Contact');
		const now = this.ctx.now();
		return await this.ctx.transaction(`create contact ${email}`, async (trx) => {
			const row = await trx
				.insertInto('contacts')
				.values({
					email,
					email_normalized: normalizeEmail(email),
					first_name: optionalText(input.firstName),
					last_name: optionalText(input.lastName),
					company: optionalText(input.company),
					phone: optionalText(input.phone),
					created_at: now,
					updated_at: now,
				})
				.returningAll()
				.executeTakeFirstOrThrow();
			return contactFromRow(row);
		});
	}

	async get(id: number): Promise<Contact | undefined> {
		return await this.ctx.run(`read contact ${id}`, async (db) => {
			const row = await db
				.selectFrom('contacts')
				.selectAll()
				.where('id', '=', id)
				.executeTakeFirst();
			return row ? contactFromRow(row) : undefined;
		});
	}

	/** The first (oldest) contact with this address, ignoring case; undefined when none. */
	async findByEmail(email: string): Promise<Contact | undefined> {
		return await this.ctx.run(`find contact ${email}`, (db) => findFirstContactByEmail(db, email));
	}

	/** Every contact with this address, oldest first. */
	async findAllByEmail(email: string): Promise<Contact[]> {
		return await this.ctx.run(`find contacts ${email}`, async (db) => {
			const rows = await db
				.selectFrom('contacts')
				.selectAll()
				.where('email_normalized', '=', normalizeEmail(email))
				.orderBy('id')
				.execute();
			return rows.map(contactFromRow);
		});
	}

	async list(options: { limit?: number; offset?: number } = {}): Promise<Contact[]> {
		const limit = Math.min(Math.max(options.limit ?? 100, 1), 1000);
		return await this.ctx.run('list contacts', async (db) => {
			const rows = await db
				.selectFrom('contacts')
				.selectAll()
				.orderBy('id')
				.limit(limit)
				.offset(Math.max(options.offset ?? 0, 0))
				.execute();
			return rows.map(contactFromRow);
		});
	}

	async update(id: number, patch: Partial<ContactInput>): Promise<Contact> {
		const email =
			patch.email !== undefined ? checkAddress(patch.email, `Contact ${id}`) : undefined;
		return await this.ctx.transaction(`update contact ${id}`, async (trx) => {
			const set: Record<string, unknown> = { updated_at: this.ctx.now() };
			if (email !== undefined) {
				set.email = email;
				set.email_normalized = normalizeEmail(email);
			}
			if (patch.firstName !== undefined) set.first_name = optionalText(patch.firstName);
			if (patch.lastName !== undefined) set.last_name = optionalText(patch.lastName);
			if (patch.company !== undefined) set.company = optionalText(patch.company);
			if (patch.phone !== undefined) set.phone = optionalText(patch.phone);
			const row = await trx
				.updateTable('contacts')
				.set(set)
				.where('id', '=', id)
				.returningAll()
				.executeTakeFirst();
			if (!row) throw new MailCasesError('NOT_FOUND', `Contact ${id} does not exist`);
			return contactFromRow(row);
		});
	}

	/** Deletes a contact; cases that referred to it keep their requester address but lose the link. */
	async delete(id: number): Promise<void> {
		await this.ctx.transaction(`delete contact ${id}`, async (trx) => {
			const result = await trx.deleteFrom('contacts').where('id', '=', id).executeTakeFirst();
			if (Number(result.numDeletedRows) === 0)
				throw new MailCasesError('NOT_FOUND', `Contact ${id} does not exist`);
		});
	}
}
