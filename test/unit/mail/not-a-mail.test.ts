/**
 * #11.5 "Only mail is mail": binary files and header-less input are refused with NOT_AN_EMAIL
 * ("not an e-mail message" and what was seen) before the MIME parser runs; real mail with odd
 * but harmless starts (mbox line, trace fields first, MIME-only headers, junk first line) is not.
 * The whole shared corpus is checked in corpus.test.ts.
 */
import { MailCasesError } from '../../../lib/errors';
import { assertEmailMessage, notAnEmailReason } from '../../../lib/mail/not-a-mail';
import { parseMessage } from '../../../lib/mail/parse-message';
import {
	elfExecutable,
	gzipFile,
	jpegImage,
	oleCompoundFile,
	pdfDocument,
	pngImage,
	seededBytes,
	zipArchive,
} from '../../support/binary-files';
import { eml, simpleMail } from './mail-builder';

/** What Dovecot LMTP / Postfix put in front of whatever they deliver. */
const DELIVERY_FIELDS = Buffer.from(
	[
		'Return-Path: <sender@external.test>',
		'Delivered-To: support@example.test',
		'Received: from mx.external.test ([127.0.0.1])',
		'\tby mail.example.test with LMTP id 4tQ; Fri, 04 Dec 2026 17:00:00 +0000',
		'',
	].join('\r\n'),
);
const delivered = (blob: Buffer) => Buffer.concat([DELIVERY_FIELDS, blob]);

/** The MailCasesError parseMessage rejects with. */
const parseError = (raw: Buffer): Promise<MailCasesError> =>
	parseMessage(raw).then(
		() => Promise.reject(new Error('parseMessage did not throw')),
		(error: unknown) => {
			expect(error).toBeInstanceOf(MailCasesError);
			return error as MailCasesError;
		},
	);

const FILES: Array<[string, () => Buffer, RegExp]> = [
	[
		'an OLE compound file (Outlook .msg)',
		() => oleCompoundFile(),
		/OLE compound file signature \(an Outlook \.msg file/,
	],
	['a ZIP archive', () => zipArchive(), /ZIP archive signature/],
	['a PDF document', () => pdfDocument(), /PDF document signature/],
	['a gzip file', () => gzipFile(), /gzip signature/],
	['a PNG image', () => pngImage(), /PNG image signature/],
	['a JPEG image', () => jpegImage(), /JPEG image signature/],
	['an ELF executable', () => elfExecutable(), /ELF executable signature/],
];

describe('#11.5 binary files are not mail', () => {
	it.each(FILES)(
		'%s at offset 0 → NOT_AN_EMAIL naming the signature',
		async (_name, build, seen) => {
			const error = await parseError(build());
			expect(error.code).toBe('NOT_AN_EMAIL');
			expect(error.message).toMatch(/^Not an e-mail message: it starts with /);
			expect(error.message).toMatch(seen);
		},
	);

	it.each(FILES)(
		'%s behind the fields a server adds on delivery → NOT_AN_EMAIL',
		async (_name, build, seen) => {
			const error = await parseError(delivered(build()));
			expect(error.code).toBe('NOT_AN_EMAIL');
			expect(error.message).toMatch(
				/its content starts with .+ after 3 header fields added on delivery/,
			);
			expect(error.message).toMatch(seen);
		},
	);

	it('behind an mbox "From " line as well', () => {
		const mbox = Buffer.concat([
			Buffer.from('From sender@external.test Fri Dec  4 17:00:00 2026\n'),
			oleCompoundFile(),
		]);
		expect(notAnEmailReason(mbox)).toMatch(/^it starts with an OLE compound file signature/);
	});

	it('a file attached to a real mail is fine: the signature only counts where the message starts', async () => {
		const pdf = pdfDocument();
		const mail = Buffer.concat([
			eml(
				'From: a@example.org\nSubject: Rechnung\nContent-Type: application/pdf\nContent-Disposition: attachment; filename="r.pdf"\n\n',
			),
			pdf,
		]);
		const parsed = await parseMessage(mail);
		expect(parsed.subject).toBe('Rechnung');
		expect(parsed.attachments[0].content.equals(pdf)).toBe(true);
	});

	it('100 seeded random inputs (64 KB each), bare and behind delivery fields: every one refused', () => {
		const accepted: string[] = [];
		for (let seed = 1; seed <= 100; seed++) {
			const bytes = seededBytes(64 * 1024, seed);
			if (notAnEmailReason(bytes) === null) accepted.push(`bare ${seed}`);
			if (notAnEmailReason(delivered(bytes)) === null) accepted.push(`delivered ${seed}`);
		}
		expect(accepted).toEqual([]);
	});

	it('random bytes through parseMessage: NOT_AN_EMAIL, never emitted as text', async () => {
		const error = await parseError(delivered(seededBytes(135 * 1024, 4711)));
		expect(error.code).toBe('NOT_AN_EMAIL');
		expect(error.message).toMatch(/^Not an e-mail message: /);
		expect(error.details).toMatchObject({ size: 135 * 1024 + DELIVERY_FIELDS.length });
	});

	it('NUL bytes in the header section → binary, even next to mail fields', () => {
		expect(notAnEmailReason(eml('From: a@example.org\nSubject: x\0y\n\nbody'))).toBe(
			'its header section holds NUL bytes (binary data, not text)',
		);
		// UTF-16 text: every other byte is NUL
		expect(
			notAnEmailReason(Buffer.from('From: a@example.org\r\nSubject: hi\r\n\r\nbody', 'utf16le')),
		).toMatch(/NUL bytes/);
	});

	it('a header section that is mostly control characters is not text', () => {
		const noisy = Buffer.concat([
			Buffer.from('From: a@example.org\r\nX-Junk: '),
			Buffer.alloc(200, 0x01),
			Buffer.from('\r\n\r\nb'),
		]);
		expect(notAnEmailReason(noisy)).toMatch(
			/^its header section is mostly not text \(200 control characters in \d+ bytes\)$/,
		);
	});
});

describe('#11.5 input without the header section of a mail', () => {
	it.each([
		['empty input', Buffer.alloc(0), 'it is empty'],
		[
			'a text file',
			eml('Dear team,\nplease find the report below.\n\nRegards\n'),
			'it has no header section (its first line is not a header field)',
		],
		[
			'a leading empty line (RFC 5322: empty header section)',
			eml('\nFrom: a@example.org\nSubject: x\n\nbody\n'),
			'it has no header section (it starts with an empty line)',
		],
		['only blank lines', eml('\n\n\n'), 'it has no header section (it starts with an empty line)'],
		[
			'a text whose first line has a colon',
			eml('Note: call back tomorrow\nThanks\n'),
			/^its only header field is not one a mail has/,
		],
		[
			'only the trace fields a server adds',
			delivered(eml('\nplain text, no header\n')),
			/^none of its 3 header fields is one a mail has/,
		],
		[
			'a CSV file',
			eml('id;name;amount\n1;Meier;12.50\n2;Schulz;7.00\n'),
			'it has no header section (its first line is not a header field)',
		],
	])('%s → not a mail', (_name, raw, reason) => {
		const got = notAnEmailReason(raw);
		if (typeof reason === 'string') expect(got).toBe(reason);
		else expect(got).toMatch(reason);
		expect(() => assertEmailMessage(raw)).toThrow(/^Not an e-mail message: /);
	});
});

describe('#11.5 real mail with odd starts stays mail (corpus edge cases)', () => {
	it.each([
		['a normal mail', simpleMail()],
		[
			'an mbox "From " line first',
			eml(
				'From erika@example.org Tue Mar  3 10:15:00 2026\nFrom: erika@example.org\nSubject: x\n\nbody\n',
			),
		],
		['trace fields first, then the mail', delivered(simpleMail())],
		[
			'only Received and Content-Type (a message cut down to its MIME part)',
			eml('Received: by 10.0.0.1 with HTTP\nContent-Type: text/plain\n\nHELLO\n'),
		],
		['only MIME-Version', eml('MIME-Version: 1.0\n\nbody\n')],
		["only To (a script's mail)", eml('To: support@example.com\n\nDisk full\n')],
		[
			'a line of blanks before the fields (flanker fixtures)',
			eml(`${' '.repeat(60)}\nFrom: a@example.org\nSubject: x\n\nb\n`),
		],
		[
			'a byte-order mark before From (mimekit feedback-report)',
			Buffer.concat([
				Buffer.from([0xef, 0xbb, 0xbf]),
				eml(
					'From: <abuse@example.com>\nDate: Thu, 1 Jan 2026 00:00:00 +0000\nSubject: report\n\nb\n',
				),
			]),
		],
		[
			'raw ISO-2022-JP subject (ESC sequences)',
			Buffer.from('From: a@example.jp\r\nSubject: \x1b$B$3$s$K$A$O\x1b(B\r\n\r\nb', 'latin1'),
		],
		['CR-only line ends', Buffer.from('From: a@example.org\rSubject: mac\r\rbody\r', 'latin1')],
		[
			'NUL bytes in the body only',
			Buffer.concat([
				eml('From: a@example.org\nSubject: bin\nContent-Type: application/octet-stream\n\n'),
				Buffer.alloc(64, 0),
			]),
		],
		[
			'a body that is a PDF (no MIME wrapper)',
			Buffer.concat([eml('From: a@example.org\nSubject: pdf\n\n'), pdfDocument()]),
		],
		[
			'a 1 MB header section of ordinary fields',
			eml(`${'X-Filler: abcdefghij\n'.repeat(45_000)}From: a@example.org\n\nb\n`),
		],
	])('%s', (_name, raw) => {
		expect(notAnEmailReason(raw)).toBeNull();
		expect(() => assertEmailMessage(raw)).not.toThrow();
	});
});
