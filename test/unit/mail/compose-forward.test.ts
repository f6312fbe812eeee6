import MailComposer from 'nodemailer/lib/mail-composer';
import { MailCasesError } from '../../../lib/errors';
import {
	composeForward,
	emlFileName,
	forwardLedgerKey,
	forwardLoopConflicts,
	mailboxAddresses,
	resentHeaders,
	rfc5322Date,
	type ForwardSource,
} from '../../../lib/mail/compose-forward';
import { classifyMessage } from '../../../lib/mail/classify';
import { loopHeaders } from '../../../lib/mail/loop-header';
import { buildOutgoingMessage, toNodemailerOptions } from '../../../lib/mail/outgoing-message';
import { parseMessage } from '../../../lib/mail/parse-message';
import { eml, pseudoRandomBytes } from './mail-builder';

/** An original with 8-bit UTF-8 in headers and body, a long line, and a dot line. */
const raw = eml(
	[
		'Return-Path: <erika@kunde.test>',
		'From: Erika Müller <erika@kunde.test>',
		'To: info@example.com',
		'Subject: Größenänderung – Übersicht',
		'Date: Sun, 29 Nov 2026 10:00:00 +0100',
		'Message-ID: <orig-1@kunde.test>',
		'References: <root@kunde.test>',
		'MIME-Version: 1.0',
		'Content-Type: text/plain; charset=utf-8',
		'Content-Transfer-Encoding: 8bit',
		'',
		'Grüße aus Köln',
		'.',
		`${'x'.repeat(900)}`,
		'',
	].join('\n'),
);

const source: ForwardSource = {
	messageId: '<orig-1@kunde.test>',
	references: ['<root@kunde.test>'],
	subject: 'AW: Größenänderung – Übersicht',
	from: { address: 'erika@kunde.test', name: 'Erika Müller' },
	to: [{ address: 'info@example.com', name: '' }],
	cc: [{ address: 'chef@kunde.test', name: 'Chef' }],
	date: '2026-11-29T09:00:00.000Z',
	text: 'Grüße aus Köln\nName = Müller\n',
	html: '<p>Grüße aus <b>Köln</b><img src="cid:logo@kunde"><script>alert(1)</script><img src="https://tracker.test/p.gif"></p>',
	attachments: [
		{
			filename: 'Prüfbericht.bin',
			contentType: 'application/octet-stream',
			content: pseudoRandomBytes(5000, 7),
		},
		{
			filename: 'logo.png',
			contentType: 'image/png',
			content: pseudoRandomBytes(300, 9),
			contentId: 'logo@kunde',
			inline: true,
		},
	],
	raw,
};

async function compile(composed: ReturnType<typeof composeForward>): Promise<Buffer> {
	const message = buildOutgoingMessage({
		from: { address: 'cases@example.com' },
		to: 'backoffice@example.com',
		subject: composed.subject,
		text: composed.text,
		html: composed.html,
		attachments: composed.attachments,
		references: composed.references,
		headers: loopHeaders('sys-1'),
	});
	return new MailComposer(toNodemailerOptions(message)).compile().build();
}

describe('R-PROC-6a: forward as attachment (default)', () => {
	test('the original goes unchanged, byte for byte, into a message/rfc822 part', async () => {
		const composed = composeForward(source);
		expect(composed.subject).toBe('Fwd: Größenänderung – Übersicht');
		expect(composed.attachments).toHaveLength(1);
		expect(composed.attachments[0]).toMatchObject({
			contentType: 'message/rfc822',
			contentDisposition: 'attachment',
			filename: 'AW_ Größenänderung – Übersicht.eml',
		});
		const out = await compile(composed);
		// message/* parts are never re-encoded (RFC 2046 §5.2.1): the bytes are in the output as they were
		expect(out.includes(raw)).toBe(true);
		const header =
			out.toString('latin1').match(/Content-Type: message\/rfc822[\s\S]*?\r\n\r\n/)?.[0] ?? '';
		expect(header).toMatch(/Content-Transfer-Encoding: 8bit/);
		expect(header).toMatch(/Content-Disposition: attachment/);
	});

	test('the cover text names the original and carries the note', () => {
		const composed = composeForward(source, { note: 'Bitte übernehmen.' });
		expect(composed.text.startsWith('Bitte übernehmen.\n\nThe original message is attached.')).toBe(
			true,
		);
		expect(composed.text).toMatch(/From:\s+Erika Müller <erika@kunde\.test>/);
		expect(composed.text).toMatch(/Cc:\s+Chef <chef@kunde\.test>/);
		expect(composed.html).toBeUndefined();
	});

	test('without the raw message: a clear error that names the trigger option', () => {
		expect(() => composeForward({ ...source, raw: undefined })).toThrow(MailCasesError);
		expect(() => composeForward({ ...source, raw: undefined })).toThrow(/Include Raw Message/);
	});

	test('R-PLUS-4: References carry the original thread and its Message-ID', () => {
		expect(composeForward(source).references).toEqual(['<root@kunde.test>', '<orig-1@kunde.test>']);
		expect(composeForward({ ...source, messageId: null }).references).toEqual([]);
	});

	test('one forward prefix, configurable (WG)', () => {
		expect(composeForward({ ...source, subject: 'Fwd: WG: Re: Frage' }).subject).toBe('Fwd: Frage');
		expect(composeForward(source, { subjectPrefix: 'WG' }).subject).toBe(
			'WG: Größenänderung – Übersicht',
		);
	});
});

describe('R-PROC-6a: forward inline', () => {
	test('text: forwarded-message block, then the original text; every attachment again, inline image with its Content-ID', async () => {
		const composed = composeForward(source, { mode: 'inline', language: 'de' });
		expect(composed.text).toMatch(
			/^---------- Weitergeleitete Nachricht ----------\nVon:\s+Erika Müller <erika@kunde\.test>\nDatum:\s+2026-11-29 09:00 UTC\nBetreff:\s+AW: Größenänderung – Übersicht\nAn:\s+info@example\.com\nCc:\s+Chef <chef@kunde\.test>\n\nGrüße aus Köln\nName = Müller\n$/,
		);
		expect(composed.attachments.map((a) => [a.filename, a.cid, a.contentDisposition])).toEqual([
			['Prüfbericht.bin', undefined, undefined],
			['logo.png', 'logo@kunde', 'inline'],
		]);
		const parsed = await parseMessage(await compile(composed));
		const names = parsed.attachments.map((a) => a.filename).sort();
		expect(names).toEqual(['Prüfbericht.bin', 'logo.png']);
		expect(
			parsed.attachments
				.find((a) => a.filename === 'Prüfbericht.bin')!
				.content.equals(source.attachments![0].content),
		).toBe(true);
		expect(parsed.attachments.find((a) => a.filename === 'logo.png')!.contentId).toBe('logo@kunde');
	});

	test('HTML: the original sanitised (no script, no remote image), the cid: image kept', () => {
		const composed = composeForward(source, { mode: 'inline' });
		expect(composed.html).toContain('Grüße aus <b>Köln</b>');
		expect(composed.html).toContain('src="cid:logo@kunde"');
		expect(composed.html).not.toMatch(/<script|tracker\.test/);
		expect(composed.html).toContain('---------- Forwarded message ----------');
	});

	test('an HTML-only original gets a text part from its HTML', () => {
		const composed = composeForward({ ...source, text: '' }, { mode: 'inline' });
		expect(composed.text).toContain('Grüße aus Köln');
	});
});

describe('R-PLUS-3: forward headers and loops', () => {
	test('Resent-* fields describe who passed the mail on, to whom, when', () => {
		const date = new Date('2026-11-29T10:00:00Z');
		expect(
			resentHeaders({
				from: 'cases@example.com',
				to: ['a@x.test', 'b@x.test'],
				messageId: '<f1@example.com>',
				date,
			}),
		).toEqual({
			'Resent-From': 'cases@example.com',
			'Resent-To': 'a@x.test, b@x.test',
			'Resent-Date': 'Sun, 29 Nov 2026 10:00:00 +0000',
			'Resent-Message-ID': '<f1@example.com>',
		});
		expect(rfc5322Date(date)).toBe('Sun, 29 Nov 2026 10:00:00 +0000');
	});

	test('a forward with our loop header that comes back is our own loop; without it (and without Auto-Submitted) a ticket system takes it as ordinary mail', async () => {
		const parsed = await parseMessage(await compile(composeForward(source)));
		expect(parsed.headers['auto-submitted']).toBeUndefined();
		expect(parsed.headers['x-auto-response-suppress']).toBeUndefined();
		expect(classifyMessage(parsed, { systemId: 'sys-1' }).class).toBe('loop');
		// another installation sees a foreign loop header as automatic mail ("Add Loop Header" off forwards into one)
		expect(classifyMessage(parsed, { systemId: 'other-system' }).class).toBe('autoReply');
		const composed = composeForward(source);
		const bare = buildOutgoingMessage({
			from: { address: 'cases@example.com' },
			to: 'b@example.com',
			subject: composed.subject,
			text: composed.text,
			attachments: composed.attachments,
		});
		const plain = await parseMessage(
			await new MailComposer(toNodemailerOptions(bare)).compile().build(),
		);
		expect(classifyMessage(plain, { systemId: 'other-system' }).class).toBe('normal');
	});

	test("mailboxAddresses reads the address from the trigger's mailbox description", () => {
		expect(mailboxAddresses('IMAPS 127.0.0.1:993 as support@example.com, folder INBOX')).toEqual([
			'support@example.com',
		]);
		expect(mailboxAddresses('POP3 mail.example.com:110 as support')).toEqual([]);
		expect(
			mailboxAddresses(
				'support@contoso.com on Microsoft 365 (tenant contoso.onmicrosoft.com, app 1111)',
			),
		).toEqual(['support@contoso.com']);
		expect(mailboxAddresses(undefined)).toEqual([]);
	});

	test('forwardLoopConflicts finds own addresses, ignoring case', () => {
		expect(
			forwardLoopConflicts(
				['Support@Example.com', 'boss@example.com'],
				['support@example.com', 'cases@example.com'],
			),
		).toEqual(['Support@Example.com']);
		expect(forwardLoopConflicts(['boss@example.com'], ['support@example.com', ''])).toEqual([]);
	});

	test('R-PLUS-2: the forward ledger key depends on the mail and the targets (not their order or case)', () => {
		const key = forwardLedgerKey('mid:orig-1@kunde.test', ['b@x.test', 'A@x.test']);
		expect(key).toMatch(/^sha256:[0-9a-f]{64}$/);
		expect(forwardLedgerKey('mid:orig-1@kunde.test', ['a@x.test', 'b@x.test'])).toBe(key);
		expect(forwardLedgerKey('mid:orig-1@kunde.test', ['a@x.test'])).not.toBe(key);
		expect(forwardLedgerKey('mid:orig-2@kunde.test', ['a@x.test', 'b@x.test'])).not.toBe(key);
		// never the mail's own key: that one stays free for the case the mail may open
		expect(key).not.toBe('mid:orig-1@kunde.test');
	});

	test('emlFileName is a safe file name', () => {
		expect(emlFileName('Re: a/b\\c:d*e?f"g<h>i|j')).toBe('Re_ a_b_c_d_e_f_g_h_i_j.eml');
		expect(emlFileName('')).toBe('message.eml');
		expect(emlFileName('...')).toBe('message.eml');
		expect([...emlFileName('ü'.repeat(300))].length).toBe(104);
	});
});
