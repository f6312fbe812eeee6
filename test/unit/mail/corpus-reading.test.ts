/**
 * Reading real mail over the shared corpus (issue #13 item 8; the corpus and its rules:
 * CONTRIBUTING.md, "Test data: the mail corpus"). Every message of INDEX.tsv is parsed once.
 *
 * - Text from HTML: a message whose HTML has text gets a non-empty `text` (28 corpus mails got
 *   none before: mailparser converts HTML only at the top level or beside a text part, see
 *   mailparser issues #243, #345, #398).
 * - No U+FFFD in text decoded from a known, declared charset: every text/* part declares a
 *   charset and all of them are known. The exclusions below are source mails that are really
 *   broken, each with its reason; they are asserted too, so a change shows up here.
 * - Named cases: mime4j's very-long-boundary.msg (a boundary ending in two spaces, see
 *   lib/mail/boundary-whitespace.ts) against mime4j's own expected part text; enmime's chardet
 *   cases (US-ASCII declared, 8-bit bytes: Big5 and ISO-8859-1), sisimai's ezweb bounces (EUC-JP
 *   declared as ISO-2022-JP), Alaveteli's part without a charset holding bad UTF-8, and
 *   adjacent ISO-2022-JP encoded words of ruby-mail and sisimai; no U+FFFD in any subject but
 *   two broken ones.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { TextDecoder } from 'node:util';
import * as iconv from 'iconv-lite';
import { htmlToText } from '../../../lib/mail/html-to-text';
import { parseMessage } from '../../../lib/mail/parse-message';
import type { ParsedMessage } from '../../../lib/mail/types';

const corpusDir = path.resolve(__dirname, '..', '..', '..', '..', 'shared', 'corpus');

function requireCorpus(): void {
	if (!fs.existsSync(path.join(corpusDir, 'INDEX.tsv'))) {
		throw new Error(
			`corpus not found at ${corpusDir} (expected INDEX.tsv there). The mail corpus lives beside the ` +
				'repository in ../shared/corpus; see CONTRIBUTING.md.',
		);
	}
}

/**
 * Mails with a declared, known charset whose text still holds U+FFFD, because the source is
 * broken (declared charsets win; see lib/mail/undeclared-charset.ts).
 */
const BROKEN_SOURCES: Record<string, string> = {
	'alaveteli/spec/fixtures/files/multiple-unquoted-display-names.eml':
		'declared UTF-8, the base64 body is not UTF-8',
	'alaveteli/spec/fixtures/files/part-without-charset-in-content-type.eml':
		'the text part declares UTF-8, its base64 body is not UTF-8',
	'enmime/testdata/mail/mime-bad-content-transfer-encoding.raw':
		'an unknown Content-Transfer-Encoding: the encoded bytes are read raw, as UTF-8 declared',
	'otrs-3.x/scripts/test/sample/EmailParser/PostMaster-Test14.box':
		'declared UTF-8, holds a Latin-1 © byte (the HTML meta says iso-8859-1)',
	'otrs-3.x/scripts/test/sample/PostMaster/PostMaster-Test14.box':
		'declared UTF-8, holds a Latin-1 © byte (the HTML meta says iso-8859-1)',
	'otrs-3.x/scripts/test/sample/EmailParser/PostMaster-Test17.box':
		'declared UTF-8, holds "Some wront encoding:" Latin-1 bytes on purpose',
	'otrs-3.x/scripts/test/sample/PostMaster/PostMaster-Test17.box':
		'declared UTF-8, holds "Some wront encoding:" Latin-1 bytes on purpose',
	'ruby-mail/spec/fixtures/emails/error_emails/content_transfer_encoding_empty.eml':
		'declared Big5, holds byte sequences that are no Big5',
	'sisimai-set-of-emails/maildir/bsd/rfc3464-08.eml':
		'declared UTF-8, the base64 body is binary (anonymised test data)',
	'sisimai-set-of-emails/maildir/bsd/rfc3464-66.eml':
		'a PNG image labelled as an ISO-8859-1 text part inside an attached message',
};

/** Mails whose subject holds U+FFFD however it is read, with the reason. */
const BROKEN_SUBJECTS: Record<string, string> = {
	'alaveteli/spec/fixtures/files/subject-bad-utf-8-trailing-quoted-printable.eml':
		'a UTF-8 encoded word ending in half a character (=F0), on purpose',
	'ruby-mail/spec/fixtures/emails/error_emails/must_supply_encoding.eml':
		'the raw subject holds U+FFFD itself (UTF-8 bytes EF BF BD)',
};

const CHARSET_PARAM = /charset\s*=\s*"?([^";\s]+)/gi;
const TEXT_PART = /^content-type:\s*text\//gim;

/** Every text part of the raw mail declares a charset and all declared charsets are known. */
function declaresKnownCharsets(raw: Buffer): boolean {
	const text = raw.toString('latin1');
	const charsets = [...text.matchAll(CHARSET_PARAM)].map((m) => m[1].toLowerCase());
	const textParts = [...text.matchAll(TEXT_PART)].length;
	return charsets.length > 0 && charsets.length >= textParts && charsets.every(isKnownCharset);
}

/** A charset iconv-lite (mailparser's decoder) or the WHATWG decoder (libmime's ISO-2022-JP) knows. */
function isKnownCharset(charset: string): boolean {
	if (iconv.encodingExists(charset)) return true;
	try {
		new TextDecoder(charset);
		return true;
	} catch {
		return false;
	}
}

interface Outcome {
	raw: Buffer;
	parsed?: ParsedMessage;
}

const outcomes = new Map<string, Outcome>();

beforeAll(async () => {
	if (!fs.existsSync(path.join(corpusDir, 'INDEX.tsv'))) return;
	const files = fs
		.readFileSync(path.join(corpusDir, 'INDEX.tsv'), 'utf8')
		.split('\n')
		.slice(1)
		.filter((line) => line.trim() !== '')
		.map((line) => line.split('\t'))
		.map(([source, file]) => `${source}/${file}`);
	for (const file of files) {
		const raw = fs.readFileSync(path.join(corpusDir, file));
		try {
			outcomes.set(file, { raw, parsed: await parseMessage(raw) });
		} catch {
			outcomes.set(file, { raw }); // refused mails are corpus.test.ts's business
		}
	}
}, 180_000);

function parsedOf(file: string): ParsedMessage {
	const parsed = outcomes.get(file)?.parsed;
	if (!parsed) throw new Error(`${file} is not in INDEX.tsv or did not parse`);
	return parsed;
}

describe('corpus: reading (issue #13 item 8)', () => {
	it('every message whose HTML has text gets a non-empty text', () => {
		requireCorpus();
		const empty: string[] = [];
		let htmlOnly = 0;
		for (const [file, { parsed }] of outcomes) {
			if (!parsed?.html) continue;
			if (htmlToText(parsed.html) === '') continue;
			htmlOnly++;
			if (parsed.text.trim() === '') empty.push(file);
		}
		expect(htmlOnly).toBeGreaterThan(100);
		expect(empty).toEqual([]);
	});

	it('the HTML-only mail of enmime and the multipart/related one of Horde get their text', () => {
		requireCorpus();
		expect(parsedOf('enmime/testdata/mail/html-only-inline.raw').text).toBe('Test of HTML section');
		expect(parsedOf('horde-mime/test/Unnamespaced/fixtures/related_msg.txt').text).not.toBe('');
	});

	it('no U+FFFD in text decoded from a known, declared charset (exclusions: broken sources)', () => {
		requireCorpus();
		const withReplacement: string[] = [];
		let checked = 0;
		for (const [file, { raw, parsed }] of outcomes) {
			if (!parsed || !declaresKnownCharsets(raw)) continue;
			checked++;
			if (parsed.text.includes('\ufffd') || parsed.subject.includes('\ufffd')) {
				withReplacement.push(file);
			}
		}
		expect(checked).toBeGreaterThan(500);
		expect(withReplacement.sort()).toEqual(Object.keys(BROKEN_SOURCES).sort());
	});

	it('no U+FFFD in any subject of the corpus but the broken ones', () => {
		requireCorpus();
		const withReplacement = [...outcomes]
			.filter(([, { parsed }]) => parsed?.subject.includes('\ufffd'))
			.map(([file]) => file);
		expect(withReplacement.sort()).toEqual(Object.keys(BROKEN_SUBJECTS).sort());
	});

	it('adjacent ISO-2022-JP encoded words: ruby-mail example14, sisimai exchange2007-04', () => {
		requireCorpus();
		// each word switches back to ASCII before the next one switches to JIS X 0208
		const { subject } = parsedOf('ruby-mail/spec/fixtures/emails/rfc2822/example14.eml');
		expect(subject).toMatch(/^Re: TEST\s+テストテスト$/);
		// a character split over two words
		const bounce = parsedOf('sisimai-set-of-emails/maildir/bsd/lhost-exchange2007-04.eml');
		// (the last word ends in an encoded line break, which becomes a space)
		expect(bounce.subject).toBe('Undeliverable: キジトラ・フラッシュ/ニャーン ');
	});

	it("sisimai's ezweb bounces: EUC-JP declared as 7-bit ISO-2022-JP are read as EUC-JP", () => {
		requireCorpus();
		for (const n of ['02', '03', '04', '05']) {
			const { text } = parsedOf(`sisimai-set-of-emails/maildir/bsd/lhost-ezweb-${n}.eml`);
			expect(text).not.toContain('\ufffd');
		}
		expect(parsedOf('sisimai-set-of-emails/maildir/bsd/lhost-ezweb-02.eml').text).toContain(
			'次のあて先へのメッセージはエラーのため送信できませんでした。',
		);
	});

	it("mime4j's very-long-boundary.msg: the whole part, the look-alike line kept, no closing boundary", () => {
		requireCorpus();
		const dir = 'james-mime4j/core/src/test/resources/testmsgs';
		const expected = fs
			.readFileSync(path.join(corpusDir, dir, 'very-long-boundary_decoded_1_1.txt'), 'latin1')
			.replace(/\r\n/g, '\n');
		const { text } = parsedOf(`${dir}/very-long-boundary.msg`);
		expect(text.trimEnd()).toBe(expected.trimEnd());
		expect(text).not.toContain('epilogue');
	});

	it("enmime's chardet cases: US-ASCII declared, 8-bit bytes → detected (Big5, ISO-8859-1)", () => {
		requireCorpus();
		const latin = parsedOf('enmime/testdata/parts/chardet-success-iso-8859-1.raw').text;
		expect(latin).toContain('DIE Drachenköpfe unserer Boote');
		expect(latin).toContain('dreißig Kilometer');
		const big5 = parsedOf('enmime/testdata/parts/chardet-success-big-5.raw').text;
		expect(big5).not.toContain('\ufffd');
		expect(big5).toContain('吾觀近古以來，尤精妙者，唯京房、管輅、郭璞耳');
	});

	it("Alaveteli's no-part-charset-bad-utf8.eml: no charset, not UTF-8 → read without U+FFFD", () => {
		requireCorpus();
		const { text } = parsedOf('alaveteli/spec/fixtures/files/no-part-charset-bad-utf8.eml');
		expect(text).not.toContain('\ufffd');
		expect(text.length).toBeGreaterThan(0);
	});
});
