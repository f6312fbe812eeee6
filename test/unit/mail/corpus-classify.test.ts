/**
 * Issue #13 item 8 (classification): the real and the hand-made cases of auto-replies marked by
 * vendor headers or subject forms, the null sender `<MAILER-DAEMON@host>`, abuse / spam
 * feedback reports (class `report`), and replies to our cases whose subject looks automatic.
 *
 * - Shared corpus (../shared/corpus, read in place, see CONTRIBUTING.md "corpus"): every
 *   feedback report of sisimai's set-of-emails, flanker and MimeKit is a `report` with the
 *   Feedback-Type the report names; Amazon SES's JSON complaint too.
 * - Hand-made mails (test/fixtures/mail/classify-cases.ts), each naming the project or issue it
 *   is modelled on: exact class, reasons and flags; the header-only path agrees.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { classifyMessage } from '../../../lib/mail/classify';
import { parseMessage, parseMessageHeaders } from '../../../lib/mail/parse-message';
import type { Classification, FeedbackInfo } from '../../../lib/mail/types';
import { CLASSIFY_CASES, OWN_ADDRESS } from '../../fixtures/mail/classify-cases';
import { eml } from './mail-builder';

const corpusDir = path.resolve(__dirname, '..', '..', '..', '..', 'shared', 'corpus');

async function classifyCorpusFile(relative: string): Promise<Classification> {
	const file = path.join(corpusDir, relative);
	if (!fs.existsSync(file)) {
		throw new Error(
			`corpus file ${relative} not found under ${corpusDir}; the mail corpus lives beside the repository in ../shared/corpus (see CONTRIBUTING.md).`,
		);
	}
	return classifyMessage(await parseMessage(fs.readFileSync(file)));
}

const SISIMAI = 'sisimai-set-of-emails/maildir';

/** Feedback reports of the corpus → the Feedback-Type each one names. */
const REPORTS: Record<string, string> = {
	// RFC 5965 multipart/report; report-type=feedback-report
	'flanker/tests/fixtures/messages/complaints/aol.eml': 'abuse',
	'flanker/tests/fixtures/messages/complaints/yahoo.eml': 'abuse',
	'mimekit/UnitTests/TestData/messages/feedback-report.txt': 'abuse',
	[`${SISIMAI}/bsd/arf-01.eml`]: 'abuse',
	[`${SISIMAI}/dos/arf-01.eml`]: 'abuse',
	[`${SISIMAI}/mac/arf-01.eml`]: 'abuse',
	[`${SISIMAI}/bsd/arf-11.eml`]: 'abuse',
	[`${SISIMAI}/bsd/arf-12.eml`]: 'opt-out',
	[`${SISIMAI}/bsd/arf-14.eml`]: 'abuse',
	[`${SISIMAI}/bsd/arf-15.eml`]: 'abuse',
	[`${SISIMAI}/bsd/arf-16.eml`]: 'abuse',
	[`${SISIMAI}/bsd/arf-17.eml`]: 'abuse',
	// DMARC failure reports (RFC 6591) are ARF reports too
	[`${SISIMAI}/bsd/arf-18.eml`]: 'auth-failure',
	[`${SISIMAI}/bsd/arf-19.eml`]: 'auth-failure',
	[`${SISIMAI}/bsd/arf-20.eml`]: 'auth-failure',
	[`${SISIMAI}/bsd/arf-21.eml`]: 'abuse',
	[`${SISIMAI}/bsd/arf-25.eml`]: 'abuse',
	// Microsoft's Junk Mail Reporting Program: no ARF part
	[`${SISIMAI}/bsd/arf-22.eml`]: 'abuse',
	[`${SISIMAI}/bsd/arf-23.eml`]: 'abuse',
	[`${SISIMAI}/bsd/arf-24.eml`]: 'abuse',
	// Amazon SES complaint notification (JSON)
	[`${SISIMAI}/bsd/lhost-amazonses-11.eml`]: 'abuse',
};

describe('corpus: feedback reports (ARF) are class report (#13.8)', () => {
	it.each(Object.entries(REPORTS))('%s → report, Feedback-Type %s', async (file, type) => {
		const result = await classifyCorpusFile(file);
		expect(result.class).toBe('report');
		expect(result.feedback?.feedbackType).toBe(type);
		expect(result.bounce).toBeUndefined();
	});

	it('the fields of the report and the Message-ID of the reported mail are kept', async () => {
		expect(await classifyCorpusFile('flanker/tests/fixtures/messages/complaints/aol.eml')).toEqual(
			expect.objectContaining({
				class: 'report',
				bouncedMessageId: '<20101117174130.28884.55421@luna>',
				feedback: { feedbackType: 'abuse', sourceIp: '173.193.210.34', userAgent: 'AOL SComp' },
			}),
		);
		expect((await classifyCorpusFile(`${SISIMAI}/bsd/arf-17.eml`)).bouncedMessageId).toBe(
			'<EEEEEEEE-0000-0000-0000-EEEEEEEE2222@example.net>',
		);
		const yahoo: FeedbackInfo | undefined = (
			await classifyCorpusFile('flanker/tests/fixtures/messages/complaints/yahoo.eml')
		).feedback;
		expect(yahoo).toEqual({
			feedbackType: 'abuse',
			recipient: 'user@yahoo.com',
			userAgent: 'Yahoo!-Mail-Feedback/1.0',
		});
		expect((await classifyCorpusFile(`${SISIMAI}/bsd/lhost-amazonses-11.eml`)).feedback).toEqual({
			feedbackType: 'abuse',
			recipient: 'complaint@simulator.amazonses.com',
		});
	});

	it('arf-26 is no report but an automatic "unsubscribe" confirmation', async () => {
		expect((await classifyCorpusFile(`${SISIMAI}/bsd/arf-26.eml`)).class).toBe('autoReply');
	});

	it('a sender that is a mail system does not turn a report into a bounce', async () => {
		const raw = eml(
			[
				'Return-Path: <>',
				'From: MAILER-DAEMON@fbl.example.net',
				'To: abuse@example.com',
				'Subject: Undeliverable: complaint',
				'Content-Type: multipart/report; report-type=feedback-report; boundary="F"',
				'',
				'--F',
				'Content-Type: text/plain',
				'',
				'A recipient reported this mail as spam; it could not be delivered to them.',
				'--F',
				'Content-Type: message/feedback-report',
				'',
				'Feedback-Type: abuse',
				'--F--',
				'',
			].join('\n'),
		);
		const result = classifyMessage(await parseMessage(raw));
		expect(result).toMatchObject({
			class: 'report',
			reasons: ['feedback report (ARF, Feedback-Type: abuse)'],
		});
	});
});

describe('hand-made cases of issue #13 (test/fixtures/mail/classify-cases.ts)', () => {
	const options = { ownAddresses: [OWN_ADDRESS] };

	it.each(CLASSIFY_CASES.map((c) => [c.name, c] as const))('%s', async (_name, testCase) => {
		expect(testCase.source).not.toBe('');
		const result = classifyMessage(await parseMessage(eml(testCase.raw)), options);
		expect(result).toEqual(testCase.expected);
		// every rule of these cases reads the header section only: the cheap path agrees
		expect(classifyMessage(parseMessageHeaders(eml(testCase.raw)), options)).toEqual(
			testCase.expected,
		);
	});
});
