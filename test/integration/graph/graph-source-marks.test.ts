import {
	GraphSource,
	QUARANTINE_CATEGORY,
	QUARANTINE_REASON_PROPERTY,
	keywordCategory,
	quarantineKindCategory,
} from '../../../lib/protocols/graph/graph-source';
import { rawMail, startWorld, type GraphWorld } from './support';

/**
 * Issue #13.4 over Microsoft Graph, against the Graph stand-in: the keywords of a move become
 * Outlook categories set before the move (they travel with the mail, the attempt count does not;
 * the target folder is created when missing), and a quarantined mail carries a category naming
 * its kind beside `MailCases-Quarantined` and the reason property.
 */
jest.setTimeout(30_000);

let world: GraphWorld;
let source: GraphSource | undefined;

beforeEach(async () => {
	world = await startWorld();
});

afterEach(async () => {
	await source?.close();
	source = undefined;
	await world.fake.stop();
});

async function opened(): Promise<GraphSource> {
	source = new GraphSource(world.profile, { checkIntervalMs: 50 });
	await source.open();
	return source;
}

test('keywords map to categories: ours as MailCases-…, others without $', () => {
	expect(keywordCategory('$MailCasesSkipped')).toBe('MailCases-Skipped');
	expect(keywordCategory('$MailCasesAutoReply')).toBe('MailCases-AutoReply');
	expect(keywordCategory('$Junk')).toBe('Junk');
	expect(keywordCategory('$')).toBeUndefined();
	expect(keywordCategory('x'.repeat(300))).toHaveLength(255);
	expect(quarantineKindCategory('notRemoved')).toBe('MailCases-Quarantine-NotRemoved');
});

test('move with keywords: categories set before the move, user categories kept, attempt count dropped, folder created', async () => {
	const key = world.mailbox.seed(rawMail('Abwesend'));
	world.mailbox.messages.get(key)!.categories = ['Red category'];
	const s = await opened();
	await s.listPending(10, new Set());
	await s.recordAttempts([key]);
	await s.dispose(key, {
		kind: 'move',
		folder: 'Skipped',
		keywords: ['$MailCasesSkipped', '$MailCasesAutoReply'],
	});
	expect(world.mailbox.list('inbox')).toEqual([]);
	const [moved] = world.mailbox.list('Skipped');
	expect(moved.subject).toBe('Abwesend');
	expect(moved.categories).toEqual(['Red category', 'MailCases-Skipped', 'MailCases-AutoReply']);
});

test.each(['oversize', 'unreadable', 'failed'] as const)(
	'quarantine of kind %s: a category naming the kind beside MailCases-Quarantined',
	async (kind) => {
		const key = world.mailbox.seed(rawMail(`Quarantäne ${kind}`));
		const s = await opened();
		await s.listPending(10, new Set());
		await s.quarantine(key, `because ${kind}`, kind);
		const [quarantined] = world.mailbox.list('Quarantine');
		expect(quarantined.categories).toEqual([QUARANTINE_CATEGORY, quarantineKindCategory(kind)]);
		expect(quarantined.properties.get(QUARANTINE_REASON_PROPERTY)).toBe(`because ${kind}`);
	},
);
