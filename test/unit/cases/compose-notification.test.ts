import MailComposer from 'nodemailer/lib/mail-composer';
import { MailCasesError } from '../../../lib/errors';
import {
	composeNotification,
	mailExcerpt,
	notificationMessageId,
	type NotificationInput,
} from '../../../lib/cases/compose-notification';
import { formatMailDate } from '../../../lib/mail/display-text';
import { autoHeaders } from '../../../lib/mail/loop-header';
import { buildOutgoingMessage, toNodemailerOptions } from '../../../lib/mail/outgoing-message';
import { parseMessage } from '../../../lib/mail/parse-message';
import { classifyMessage } from '../../../lib/mail/classify';

const mail: NotificationInput['mail'] = {
	messageId: '<reply-7@kunde.test>',
	inReplyTo: '<mail-cases.notify.1@example.com>',
	references: ['<root@kunde.test>', '<mail-cases.notify.1@example.com>'],
	from: { address: 'erika@kunde.test', name: 'Erika Müller' },
	subject: 'AW: [#2026-000123] Reklamation Lieferung',
	date: '2026-11-29T09:15:00.000Z',
	text: [
		'Guten Tag,',
		'die Lieferung ist unvollständig.',
		'Name = Müller',
		'',
		'Am 28.11.2026 um 10:00 schrieb Support <support@example.com>:',
		'> Bitte senden Sie uns Fotos.',
		'> Geheime Zeile aus dem Zitat',
		'',
	].join('\n'),
	html: null,
	attachments: [{ filename: 'foto 1.jpg' }, { filename: 'Rechnung März.pdf' }],
};

describe('R-PROC-3: the notification to the responsible org unit', () => {
	test('R-PLUS-4: subject carries the case reference once, in front, without the reply prefix', () => {
		const n = composeNotification({ caseNumber: '2026-000123', mail });
		expect(n.subject).toBe('[#2026-000123] New message: Reklamation Lieferung');
		const de = composeNotification({ caseNumber: '2026-000123', mail, language: 'de' });
		expect(de.subject).toBe('[#2026-000123] Neue Nachricht: Reklamation Lieferung');
		const custom = composeNotification({
			caseNumber: '2026-000123',
			mail,
			subject: 'Kunde hat geantwortet',
		});
		expect(custom.subject).toBe('[#2026-000123] Kunde hat geantwortet');
		const empty = composeNotification({
			caseNumber: '2026-000123',
			mail: { ...mail, subject: '' },
		});
		expect(empty.subject).toBe('[#2026-000123] New message');
	});

	test('text names case, responsible unit, sender, subject, date and attachments; the excerpt has no quoted text', () => {
		const n = composeNotification({
			caseNumber: '2026-000123',
			caseTitle: 'Reklamation',
			responsibleName: 'Support',
			mail,
		});
		expect(n.text).toContain('A new message arrived for case 2026-000123.');
		expect(n.text).toMatch(/Case:\s+2026-000123 – Reklamation/);
		expect(n.text).toMatch(/Responsible:\s+Support/);
		expect(n.text).toMatch(/From:\s+Erika Müller <erika@kunde\.test>/);
		expect(n.text).toMatch(/Subject:\s+AW: \[#2026-000123\] Reklamation Lieferung/);
		expect(n.text).toMatch(/Received:\s+2026-11-29 09:15 UTC/);
		expect(n.text).toMatch(/Attachments:\s+2: foto 1\.jpg, Rechnung März\.pdf/);
		expect(n.excerpt).toBe('Guten Tag,\ndie Lieferung ist unvollständig.\nName = Müller');
		expect(n.text).not.toContain('Geheime Zeile');
		expect(n.text).not.toContain('schrieb Support');
	});

	test('link-free: the HTML part escapes everything and contains no link, image or script', () => {
		const hostile = {
			...mail,
			from: { address: 'x@kunde.test', name: '<script>alert(1)</script>' },
			subject: 'Hallo <img src=x onerror=alert(1)>',
			text: 'Klicken Sie <a href="https://evil.test">hier</a> & "jetzt"',
		};
		const n = composeNotification({ caseNumber: '2026-000001', mail: hostile });
		const tags = n.html.match(/<[^>]*>/g) ?? [];
		expect(tags.length).toBeGreaterThan(5);
		for (const tag of tags) {
			expect(tag).not.toMatch(/^<\/?(a|img|script|iframe|link|style)\b/i);
			expect(tag).not.toMatch(/\s(href|src|on\w+)\s*=/i);
		}
		expect(n.html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
		expect(n.html).toContain(
			'Klicken Sie &lt;a href=&quot;https://evil.test&quot;&gt;hier&lt;/a&gt; &amp; &quot;jetzt&quot;',
		);
	});

	test('an HTML-only mail is excerpted as text with link targets hidden', () => {
		const n = composeNotification({
			caseNumber: '2026-000002',
			mail: {
				...mail,
				text: '',
				html: '<p>Bitte <a href="https://tracking.test/x">hier</a> klicken</p><blockquote>Zitat</blockquote>',
			},
		});
		expect(n.excerpt).toBe('Bitte hier klicken');
		expect(n.text).not.toContain('tracking.test');
	});

	test('R-PLUS-4: threads with the incoming mail (In-Reply-To its id, References its chain plus its id)', () => {
		const n = composeNotification({ caseNumber: '2026-000123', mail });
		expect(n.inReplyTo).toBe('<reply-7@kunde.test>');
		expect(n.references).toEqual([
			'<root@kunde.test>',
			'<mail-cases.notify.1@example.com>',
			'<reply-7@kunde.test>',
		]);
		const none = composeNotification({
			caseNumber: '2026-000123',
			mail: { ...mail, messageId: null },
		});
		expect(none.inReplyTo).toBeUndefined();
		expect(none.references).toEqual([]);
	});

	test('a case number that does not fit into a subject is refused', () => {
		expect(() => composeNotification({ caseNumber: '', mail })).toThrow(MailCasesError);
		expect(() => composeNotification({ caseNumber: '2026-1\r\nBcc: x@y', mail })).toThrow(
			/cannot be used as a case number/,
		);
	});

	test('R-PLUS-3: sent with autoHeaders, the notification is classified as our own loop when it comes back', async () => {
		const n = composeNotification({ caseNumber: '2026-000123', mail });
		const message = buildOutgoingMessage({
			from: { address: 'cases@example.com', name: 'Cases' },
			to: ['agent@example.com'],
			subject: n.subject,
			text: n.text,
			html: n.html,
			headers: autoHeaders('sys-1'),
			inReplyTo: n.inReplyTo,
			references: n.references,
			messageId: notificationMessageId({
				systemId: 'sys-1',
				mailKey: 'mid:reply-7@kunde.test',
				caseId: 5,
				fromAddress: 'cases@example.com',
			}),
		});
		const raw = await new MailComposer(toNodemailerOptions(message)).compile().build();
		const parsed = await parseMessage(raw);
		expect(parsed.headers['auto-submitted']).toBe('auto-generated');
		expect(parsed.inReplyTo).toBe('<reply-7@kunde.test>');
		expect(parsed.subject).toBe('[#2026-000123] New message: Reklamation Lieferung');
		expect(parsed.text).toContain('die Lieferung ist unvollständig.');
		expect(classifyMessage(parsed, { systemId: 'sys-1' }).class).toBe('loop');
	});
});

describe('R-PROC-3: mailExcerpt', () => {
	test('cuts long text at a word boundary and marks the cut', () => {
		const text = Array.from({ length: 200 }, (_, i) => `Wort${i}`).join(' ');
		const excerpt = mailExcerpt({ text }, 100);
		expect([...excerpt].length).toBeLessThanOrEqual(102);
		expect(excerpt.endsWith(' …')).toBe(true);
		expect(text.startsWith(excerpt.slice(0, -2))).toBe(true);
	});

	test('drops the signature and collapses blank-line runs; 0 means no excerpt', () => {
		expect(mailExcerpt({ text: 'Eins\n\n\n\nZwei\n-- \nMax Mustermann\nTel. 0123' })).toBe(
			'Eins\n\nZwei',
		);
		expect(mailExcerpt({ text: 'Eins' }, 0)).toBe('');
	});

	test('counts characters, not UTF-16 units (no broken emoji)', () => {
		const excerpt = mailExcerpt({ text: '😀'.repeat(20) }, 10);
		expect(excerpt).toBe(`${'😀'.repeat(10)} …`);
	});

	test('formatMailDate is UTC and empty for missing or invalid dates', () => {
		expect(formatMailDate('2026-03-03T09:15:00.000Z')).toBe('2026-03-03 09:15 UTC');
		expect(formatMailDate(null)).toBe('');
		expect(formatMailDate('nonsense')).toBe('');
	});
});

describe('R-PLUS-2: notificationMessageId', () => {
	const base = {
		systemId: 'sys-1',
		mailKey: 'mid:a@b',
		caseId: 1,
		fromAddress: 'cases@example.com',
	};
	test('is the same for the same installation, mail and case, and differs otherwise', () => {
		expect(notificationMessageId(base)).toBe(notificationMessageId({ ...base }));
		expect(notificationMessageId(base)).toMatch(
			/^<mail-cases\.notify\.[0-9a-f]{32}@example\.com>$/,
		);
		expect(notificationMessageId({ ...base, caseId: 2 })).not.toBe(notificationMessageId(base));
		expect(notificationMessageId({ ...base, mailKey: 'mid:c@d' })).not.toBe(
			notificationMessageId(base),
		);
		expect(notificationMessageId({ ...base, systemId: 'sys-2' })).not.toBe(
			notificationMessageId(base),
		);
	});

	test('is a valid Message-ID for buildOutgoingMessage', () => {
		const id = notificationMessageId(base);
		const message = buildOutgoingMessage({
			from: { address: 'cases@example.com' },
			to: 'a@example.com',
			subject: 'x',
			messageId: id,
		});
		expect(message.messageId).toBe(id);
	});
});
