/**
 * Issue #13.4: what a quarantine report and a skip log line say about a mail, read from the
 * header section only and bounded (the mail may be hostile).
 */
import {
	describeMail,
	MAX_REPORT_HEADER_BYTES,
	summaryOfRaw,
} from '../../../../nodes/MailCasesTrigger/mail-summary';

const mail = (head: string, body = 'Text\r\n') => Buffer.from(`${head}\r\n\r\n${body}`, 'utf8');

describe('summaryOfRaw', () => {
	it('reads subject (encoded word), from, date, Message-ID; size is the whole mail', () => {
		const raw = mail(
			[
				'From: =?UTF-8?Q?Erika_M=C3=BCller?= <erika@kunde.test>',
				'Subject: =?UTF-8?B?QmVzdGVsbHVuZyDDvGJlciA1MDAg4oKs?=',
				'Date: Thu, 03 Dec 2026 09:15:00 +0100',
				'Message-ID: <a-1@kunde.test>',
			].join('\r\n'),
		);
		expect(summaryOfRaw(raw, 123_456)).toEqual({
			subject: 'Bestellung über 500 €',
			from: 'erika@kunde.test',
			fromName: 'Erika Müller',
			date: '2026-12-03T08:15:00.000Z',
			messageId: '<a-1@kunde.test>',
			size: 123_456,
		});
	});

	it('without bytes (a mail too large to read) only the size is known', () => {
		expect(summaryOfRaw(undefined, 5_000_000)).toEqual({
			subject: null,
			from: null,
			fromName: '',
			date: null,
			messageId: null,
			size: 5_000_000,
		});
		expect(describeMail(summaryOfRaw(undefined, 42))).toBe('42 bytes');
	});

	it('looks at no byte beyond the first 64 KiB: a header after them is not read', () => {
		const padding = `X-Padding: ${'a'.repeat(100)}\r\n`.repeat(700);
		const raw = mail(`Message-ID: <early@x>\r\n${padding}Subject: late`);
		expect(raw.length).toBeGreaterThan(MAX_REPORT_HEADER_BYTES);
		const summary = summaryOfRaw(raw, undefined);
		expect(summary).toMatchObject({ messageId: '<early@x>', subject: '', size: raw.length });
	});

	it('a huge body is never read, a hostile subject is cut and stays on one line', () => {
		const raw = mail(
			`Subject: =?UTF-8?Q?a=0D=0Ab=1B[31m?= ${'x'.repeat(5000)}`,
			'y'.repeat(10_000_000),
		);
		const summary = summaryOfRaw(raw, undefined);
		expect(summary.subject).toMatch(/^a\s+b\s+\[31m x+…$/);
		expect(summary.subject!.length).toBeLessThanOrEqual(301);
		const line = describeMail(summary);
		expect(line).not.toMatch(/[\r\n\x1b]/);
		expect(line).toMatch(/, \d{8} bytes$/);
	});

	it('a mail that is no mail at all gives empty fields, never an error', () => {
		const raw = Buffer.from([0, 1, 2, 0xff, 0xfe, 13, 10, 13, 10, 65]);
		expect(summaryOfRaw(raw, undefined)).toEqual({
			subject: '',
			from: null,
			fromName: '',
			date: null,
			messageId: null,
			size: 10,
		});
	});
});
