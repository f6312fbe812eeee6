/**
 * #11.2 attachments per mail: the first MAX_ATTACHMENTS (100) attachments are extracted, the
 * others counted in `attachmentsOmitted` with a note; a mail with more than MAX_MIME_PARTS (1000)
 * MIME parts is refused by the parser as soon as it meets part 1001 (quarantined by the trigger).
 */
import { MailCasesError } from '../../../lib/errors';
import { MAX_ATTACHMENTS, MAX_MIME_PARTS } from '../../../lib/mail/limits';
import { parseMessage } from '../../../lib/mail/parse-message';
import { eml } from './mail-builder';

/** A mail with a text part and `count` tiny attachments f0.txt, f1.txt, … */
function mailWithAttachments(count: number): Buffer {
	const parts = Array.from(
		{ length: count },
		(_, i) =>
			`--b\nContent-Type: text/plain\nContent-Disposition: attachment; filename="f${i}.txt"\n\n${i}`,
	);
	return eml(
		[
			'From: a@example.org',
			'Subject: many files',
			'Content-Type: multipart/mixed; boundary="b"',
			'',
			'--b',
			'Content-Type: text/plain',
			'',
			'body',
			...parts,
			'--b--',
			'',
		].join('\n'),
	);
}

describe('#11.2 attachments per mail', () => {
	it(`${MAX_ATTACHMENTS} attachments: all extracted, nothing omitted, no note`, async () => {
		const parsed = await parseMessage(mailWithAttachments(MAX_ATTACHMENTS));
		expect(parsed.attachments).toHaveLength(MAX_ATTACHMENTS);
		expect(parsed.attachmentsOmitted).toBe(0);
		expect(parsed.notes).toBeUndefined();
	});

	it(`${MAX_ATTACHMENTS + 1} attachments: the first ${MAX_ATTACHMENTS} in order, one omitted, with a note`, async () => {
		const parsed = await parseMessage(mailWithAttachments(MAX_ATTACHMENTS + 1));
		expect(parsed.attachments.map((a) => a.filename)).toEqual(
			Array.from({ length: MAX_ATTACHMENTS }, (_, i) => `f${i}.txt`),
		);
		expect(parsed.attachmentsOmitted).toBe(1);
		expect(parsed.notes).toEqual([
			'Only the first 100 of 101 attachments were extracted (limit 100 per mail); the other 1 is only in the original message.',
		]);
		expect(parsed.text.trim()).toBe('body');
	});

	it('as many attachments as the MIME part limit allows (997): 100 extracted, 897 omitted', async () => {
		// root multipart + text part + 997 attachments = 999 parts
		const parsed = await parseMessage(mailWithAttachments(MAX_MIME_PARTS - 3));
		expect(parsed.attachments).toHaveLength(MAX_ATTACHMENTS);
		expect(parsed.attachmentsOmitted).toBe(MAX_MIME_PARTS - 3 - MAX_ATTACHMENTS);
		expect(parsed.notes?.[0]).toMatch(/^Only the first 100 of 997 attachments were extracted/);
	});

	it('10,000 tiny parts: MESSAGE_UNPARSEABLE naming the MIME part limit (the parser stops at part 1001)', async () => {
		const error = await parseMessage(mailWithAttachments(10_000)).then(
			() => null,
			(e: unknown) => e,
		);
		expect(error).toBeInstanceOf(MailCasesError);
		expect((error as MailCasesError).code).toBe('MESSAGE_UNPARSEABLE');
		expect((error as MailCasesError).message).toBe(
			'The message cannot be parsed: it has more than 1000 MIME parts, the limit for one mail',
		);
	});
});
