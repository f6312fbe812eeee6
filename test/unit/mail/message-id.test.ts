import {
	bareMessageId,
	bracketedMessageId,
	messageIdsIn,
	writableMessageId,
} from '../../../lib/mail/message-id';

/** The one Message-ID module (lib/mail/message-id.ts): bracketed for headers, bare for the store. */
describe('Message-IDs', () => {
	test('bracketedMessageId keeps or adds the angle brackets', () => {
		expect(bracketedMessageId('<a@b>')).toBe('<a@b>');
		expect(bracketedMessageId('  a@b  ')).toBe('<a@b>');
		expect(bracketedMessageId('<a@b> (comment)')).toBe('<a@b>');
		expect(bracketedMessageId('<<a@b>>')).toBe('<a@b>');
		expect(bracketedMessageId('')).toBeNull();
		expect(bracketedMessageId('<>')).toBeNull();
		expect(bracketedMessageId(null)).toBeNull();
	});

	test('bareMessageId removes space and one pair of brackets (the form the store keys on)', () => {
		expect(bareMessageId(' <Abc.123@Mail.Example> ')).toBe('Abc.123@Mail.Example');
		expect(bareMessageId('abc@x')).toBe('abc@x');
		expect(bareMessageId('<>')).toBeUndefined();
		expect(bareMessageId(undefined)).toBeUndefined();
	});

	test('the two forms meet: bare of bracketed is the id without brackets', () => {
		for (const id of ['<a@b>', 'a@b', ' <x.y@z> ']) {
			expect(bareMessageId(bracketedMessageId(id))).toBe(bareMessageId(id));
		}
	});

	test('messageIdsIn: bracketed, in order, without duplicates; bare ids only when no bracketed one', () => {
		expect(messageIdsIn('<x@y>\r\n <z@w> <x@y>')).toEqual(['<x@y>', '<z@w>']);
		expect(messageIdsIn('x@y, z@w')).toEqual(['<x@y>', '<z@w>']);
		expect(messageIdsIn('<a@x> x@y')).toEqual(['<a@x>']);
		expect(messageIdsIn(['<a@x>', '<b@x> <a@x>'])).toEqual(['<a@x>', '<b@x>']);
		expect(messageIdsIn('Your message of Tue')).toEqual([]);
		expect(messageIdsIn('')).toEqual([]);
		expect(messageIdsIn(null)).toEqual([]);
	});
});

describe('Message-IDs we write', () => {
	test('writableMessageId: one well-formed id, bracketed, or null', () => {
		expect(writableMessageId(' <a@b> ')).toBe('<a@b>');
		expect(writableMessageId('a@b')).toBe('<a@b>');
		expect(writableMessageId('<>')).toBeNull();
		expect(writableMessageId('<a b@c>')).toBeNull();
		expect(writableMessageId('<a@b><c@d>')).toBeNull();
	});
});
