/**
 * #11.1 adversarial suite, mail side: every function that applies patterns to mail text gets a
 * generated worst case of at least 1 MB (test/support/hostile-inputs.ts: long runs of what a
 * quantifier repeats, ambiguous split points, no terminator) and must return the right result.
 * No timing asserts: a super-linear pattern makes a test run for minutes to hours, and the
 * per-test timeout turns that into a failure instead of a hung CI job.
 */
import { classifyMessage } from '../../../lib/mail/classify';
import { htmlToText } from '../../../lib/mail/html-to-text';
import { decodeEncodedWords } from '../../../lib/mail/encoded-words';
import { bracketedMessageId, messageIdsIn } from '../../../lib/mail/message-id';
import { parseMessage, parseMessageHeaders } from '../../../lib/mail/parse-message';
import { ownText, quotedContentStart, stripQuotedReply } from '../../../lib/mail/quoted-text';
import { sanitizeMailHtml } from '../../../lib/mail/sanitize-html';
import { cleanSubject, normalizeSubject, splitSubjectPrefix } from '../../../lib/mail/subject';
import * as h from '../../support/hostile-inputs';

const MB = h.MB;
jest.setTimeout(60_000);

/** A header section with `from` and `extra` fields, parsed, plus body fields. */
function message(from: string, extra: { subject?: string; text?: string }, headers = '') {
	const section = parseMessageHeaders(Buffer.from(`From: ${from}\r\n${headers}\r\n`));
	return { ...section, ...extra };
}

describe('#11.1 hostile: sanitize-html (CSS value pattern, URL trimming)', () => {
	it('#11.1 hostile: 1 MB of style values that almost fit the CSS pattern are dropped, text kept', () => {
		const out = sanitizeMailHtml(h.cssStyles(MB)).html;
		expect(out).not.toContain('style');
		expect(out).toBe('<span>x</span>'.repeat(h.repeats(h.CSS_UNIT, MB)));
	});

	it('#11.1 hostile: one 1 MB style attribute (past the 200-character cap) is dropped', () => {
		expect(sanitizeMailHtml(h.cssHugeStyle(MB)).html).toBe('<p>y</p>');
	});

	it('#11.1 hostile: a 1 MB run of controls before javascript: leaves no link', () => {
		expect(sanitizeMailHtml(h.urlControls(MB)).html).toBe('<a>z</a>');
	});

	it('#11.1 hostile: 1 MB of an unclosed tag, open character references, attributes, an open comment', () => {
		expect(sanitizeMailHtml(h.htmlUnclosedTag(MB)).html).toBe('x');
		expect(sanitizeMailHtml(h.htmlOpenEntities(MB)).html).toBe(
			`${'&amp;#x'.repeat(h.repeats('&#x', MB))}z`,
		);
		expect(sanitizeMailHtml(h.htmlManyAttributes(MB)).html).toBe('x<p style="color:red">y</p>');
		expect(sanitizeMailHtml(h.htmlOpenComment(MB)).html).toBe('x');
	});

	it('#11.1 hostile: the linear CSS pattern still keeps colours, lengths, !important, rgb()', () => {
		const style = 'color: rgb(1, 2, 3); margin: 1px 2px !important; font-size: +1.5em';
		expect(sanitizeMailHtml(`<span style="${style}">k</span>`).html).toBe(
			'<span style="color:rgb(1, 2, 3);margin:1px 2px !important;font-size:+1.5em">k</span>',
		);
	});
});

describe('#11.1 hostile: subjects (prefixes, references, encoded words)', () => {
	it('#11.1 hostile: 1 MB of repeated prefixes and tags is stripped to the subject', () => {
		expect(normalizeSubject(h.subjectPrefixes(MB))).toBe('Frage');
		const parts = splitSubjectPrefix(h.subjectPrefixes(MB));
		expect(parts.rest).toBe('Frage');
		expect(parts.prefix).toBe(h.fill(h.PREFIX_UNIT, MB));
	});

	it('#11.1 hostile: 1 MB of alternating prefixes and references keeps every reference in front', () => {
		const count = h.repeats(h.REFERENCE_UNIT, MB);
		expect(normalizeSubject(h.subjectReferences(MB))).toBe(
			`${Array(count).fill('[#2026-000123]').join(' ')} Frage`,
		);
		expect(normalizeSubject(h.subjectReferences(MB), { removeCaseReferences: true })).toBe('Frage');
	});

	it('#11.1 hostile: a prefix word, 1 MB of blanks and an unclosed counter is no prefix', () => {
		expect(splitSubjectPrefix(h.subjectBlankPrefix(MB))).toEqual({ prefix: '', rest: 'Re [1 x' });
	});

	it('#11.1 hostile: an encoded word that never ends stays as written (the decoder and subject cleaning)', () => {
		const open = h.unterminatedEncodedWord(MB);
		expect(decodeEncodedWords(open)).toBe(open);
		expect(cleanSubject(open)).toBe(open);
	});

	it('#11.1 hostile: 1 MB of adjacent encoded words is decoded and joined', () => {
		const count = h.repeats(h.ENCODED_UNIT, MB);
		expect(decodeEncodedWords(h.encodedWords(MB))).toBe(`${'ä'.repeat(count)} `);
		expect(cleanSubject(h.encodedWords(MB))).toBe('ä'.repeat(count));
	});
});

describe('#11.1 hostile: quoted text (separator lines, attributions, header blocks)', () => {
	it('#11.1 hostile: 1 MB separator-like lines without title or closing fill are the sender’s text', () => {
		for (const text of [h.fillLine(MB), h.titleThenBlanks(MB), h.onlyFill(MB)]) {
			expect(quotedContentStart(text)).toBe(-1);
			expect(ownText(text)).toBe(text);
		}
	});

	it('#11.1 hostile: a separator whose fill and blanks are 1 MB wide still starts the quote', () => {
		expect(quotedContentStart(h.wideSeparator(MB))).toBe(1);
		expect(stripQuotedReply(h.wideSeparator(MB))).toBe('Text');
	});

	it('#11.1 hostile: 1 MB of attribution-like lines without a colon is no attribution', () => {
		const text = h.attributionLines(MB);
		expect(quotedContentStart(text)).toBe(-1);
		expect(ownText(text)).toBe(text.trimEnd());
	});

	it('#11.1 hostile: 1 MB of From: lines without Sent/To/Subject is no header block', () => {
		const text = h.headerLines(MB);
		expect(quotedContentStart(text)).toBe(-1);
		expect(ownText(text)).toBe(text.trimEnd());
	});

	it('#11.1 hostile: a 1 MB run of blanks inside a line is kept', () => {
		expect(ownText(h.blankRun(MB))).toBe(h.blankRun(MB));
	});
});

describe('#11.1 hostile: html→text', () => {
	it('#11.1 hostile: a 1 MB run of blanks in <pre> before a character is kept', () => {
		expect(htmlToText(h.htmlBlankRun(MB))).toBe(`a${h.fill(' ', MB)}b`);
	});

	it('#11.1 hostile: 1 MB of line breaks collapse to one blank line', () => {
		expect(htmlToText(h.htmlNewlines(MB))).toBe('a\n\nb');
	});

	it('#11.1 hostile: 1 MB of an unclosed tag, open character references, attributes, an open comment', () => {
		expect(htmlToText(h.htmlUnclosedTag(MB))).toBe('x');
		expect(htmlToText(h.htmlOpenEntities(MB))).toBe(h.htmlOpenEntities(MB));
		expect(htmlToText(h.htmlManyAttributes(MB))).toBe('x\ny');
		expect(htmlToText(h.htmlOpenComment(MB))).toBe('x');
	});

	it('#11.1 hostile: 1 MB of blocks with trailing blanks: every line without them', () => {
		const count = h.repeats(h.HTML_UNIT, MB);
		expect(htmlToText(h.htmlBlocks(MB))).toBe(Array(count).fill('Name = Wert\nx').join('\n'));
	});
});

describe('#11.1 hostile: classification (subject words, report bodies)', () => {
	it('#11.1 hostile: 1 MB of near misses of bounce subject words from a person is normal', () => {
		const result = classifyMessage(message('max@example.com', { subject: h.bounceSubject(MB) }));
		expect(result).toEqual({ class: 'normal', reasons: [] });
	});

	it('#11.1 hostile: 1 MB of near misses of an auto-reply keyword is normal', () => {
		const result = classifyMessage(message('max@example.com', { subject: h.keywordSubject(MB) }));
		expect(result).toEqual({ class: 'normal', reasons: [] });
	});

	it('#11.1 hostile: a bounce with a quoted Message-Id behind 1 MB of > and blanks: id and status found', () => {
		const result = classifyMessage(
			message('MAILER-DAEMON@example.com', { subject: 'Undelivered', text: h.quotedIdText(MB) }),
		);
		expect(result.class).toBe('bounce');
		expect(result.bouncedMessageId).toBe('<orig@example.com>');
		expect(result.bounce).toEqual({ status: '5.1.1', permanent: true });
	});

	it('#11.1 hostile: an SES notification whose 1 MB diagnostic never ends is still a bounce', () => {
		const result = classifyMessage(
			message('no-reply@sns.amazonaws.com', { text: h.sesText(MB) }, 'X-Amz-Sns-Message-Id: 1\r\n'),
		);
		expect(result.class).toBe('bounce');
	});

	it('#11.1 hostile: a delivery-status text with 1 MB of blanks and continuation lines: status read', () => {
		const result = classifyMessage(
			message('MAILER-DAEMON@example.com', { subject: 'Undelivered', text: h.deliveryStatus(MB) }),
		);
		expect(result.class).toBe('bounce');
		expect(result.bounce?.status).toBe('5.1.1');
	});
});

describe('#11.1 hostile: header sections and Message-IDs', () => {
	it('#11.1 hostile: a header section with 1 MB of hostile fields parses to empty values', () => {
		const headers = parseMessageHeaders(h.hostileHeaderSection(MB));
		expect(headers.from).toBeNull();
		expect(headers.messageId).toBeNull();
		expect(headers.references).toEqual([]);
		expect(headers.date).toBe('2026-12-01T10:00:00.000Z');
		// the section is cut at 1 MiB (MAX_HEADER_SECTION_BYTES), inside the folded Subject
		expect(headers.subject.startsWith('Re: a Re: a ')).toBe(true);
		expect(headers.subject.split('Re: a ').length).toBeGreaterThan(8_000);
	});

	it('#11.1 hostile: 1 MB of unclosed < gives no Message-ID; a run of > is kept inside the id', () => {
		expect(messageIdsIn(h.messageIdOpen(MB))).toEqual([]);
		expect(bracketedMessageId(h.messageIdClose(MB))).toBe(`<${h.messageIdClose(MB)}>`);
		expect(bracketedMessageId(`<<<id@x${'>'.repeat(MB)}`)).toBe('<id@x>');
	});

	it('#11.1 hostile: a whole mail with a 1 MB quoted-printable body of soft breaks parses', async () => {
		const parsed = await parseMessage(h.hostileMail(MB));
		expect(parsed.subject).toBe('Re: [#2026-000123] Frage');
		expect(parsed.text?.startsWith('Status = offen')).toBe(true);
		expect(parsed.text?.trimEnd().endsWith('Ende')).toBe(true);
	});
});
