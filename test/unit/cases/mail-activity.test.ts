import { createHash } from 'node:crypto';
import {
	formatMailAddress,
	mailActivityInput,
	type MailForActivity,
} from '../../../lib/cases/mail-activity';
import { mailLedgerKey } from '../../../lib/cases/mail-ledger-key';

const png = Buffer.from('89504e470d0a1a0a', 'hex');

function mail(overrides: Partial<MailForActivity> = {}): MailForActivity {
	return {
		messageId: '<m1@kunde.example>',
		subject: 'AW: [#2026-000001] Reklamation',
		from: { address: 'joerg@kunde.example', name: 'Jörg "JM" Müller' },
		to: [{ address: 'service@firma.example', name: '' }],
		cc: [],
		text: 'Name = Mustermann',
		html: '<p onclick="x()">Hallo<script>alert(1)</script><img src="cid:logo@kunde"><img src="https://tracker.example/p.gif"></p>',
		attachments: [
			{
				filename: 'Überweisung März.pdf',
				contentType: 'application/pdf',
				size: 4,
				content: Buffer.from('%PDF'),
			},
			{
				filename: 'logo.png',
				contentType: 'image/png',
				size: png.length,
				content: png,
				contentId: 'logo@kunde',
			},
		],
		...overrides,
	};
}

describe('R-PROC-2: a mail as activity content', () => {
	test('HTML is sanitised: no script, no handlers, no remote images; cid images stay and their part is kept', () => {
		const built = mailActivityInput(mail());
		expect(built.mail.html).toContain('src="cid:logo@kunde"');
		expect(built.mail.html).not.toMatch(/script|onclick|tracker\.example/);
		expect(built.blockedImages).toBe(1);
		expect(built.mail.attachments).toEqual([
			{
				fileName: 'Überweisung März.pdf',
				contentType: 'application/pdf',
				content: Buffer.from('%PDF'),
				size: 4,
				contentId: null,
			},
			{
				fileName: 'logo.png',
				contentType: 'image/png',
				content: png,
				size: png.length,
				contentId: 'logo@kunde',
			},
		]);
		expect(built.mail).toMatchObject({
			messageId: '<m1@kunde.example>',
			from: '"Jörg \\"JM\\" Müller" <joerg@kunde.example>',
			to: ['service@firma.example'],
			text: 'Name = Mustermann',
		});
	});

	test('remote images only on request; HTML can be left out', () => {
		expect(mailActivityInput(mail(), { allowRemoteImages: true }).mail.html).toContain(
			'tracker.example',
		);
		expect(mailActivityInput(mail(), { keepHtml: false }).mail.html).toBeNull();
	});

	test('over the store limit: metadata only when asked, else the content goes to the store (which refuses)', () => {
		const meta = mailActivityInput(mail(), { oversized: 'metadata', maxAttachmentBytes: 5 });
		expect(meta.attachmentsWithoutContent).toBe(true);
		expect(meta.mail.attachments?.map((a) => [a.content, a.size])).toEqual([
			[null, 4],
			[null, png.length],
		]);
		const strict = mailActivityInput(mail(), { oversized: 'error', maxAttachmentBytes: 5 });
		expect(strict.attachmentsWithoutContent).toBe(false);
		expect(strict.mail.attachments?.[0].content).toEqual(Buffer.from('%PDF'));
		expect(
			mailActivityInput(mail(), { oversized: 'metadata', maxAttachmentBytes: 1000 })
				.attachmentsWithoutContent,
		).toBe(false);
	});

	test('addresses: bare without a name, quoted with one', () => {
		expect(formatMailAddress({ address: 'a@b.example', name: '' })).toBe('a@b.example');
		expect(formatMailAddress({ address: 'a@b.example', name: 'Müller, Jörg' })).toBe(
			'"Müller, Jörg" <a@b.example>',
		);
		expect(formatMailAddress(null)).toBeNull();
	});
});

describe('R-PLUS-2: the ledger key of a mail item', () => {
	const raw = Buffer.from('Subject: x\r\n\r\nbody');
	const hash = createHash('sha256').update(raw).digest('hex');

	test("Message-ID first, then the trigger's raw hash, then the raw bytes — hash and bytes give the same key", () => {
		expect(mailLedgerKey({ messageId: '<a@b>', rawHash: hash })).toBe('mid:a@b');
		expect(mailLedgerKey({ messageId: null, rawHash: hash })).toBe(`sha256:${hash}`);
		expect(mailLedgerKey({ messageId: '<>', raw })).toBe(`sha256:${hash}`);
	});

	test('a mail with none of them is refused', () => {
		expect(() => mailLedgerKey({ messageId: null, rawHash: 'nothex' })).toThrow(/no Message-ID/);
	});
});
