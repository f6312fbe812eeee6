import { extractCaseNumbers } from '../../../lib/cases/case-number';
import { pickCase, type CaseRef } from '../../../lib/cases/matching';
import { messageIdsIn } from '../../../lib/mail/message-id';
import {
	MAX_THREAD_IDS,
	replyThreadingHeaders,
	threadMessageIds,
} from '../../../lib/mail/threading';

const A: CaseRef = { id: 1, caseNumber: '2026-000001' };
const B: CaseRef = { id: 2, caseNumber: '2026-000002' };
const C: CaseRef = { id: 3, caseNumber: '2026-000003' };

describe('R-PROC-1 / R-PLUS-4: pickCase', () => {
	test('the first subject number of an existing case wins', () => {
		expect(pickCase({ byNumber: [null, B, A], byThread: null })).toEqual({
			case: B,
			via: 'subject',
			index: 1,
		});
	});

	test('subject wins over the thread; a different thread case is reported', () => {
		expect(pickCase({ byNumber: [A], byThread: B })).toEqual({
			case: A,
			via: 'subject',
			index: 0,
			threadCase: B,
		});
		expect(pickCase({ byNumber: [A], byThread: { ...A } })).toEqual({
			case: A,
			via: 'subject',
			index: 0,
		});
	});

	test('ids compare as strings ("1" and 1 are the same case)', () => {
		expect(pickCase({ byNumber: [A], byThread: { id: '1' } })?.threadCase).toBeUndefined();
	});

	test('the thread is used when the subject lost its number', () => {
		expect(pickCase({ byNumber: [], byThread: C })).toEqual({ case: C, via: 'thread', index: 0 });
		expect(pickCase({ byNumber: [null, undefined], byThread: C })).toEqual({
			case: C,
			via: 'thread',
			index: 0,
		});
	});

	test('per-id thread results: the first found in threadMessageIds order wins', () => {
		expect(pickCase({ byNumber: [null], byThread: [null, undefined, C, B] })).toEqual({
			case: C,
			via: 'thread',
			index: 2,
		});
	});

	test('no case at all', () => {
		expect(pickCase({ byNumber: [], byThread: null })).toBeNull();
		expect(pickCase({ byNumber: [null], byThread: [null, null] })).toBeNull();
		expect(pickCase({ byNumber: [] })).toBeNull();
	});

	test('works together with extractCaseNumbers and a lookup', () => {
		const store = new Map([['2026-000002', B]]);
		const numbers = extractCaseNumbers('AW: [#2026-000009] Vorgang 2026-000002');
		expect(numbers).toEqual(['2026-000009', '2026-000002']);
		expect(
			pickCase({ byNumber: numbers.map((n) => store.get(n) ?? null), byThread: null })?.case,
		).toBe(B);
	});
});

describe('R-PLUS-4: threadMessageIds', () => {
	test('In-Reply-To first, then References newest first, duplicates removed', () => {
		expect(
			threadMessageIds({
				inReplyTo: '<c@x>',
				references: '<a@x> <b@x>\r\n <c@x>',
			}),
		).toEqual(['<c@x>', '<b@x>', '<a@x>']);
	});

	test('references as an array (mailparser) and In-Reply-To with several ids', () => {
		expect(threadMessageIds({ inReplyTo: '<d@x> <c@x>', references: ['<a@x>', '<b@x>'] })).toEqual([
			'<d@x>',
			'<c@x>',
			'<b@x>',
			'<a@x>',
		]);
	});

	test('ids without angle brackets are accepted', () => {
		expect(threadMessageIds({ inReplyTo: 'c@x', references: 'a@x b@x' })).toEqual([
			'<c@x>',
			'<b@x>',
			'<a@x>',
		]);
	});

	test('comments and garbage around ids are ignored', () => {
		expect(messageIdsIn('<a@x> (Max Mustermann\'s message of "Mon") junk')).toEqual(['<a@x>']);
		expect(messageIdsIn('no ids here')).toEqual([]);
	});

	test('missing headers', () => {
		expect(threadMessageIds({})).toEqual([]);
		expect(threadMessageIds({ inReplyTo: null, references: null })).toEqual([]);
	});

	test('long chains are cut, newest kept', () => {
		const refs = Array.from({ length: 80 }, (_, i) => `<m${i}@x>`).join(' ');
		const ids = threadMessageIds({ references: refs });
		expect(ids).toHaveLength(MAX_THREAD_IDS);
		expect(ids[0]).toBe('<m79@x>');
		expect(threadMessageIds({ references: refs }, { limit: 3 })).toEqual([
			'<m79@x>',
			'<m78@x>',
			'<m77@x>',
		]);
	});
});

describe('R-PLUS-4: replyThreadingHeaders for outgoing replies', () => {
	test('References = parent References + parent Message-ID', () => {
		expect(replyThreadingHeaders({ messageId: '<c@x>', references: '<a@x> <b@x>' })).toEqual({
			inReplyTo: '<c@x>',
			references: ['<a@x>', '<b@x>', '<c@x>'],
		});
	});

	test('parent without References but with one In-Reply-To', () => {
		expect(replyThreadingHeaders({ messageId: '<c@x>', inReplyTo: '<b@x>' })).toEqual({
			inReplyTo: '<c@x>',
			references: ['<b@x>', '<c@x>'],
		});
	});

	test('parent without either', () => {
		expect(replyThreadingHeaders({ messageId: 'c@x' })).toEqual({
			inReplyTo: '<c@x>',
			references: ['<c@x>'],
		});
	});

	test('no Message-ID: no headers', () => {
		expect(replyThreadingHeaders({ messageId: '' })).toBeNull();
		expect(replyThreadingHeaders({ messageId: null, references: '<a@x>' })).toBeNull();
	});

	test('long chains keep the root and the newest ids', () => {
		const refs = Array.from({ length: 30 }, (_, i) => `<m${i}@x>`);
		const h = replyThreadingHeaders(
			{ messageId: '<new@x>', references: refs },
			{ maxReferences: 5 },
		);
		expect(h?.references).toEqual(['<m0@x>', '<m27@x>', '<m28@x>', '<m29@x>', '<new@x>']);
	});

	test('the parent id is not repeated when it is already in its References', () => {
		expect(
			replyThreadingHeaders({ messageId: '<b@x>', references: '<a@x> <b@x>' })?.references,
		).toEqual(['<a@x>', '<b@x>']);
	});
});
