/**
 * #11.8 attachment names: no bidi or control characters, no directory parts, at most 255 bytes
 * of UTF-8 keeping the extension, a fallback when nothing is left — in safeAttachmentName and
 * in the names parseMessage gives (given and made up).
 */
import { mailActivityInput } from '../../../lib/cases/mail-activity';
import { safeAttachmentName } from '../../../lib/mail/attachment-name';
import { composeForward, emlFileName } from '../../../lib/mail/compose-forward';
import { composeNotification } from '../../../lib/cases/compose-notification';
import { MAX_ATTACHMENT_NAME_BYTES } from '../../../lib/mail/limits';
import { parseMessage } from '../../../lib/mail/parse-message';
import { eml } from './mail-builder';

const bytes = (text: string) => Buffer.byteLength(text, 'utf8');

describe('#11.8 safeAttachmentName: bidi and control characters', () => {
	it('a right-to-left override cannot disguise an .exe as a .pdf', () => {
		expect(safeAttachmentName('invoice\u202Efdp.exe')).toBe('invoicefdp.exe');
	});

	it.each([
		[
			'embeddings and overrides U+202A–U+202E',
			'a\u202Ab\u202Bc\u202Cd\u202De\u202Ef.txt',
			'abcdef.txt',
		],
		['isolates U+2066–U+2069', 'a\u2066b\u2067c\u2068d\u2069e.txt', 'abcde.txt'],
		['marks LRM, RLM, ALM', '\u200Ea\u200Fb\u061Cc.txt', 'abc.txt'],
		['C0 controls, a run is one space', 'bad\x00\x01\x1fname.txt', 'bad name.txt'],
		['CR/LF (header injection attempt)', 'a.txt\r\nX-Injected: yes', 'a.txt X-Injected: yes'],
		['DEL and C1 controls', 'x\x7fy\x85z\x9f.pdf', 'x y z .pdf'],
		['line and paragraph separators', 'one\u2028two\u2029three.txt', 'one two three.txt'],
		['tabs are controls too', '\tname\t.txt', 'name .txt'],
	])('%s', (_what, name, safe) => {
		expect(safeAttachmentName(name)).toBe(safe);
	});

	it('letters of right-to-left scripts, ZWJ emoji and ZWNJ stay', () => {
		for (const name of [
			'فاتورة.pdf',
			'חשבונית.pdf',
			'👩‍💻 notes.txt',
			'می‌خواهم.docx',
			'Überweisung März.pdf',
		]) {
			expect(safeAttachmentName(name)).toBe(name);
		}
	});
});

describe('#11.8 safeAttachmentName: paths', () => {
	it.each([
		['../../etc/passwd', 'passwd'],
		['..\\..\\windows\\system32\\evil.dll', 'evil.dll'],
		['C:\\Users\\x\\report.pdf', 'report.pdf'],
		['/absolute/path/file.txt', 'file.txt'],
		['dir/', 'attachment'],
		['..', 'attachment'],
		['.', 'attachment'],
		['a/..', 'attachment'],
		['...', 'attachment'],
	])('%s → %s', (name, safe) => {
		expect(safeAttachmentName(name)).toBe(safe);
	});

	it('a bidi character cannot hide a separator', () => {
		expect(safeAttachmentName('..\u202E/x.txt')).toBe('x.txt');
	});
});

describe('#11.8 safeAttachmentName: 255 bytes keeping the extension', () => {
	it('a 1,000-character name → at most 255 bytes, ending in .pdf', () => {
		const safe = safeAttachmentName(`${'a'.repeat(1000)}.pdf`);
		expect(bytes(safe)).toBe(MAX_ATTACHMENT_NAME_BYTES);
		expect(safe).toBe(`${'a'.repeat(251)}.pdf`);
	});

	it('multi-byte characters are never split (UTF-8 and grapheme clusters)', () => {
		const umlauts = safeAttachmentName(`${'ä'.repeat(300)}.pdf`);
		expect(bytes(umlauts)).toBeLessThanOrEqual(255);
		expect(umlauts).toBe(`${'ä'.repeat(125)}.pdf`);
		const emoji = safeAttachmentName(`${'👩‍💻'.repeat(40)}.txt`);
		expect(bytes(emoji)).toBeLessThanOrEqual(255);
		expect(emoji).toBe(`${'👩‍💻'.repeat(22)}.txt`);
		expect(Buffer.from(emoji, 'utf8').toString('utf8')).toBe(emoji);
	});

	it('one grapheme larger than the limit (a letter with 1,000 combining marks) is cut between code points', () => {
		const safe = safeAttachmentName(`a${'\u0301'.repeat(1000)}.png`);
		expect(bytes(safe)).toBeLessThanOrEqual(255);
		expect(safe.endsWith('.png')).toBe(true);
		expect(safe.startsWith('a\u0301')).toBe(true);
	});

	it('an "extension" that is long or holds blanks is part of the name', () => {
		const long = safeAttachmentName(`report.${'x'.repeat(400)}`);
		expect(bytes(long)).toBe(255);
		expect(long.startsWith('report.xxx')).toBe(true);
		const prose = safeAttachmentName(`Version 1.2 of the ${'long '.repeat(100)}document`);
		expect(bytes(prose)).toBeLessThanOrEqual(255);
		expect(prose.startsWith('Version 1.2 of the long')).toBe(true);
	});

	it('a name without extension is cut; no trailing blank is left', () => {
		const safe = safeAttachmentName(`${'word '.repeat(100)}`);
		expect(bytes(safe)).toBeLessThanOrEqual(255);
		expect(safe).toBe(safe.trim());
	});

	it('names within the limit are unchanged, and the function is idempotent', () => {
		for (const name of [
			'a.pdf',
			`${'b'.repeat(251)}.pdf`,
			'invoice\u202Efdp.exe',
			`${'ä'.repeat(300)}.pdf`,
			'../x\x00y.txt',
		]) {
			const once = safeAttachmentName(name);
			expect(safeAttachmentName(once)).toBe(once);
		}
		expect(safeAttachmentName(`${'b'.repeat(251)}.pdf`)).toBe(`${'b'.repeat(251)}.pdf`);
	});
});

describe('#11.8 safeAttachmentName: fallback', () => {
	it.each([[''], [null], [undefined], ['   '], ['\u202E\u202C'], ['\x00\x01'], ['/']])(
		'%p → the fallback',
		(name) => {
			expect(safeAttachmentName(name)).toBe('attachment');
			expect(safeAttachmentName(name, 'attachment-3.bin')).toBe('attachment-3.bin');
		},
	);
});

describe('#11.8 parseMessage gives safe names', () => {
	const mailWith = (dispositionName: string, extra = '') =>
		eml(
			[
				'From: a@example.org',
				'Subject: files',
				'Content-Type: multipart/mixed; boundary="b"',
				'',
				'--b',
				'Content-Type: text/plain',
				'',
				'see attached',
				'--b',
				'Content-Type: application/octet-stream',
				`Content-Disposition: attachment; ${dispositionName}`,
				extra,
				'',
				'data',
				'--b--',
				'',
			].join('\n'),
		);

	it('an RFC 2231 encoded name with U+202E and a path → no bidi, no path', async () => {
		const parsed = await parseMessage(
			mailWith("filename*=UTF-8''..%2F..%2Finvoice%E2%80%AEfdp.exe"),
		);
		expect(parsed.attachments[0].filename).toBe('invoicefdp.exe');
		expect(parsed.attachments[0].filenameGiven).toBe(true);
	});

	it('an encoded-word name of 1,000 characters → 255 bytes ending in .pdf', async () => {
		const long = Buffer.from(`${'r'.repeat(1000)}.pdf`).toString('base64');
		const parsed = await parseMessage(mailWith(`filename="=?UTF-8?B?${long}?="`));
		expect(bytes(parsed.attachments[0].filename)).toBe(255);
		expect(parsed.attachments[0].filename.endsWith('.pdf')).toBe(true);
	});

	it('a name of only bidi characters → made-up name', async () => {
		const parsed = await parseMessage(mailWith("filename*=UTF-8''%E2%80%AE%E2%80%AC"));
		expect(parsed.attachments[0].filename).toBe('attachment-1.bin');
		expect(parsed.attachments[0].filenameGiven).toBe(false);
	});

	it('a made-up name from a long Content-Description keeps its extension within 255 bytes', async () => {
		const parsed = await parseMessage(
			mailWith('x=y', `Content-Description: ${'Beschreibung\u202E '.repeat(40)}`),
		);
		const name = parsed.attachments[0].filename;
		expect(parsed.attachments[0].filenameGiven).toBe(false);
		expect(bytes(name)).toBeLessThanOrEqual(255);
		expect(name.endsWith('.bin')).toBe(true);
		expect(name).not.toMatch(/\u202E/);
	});
});

describe('#11.8 names stored on a case are safe too (mailActivityInput)', () => {
	it('a name that did not come through parseMessage is cleaned before the store sees it', () => {
		const built = mailActivityInput({
			messageId: '<m@x>',
			subject: 's',
			from: null,
			to: [],
			cc: [],
			text: '',
			html: null,
			attachments: [
				{
					filename: `..\\evil\u202Efdp.exe${'x'.repeat(300)}.pdf`,
					contentType: 'application/pdf',
					size: 1,
					content: Buffer.from('x'),
				},
				{ filename: '\u202E', contentType: 'text/plain', size: 1, content: Buffer.from('y') },
			],
		});
		const [first, second] = built.mail.attachments ?? [];
		expect(first.fileName).toMatch(/^evilfdp\.exex+\.pdf$/);
		expect(bytes(first.fileName)).toBe(255);
		expect(second.fileName).toBe('attachment-2');
	});
});

describe('#11.8 names sent on are safe too (forward, notification)', () => {
	const stranger = `evil\u202Efdp.exe${'y'.repeat(300)}.pdf`;

	it('a forwarded inline attachment gets the safe name', () => {
		const composed = composeForward(
			{
				subject: 's',
				text: 't',
				attachments: [
					{ filename: stranger, contentType: 'application/pdf', content: Buffer.from('x') },
				],
			},
			{ mode: 'inline' },
		);
		const name = composed.attachments?.[0].filename ?? '';
		expect(name).toMatch(/^evilfdp\.exey+\.pdf$/);
		expect(bytes(name)).toBe(255);
	});

	it('the .eml of a mail forwarded as attachment has no bidi or control characters in its name', () => {
		expect(emlFileName('Rechnung\u202Efdp.exe\u0007')).toBe('Rechnungfdp.exe.eml');
	});

	it('the notification lists the safe names', () => {
		const { text } = composeNotification({
			caseNumber: '2026-000001',
			mail: { subject: 's', attachments: [{ filename: stranger }, { filename: '\u202E' }] },
		});
		expect(text).not.toMatch(/\u202E/);
		expect(text).toMatch(/: 1: evilfdp\.exey+\.pdf\n/);
	});
});
