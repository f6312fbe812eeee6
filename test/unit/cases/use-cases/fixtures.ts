/**
 * A throw-away SQLite case store (test/support/test-stores.ts) with one form workflow, two org
 * units and two contacts, and a mail builder in the shape the case use cases take.
 */
import { openStore, type OrgUnit, type Store, type Workflow } from '../../../../lib/store';
import type { CaseReferenceKey } from '../../../../lib/store/case-reference-tag';
import type { CaseMail } from '../../../../lib/cases/use-cases/case-mail';
import { MailCasesError } from '../../../../lib/errors';
import { sqliteTestStore, type TestStore } from '../../../support/test-stores';

export interface Fixture {
	store: Store;
	referenceKey: CaseReferenceKey;
	workflow: Workflow;
	service: OrgUnit;
	close(): Promise<void>;
}

export async function openFixture(): Promise<Fixture> {
	const test: TestStore = sqliteTestStore('mail-cases-use-cases');
	const store = await openStore(test.config);
	const workflow = await store.workflows.create({
		name: 'Reklamation',
		fields: [
			{ name: 'Name', type: 'text' },
			{ name: 'Straße', type: 'text' },
			{ name: 'Betrag', type: 'number' },
		],
	});
	const service = await store.orgUnits.create({
		name: 'Kundenservice',
		members: ['agent@firma.example'],
	});
	await store.orgUnits.create({ name: 'Buchhaltung', members: ['buchhaltung@firma.example'] });
	await store.contacts.create({ email: 'kunde@kunde.example', lastName: 'Erster' });
	await store.contacts.create({ email: 'kunde@kunde.example', lastName: 'Zweiter' });
	return {
		store,
		referenceKey: await store.caseReferenceKey(),
		workflow,
		service,
		close: async () => {
			await store.close();
			await test.drop();
		},
	};
}

let counter = 0;

/** A mail from `from` with a fresh Message-ID unless given. */
export function mail(fields: Partial<CaseMail> & { fromAddress?: string } = {}): CaseMail {
	const { fromAddress = 'kunde@kunde.example', ...rest } = fields;
	counter++;
	return {
		messageId: `<m${counter}.${process.pid}@kunde.example>`,
		subject: 'Reklamation',
		from: { address: fromAddress, name: 'Kunde' },
		to: [{ address: 'service@firma.example', name: '' }],
		cc: [],
		bcc: [],
		replyTo: [],
		date: null,
		inReplyTo: null,
		references: [],
		headers: {},
		size: 100,
		rawHash: '',
		text: '',
		html: null,
		attachments: [],
		...rest,
	};
}

export function attachment(name: string, bytes: number): CaseMail['attachments'][number] {
	return {
		filename: name,
		filenameGiven: true,
		contentType: 'application/octet-stream',
		size: bytes,
		inline: false,
		content: Buffer.alloc(bytes, 1),
		checksum: '',
	};
}

/** The MailCasesError `promise` rejects with (fails when it resolves or throws another error). */
export async function mailCasesError(promise: Promise<unknown>): Promise<MailCasesError> {
	const error = await promise.then(
		() => undefined,
		(e: unknown) => e,
	);
	expect(error).toBeInstanceOf(MailCasesError);
	return error as MailCasesError;
}
