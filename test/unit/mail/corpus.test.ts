/**
 * The shared real-world corpus (about 1,500 messages from the test suites of other mail
 * software, see ../shared/corpus/README.md) through parseMessage + classifyMessage.
 *
 * - Every message must parse and classify (a failure names the file).
 * - Expected results are asserted where the corpus has them: Zammad mailNNN.yml (from,
 *   subject, attachment names, body), Zammad's out-of-office header sets, and sisimai's
 *   bounce expectations (class per file, DSN status class).
 * - Exclusions are listed below with the reason; each one is asserted too (the class we give),
 *   so a change in behaviour shows up here.
 *
 * The corpus is test data only (several sources are GPL/AGPL): it is read from its place
 * beside the repository, never copied into it. Without it this test fails.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as yaml from 'js-yaml';
import { MailCasesError } from '../../../lib/errors';
import { classifyMessage } from '../../../lib/mail/classify';
import { parseMessage, parseMessageHeaders } from '../../../lib/mail/parse-message';
import type { Classification, MailClass, ParsedMessage } from '../../../lib/mail/types';

const repoRoot = path.resolve(__dirname, '..', '..', '..');
const corpusDir = path.resolve(repoRoot, '..', 'shared', 'corpus');
const corpusPresent = fs.existsSync(path.join(corpusDir, 'INDEX.tsv'));

function requireCorpus(): void {
	if (!corpusPresent) {
		throw new Error(
			`corpus not found at ${corpusDir} (expected INDEX.tsv there). The mail corpus lives beside the ` +
				'repository in ../shared/corpus; see CONTRIBUTING.md.',
		);
	}
}

const readTsv = (file: string): string[][] =>
	fs
		.readFileSync(path.join(corpusDir, file), 'utf8')
		.split('\n')
		.slice(1)
		.filter((line) => line.trim() !== '')
		.map((line) => line.split('\t'));

interface Outcome {
	parsed?: ParsedMessage;
	result?: Classification;
	error?: string;
}

/** Corpus-relative path → outcome, filled once in beforeAll. */
const outcomes = new Map<string, Outcome>();
let messageFiles: string[] = [];

async function run(relative: string): Promise<Outcome> {
	try {
		const parsed = await parseMessage(fs.readFileSync(path.join(corpusDir, relative)));
		return { parsed, result: classifyMessage(parsed) };
	} catch (error) {
		return { error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) };
	}
}

function outcome(relative: string): Outcome {
	const found = outcomes.get(relative);
	if (!found) throw new Error(`${relative} is not in INDEX.tsv`);
	return found;
}

function classOf(relative: string): MailClass | string {
	const { result, error } = outcome(relative);
	return result ? result.class : `error: ${error}`;
}

beforeAll(async () => {
	if (!corpusPresent) return;
	messageFiles = readTsv('INDEX.tsv').map(([source, file]) => `${source}/${file}`);
	for (const file of messageFiles) outcomes.set(file, await run(file));
}, 180_000);

afterAll(() => {
	if (!corpusPresent) return;
	const counts: Record<string, number> = {};
	for (const { result } of outcomes.values())
		counts[result?.class ?? 'error'] = (counts[result?.class ?? 'error'] ?? 0) + 1;
	console.info(
		`corpus: ${outcomes.size} messages, classes ${JSON.stringify(counts)}; ${summary.join('; ')}`,
	);
});
const summary: string[] = [];

/**
 * Corpus files listed as messages that have no header section at all (#11.5): text or bytes
 * kept by their suites to test a parser's fallback. parseMessage refuses them with NOT_AN_EMAIL;
 * every other listed message (MIME parts with only Content-Type included) must parse.
 */
const NOT_MAIL: Record<string, string> = {
	'cpython-email/Lib/test/test_email/data/msg_19.txt': 'a mailing-list digest body without headers',
	'enmime/testdata/mail/erroneous.raw': '"// Not an RFC-822 Document"',
	'horde-mime/test/Unnamespaced/fixtures/bug12842_b.txt':
		'starts with an empty line: empty header section',
	'horde-mime/test/Unnamespaced/fixtures/flowed_msg.txt': 'lorem ipsum text',
	'horde-mime/test/Unnamespaced/fixtures/mime_part_v1.txt':
		'a base64 string (a serialised PHP object)',
	'horde-mime/test/Unnamespaced/fixtures/uudecode.txt': 'starts with an empty line; uuencoded text',
	'james-mime4j/core/src/test/resources/testmsgs/malformedHeader-noheader.msg':
		'"a simple message not having headers"',
	'james-mime4j/core/src/test/resources/testmsgs/malformedHeaderStartsBody-noheader.msg':
		'"a simple message not having headers"',
	'request-tracker-rt/t/data/emails/lorem-ipsum': 'lorem ipsum text',
	'sisimai-set-of-emails/mailbox/size-0': 'empty file',
	'sisimai-set-of-emails/mailbox/size-1': 'one blank',
	'sisimai-set-of-emails/mailbox/size-2': '"22"',
};

describe('corpus: every message', () => {
	it('the corpus is present beside the repository', () => {
		requireCorpus();
		expect(messageFiles.length).toBeGreaterThan(1500);
		const missing = messageFiles.filter((file) => !fs.existsSync(path.join(corpusDir, file)));
		expect(missing).toEqual([]);
	});

	it('R-PLUS-6: parses and classifies without an error (except the files that are no mail, #11.5)', () => {
		requireCorpus();
		const failures = [...outcomes]
			.filter(([file, o]) => o.error !== undefined && !NOT_MAIL[file])
			.map(([file, o]) => `${file}: ${o.error}`);
		expect(failures).toEqual([]);
	});

	it('#11.5 only mail is mail: exactly the listed header-less files are refused as "not an e-mail message"', () => {
		requireCorpus();
		const refused = [...outcomes]
			.filter(([, o]) => o.error?.includes('Not an e-mail message'))
			.map(([file]) => file)
			.sort();
		expect(refused).toEqual(Object.keys(NOT_MAIL).sort());
	});

	it('the cheap header-only path gives the same header fields as the full parse', () => {
		requireCorpus();
		const differences: string[] = [];
		for (const file of messageFiles) {
			const { parsed } = outcome(file);
			if (!parsed) continue;
			const head = parseMessageHeaders(fs.readFileSync(path.join(corpusDir, file)));
			const {
				text: _text,
				html: _html,
				attachments: _attachments,
				attachmentsOmitted: _omitted,
				notes: _notes,
				...fullHead
			} = parsed;
			if (JSON.stringify(head) !== JSON.stringify(fullHead)) differences.push(file);
		}
		expect(differences).toEqual([]);
	});

	it('every other corpus file (expectations, licences, notes) is handled as garbage input without a crash', async () => {
		requireCorpus();
		const listed = new Set(messageFiles);
		const others: string[] = [];
		const walk = (dir: string) => {
			for (const entry of fs.readdirSync(path.join(corpusDir, dir), { withFileTypes: true })) {
				const relative = dir ? `${dir}/${entry.name}` : entry.name;
				if (entry.isDirectory()) walk(relative);
				else if (!listed.has(relative)) others.push(relative);
			}
		};
		walk('');
		expect(others.length).toBeGreaterThan(100);
		const failures: string[] = [];
		for (const file of others) {
			try {
				const parsed = await parseMessage(fs.readFileSync(path.join(corpusDir, file)));
				classifyMessage(parsed);
			} catch (error) {
				const known =
					error instanceof MailCasesError &&
					['MESSAGE_UNPARSEABLE', 'MESSAGE_TOO_LARGE', 'NOT_AN_EMAIL'].includes(error.code);
				if (!known)
					failures.push(`${file}: ${error instanceof Error ? error.message : String(error)}`);
			}
		}
		expect(failures).toEqual([]);
	});
});

// ------------------------------------------------------------------------------------------
// Zammad test/data/mail/mailNNN.yml
// ------------------------------------------------------------------------------------------

/** Zammad's YAML tags every hash with a Ruby class; read such a mapping as a plain object. */
const RUBY_HASH = new yaml.Type('!ruby/hash:ActiveSupport::HashWithIndifferentAccess', {
	kind: 'mapping',
	construct: (data: Record<string, unknown> | null) => data ?? {},
});
const ZAMMAD_SCHEMA = yaml.DEFAULT_SCHEMA.extend([RUBY_HASH]);

interface ZammadExpectation {
	from_email: string;
	from_display_name: string;
	subject: string;
	body: string;
	content_type?: string;
	attachments?: Array<{ filename: string; preferences?: Record<string, unknown> }>;
}

/** Text for a loose body comparison: no tags, entities decoded, no whitespace. */
const squash = (value: string) =>
	value
		.replace(/<[^>]*>/g, ' ')
		.replace(/&nbsp;/g, ' ')
		.replace(/&amp;/g, '&')
		.replace(/&lt;/g, '<')
		.replace(/&gt;/g, '>')
		.replace(/\s+/g, '');

describe('corpus: Zammad mailNNN.yml expectations', () => {
	const dir = 'zammad/test/data/mail';
	const cases = () =>
		fs
			.readdirSync(path.join(corpusDir, dir))
			.filter(
				(name) =>
					name.endsWith('.yml') &&
					fs.existsSync(path.join(corpusDir, dir, name.replace(/\.yml$/, '.box'))),
			)
			.sort();

	it('has expectation files', () => {
		requireCorpus();
		expect(cases().length).toBeGreaterThanOrEqual(2);
	});

	it('from, display name, subject, attachment names and body match', () => {
		requireCorpus();
		for (const name of cases()) {
			const expected = yaml.load(fs.readFileSync(path.join(corpusDir, dir, name), 'utf8'), {
				schema: ZAMMAD_SCHEMA,
			}) as ZammadExpectation;
			const { parsed, error } = outcome(`${dir}/${name.replace(/\.yml$/, '.box')}`);
			if (!parsed) throw new Error(`${name}: ${error}`);
			const label = (what: string) => `${name}: ${what}`;
			expect([label('from'), parsed.from?.address]).toEqual([label('from'), expected.from_email]);
			expect([label('display name'), parsed.from?.name]).toEqual([
				label('display name'),
				expected.from_display_name,
			]);
			expect([label('subject'), parsed.subject]).toEqual([label('subject'), expected.subject]);
			// Zammad keeps a copy of the HTML body as an attachment ("content-alternative" /
			// "original-format"); we keep it as `html`, so those are not attachments here.
			const expectedNames = (expected.attachments ?? [])
				.filter(
					(a) => !a.preferences?.['content-alternative'] && !a.preferences?.['original-format'],
				)
				.map((a) => a.filename)
				.sort();
			const names = parsed.attachments.map((a) => a.filename).sort();
			expect([label('attachments'), names]).toEqual([label('attachments'), expectedNames]);
			// Zammad's body is its own cleaned-up HTML: compare loosely, its start must be in our text
			const start = squash(expected.body).slice(0, 80);
			expect([label('body'), squash(parsed.text).includes(start)]).toEqual([label('body'), true]);
		}
	});
});

// ------------------------------------------------------------------------------------------
// Zammad out-of-office header sets (derived/out_of_office_check/expected.tsv)
// ------------------------------------------------------------------------------------------

describe('corpus: Zammad out-of-office checks (R-PLUS-3)', () => {
	it('out-of-office → autoReply, regular → normal', () => {
		requireCorpus();
		const dir = 'zammad/derived/out_of_office_check';
		const rows = readTsv(`${dir}/expected.tsv`);
		expect(rows.length).toBe(7);
		const got = rows.map(([file, flag]) => [file, flag, classOf(`${dir}/${file}`)]);
		const want = rows.map(([file, flag]) => [file, flag, flag === 'true' ? 'autoReply' : 'normal']);
		expect(got).toEqual(want);
	});
});

// ------------------------------------------------------------------------------------------
// sisimai set-of-emails (expected-rb-sisimai.tsv)
// ------------------------------------------------------------------------------------------

const SISIMAI = 'sisimai-set-of-emails';

/**
 * Files whose class differs from what sisimai's reason implies, with the class we give and
 * why that is right (or acceptable) for a case system.
 */
const SISIMAI_CLASS_EXCLUSIONS: Record<string, { ours: MailClass; why: string }> = {
	'maildir/bsd/lhost-sendmail-14.eml': {
		ours: 'normal',
		why: 'a person forwarded a bounce ("Fwd: Returned mail: ..."); for a case system that is mail from a person',
	},
	'maildir/bsd/lhost-fml-02.eml': {
		ours: 'list',
		why: 'the fml list server answers "you are not a member" (Mailing-List header); still not normal mail, sisimai files it as rejected',
	},
	'maildir/bsd/lhost-fml-03.eml': {
		ours: 'normal',
		why: 'an fml "Loop Alert" to the list owner: plain text from an ordinary address without any automation header; only fml-specific wording identifies it',
	},
};

/**
 * Bounces whose DSN Status field has another class (4 vs 5) than the status sisimai reports.
 * We report the Status field as written; sisimai derives its own code from the text.
 */
const SISIMAI_STATUS_EXCLUSIONS: Record<string, string> = {
	'maildir/bsd/lhost-opensmtpd-06.eml':
		'DSN "delayed", Status 4.4.7; sisimai counts it expired (5.0.947)',
	'maildir/bsd/lhost-opensmtpd-12.eml': 'DSN "delayed", Status 4.0.0; sisimai derives 5.0.932',
	'maildir/bsd/lhost-opensmtpd-15.eml':
		'DSN "delayed", Status 4.4.7; sisimai counts it expired (5.0.947)',
	'maildir/bsd/lhost-opensmtpd-16.eml':
		'DSN "delayed", Status 4.4.7; sisimai counts it expired (5.0.947)',
	'maildir/bsd/lhost-sendmail-56.eml':
		'DSN Status 5.5.0; sisimai takes 4.7.0 from the SMTP transcript',
	'maildir/bsd/rhost-franceptt-10.eml':
		'DSN Status 4.5.0 while its Diagnostic-Code says 550 5.5.0; sisimai takes the latter',
};

interface SisimaiFile {
	file: string;
	statuses: string[];
	reasons: Set<string>;
}

function sisimaiExpectations(): SisimaiFile[] {
	const byFile = new Map<string, SisimaiFile>();
	for (const [file, , status, , reason, , present] of readTsv(
		`${SISIMAI}/expected-rb-sisimai.tsv`,
	)) {
		// 26 rows name files that the set no longer has under that name (file_present=no)
		if (present !== 'yes') continue;
		const entry = byFile.get(file) ?? { file, statuses: [], reasons: new Set<string>() };
		if (status) entry.statuses.push(status);
		entry.reasons.add(reason);
		byFile.set(file, entry);
	}
	return [...byFile.values()];
}

/** What sisimai's reasons mean for us: vacation → autoReply, delivered → a success notice. */
function expectedClass(reasons: Set<string>): MailClass {
	if ([...reasons].every((r) => r === 'vacation')) return 'autoReply';
	if ([...reasons].every((r) => r === 'delivered')) return 'autoReply';
	return 'bounce';
}

describe('corpus: sisimai bounce expectations (R-PLUS-3)', () => {
	it('every listed bounce is a bounce (vacation / delivered reports: autoReply), exclusions as documented', () => {
		requireCorpus();
		const files = sisimaiExpectations();
		expect(files.length).toBeGreaterThan(500);
		const wrong: string[] = [];
		let hits = 0;
		for (const { file, reasons } of files) {
			const got = classOf(`${SISIMAI}/${file}`);
			const excluded = SISIMAI_CLASS_EXCLUSIONS[file];
			const want = excluded ? excluded.ours : expectedClass(reasons);
			if (got !== want)
				wrong.push(`${file}: expected ${want}, got ${got} (sisimai: ${[...reasons].join(', ')})`);
			if (got === expectedClass(reasons)) hits++;
		}
		summary.push(`sisimai class hits ${hits}/${files.length}`);
		expect(wrong).toEqual([]);
		expect(
			Object.keys(SISIMAI_CLASS_EXCLUSIONS).every((file) => files.some((f) => f.file === file)),
		).toBe(true);
	});

	it('the DSN status we report has the class (permanent 5 / transient 4) sisimai reports, exclusions as documented', () => {
		requireCorpus();
		const wrong: string[] = [];
		let withStatus = 0;
		let exact = 0;
		let bounces = 0;
		let withOriginal = 0;
		for (const { file, statuses } of sisimaiExpectations()) {
			const { result } = outcome(`${SISIMAI}/${file}`);
			if (result?.class !== 'bounce') continue;
			bounces++;
			if (result.bouncedMessageId) withOriginal++;
			const status = result.bounce?.status;
			if (!status || !statuses.length) continue;
			withStatus++;
			if (statuses.includes(status)) exact++;
			const sameClass = statuses.some((s) => s[0] === status[0]);
			if (sameClass === Boolean(SISIMAI_STATUS_EXCLUSIONS[file])) {
				wrong.push(
					`${file}: ours ${status}, sisimai ${statuses.join('/')}${SISIMAI_STATUS_EXCLUSIONS[file] ? ' (listed as exclusion but agrees now)' : ''}`,
				);
			}
			if (result.bounce?.permanent !== undefined)
				expect([file, result.bounce.permanent]).toEqual([file, status[0] === '5']);
		}
		summary.push(
			`sisimai status: ${withStatus}/${bounces} bounces with a status, ${exact} equal to sisimai's; bounced Message-ID found for ${withOriginal}/${bounces}`,
		);
		expect(wrong).toEqual([]);
		// most statuses are the very code sisimai reports (measured 360 of 393)
		expect(exact / withStatus).toBeGreaterThan(0.9);
	});

	it('CRLF (dos/) and CR-only (mac/) copies classify exactly like the LF original', () => {
		requireCorpus();
		const summaryOf = (file: string) => {
			const { result, parsed } = outcome(`${SISIMAI}/${file}`);
			return JSON.stringify({
				result,
				subject: parsed?.subject,
				from: parsed?.from,
				messageId: parsed?.messageId,
			});
		};
		const mac = fs.readdirSync(path.join(corpusDir, SISIMAI, 'maildir', 'mac'));
		expect(mac.length).toBeGreaterThan(70);
		const differences: string[] = [];
		for (const name of mac) {
			const variants = [`maildir/mac/${name}`, `maildir/dos/${name}`, `maildir/bsd/${name}`].filter(
				(f) => outcomes.has(`${SISIMAI}/${f}`),
			);
			const seen = new Set(variants.map(summaryOf));
			if (variants.length < 2 || seen.size !== 1)
				differences.push(`${name}: ${variants.join(', ')}`);
		}
		expect(differences).toEqual([]);
	});

	it('maildir/not: a person-like mail stays normal; rb-issue-368 is an automatic bounce notice after all', () => {
		requireCorpus();
		expect(classOf(`${SISIMAI}/maildir/not/is-not-bounce-02.eml`)).toBe('normal');
		// listed under "not a bounce" for a sisimai parser issue, but it is one: null Return-Path,
		// Auto-Submitted, postmaster sender, "automatic bounce notification ... mailbox full"
		const issue = outcome(`${SISIMAI}/maildir/not/rb-issue-368-bug.eml`).result;
		expect(issue?.class).toBe('bounce');
		expect(issue?.bouncedMessageId).toBe('<68e0b7e3615cd_1dc7010592ed@7cf4d87f87-9r5w2.mail>');
	});
});
