/**
 * Hostile-input benchmark (issue #11.1): `npm run bench -- hostile`.
 *
 * Feeds every stage that applies patterns to mail text the worst cases of
 * test/support/hostile-inputs.ts at 0.25, 0.5 and 1 MB and prints the time per stage (the sum
 * over its inputs, best of BENCH_HOSTILE_RUNS runs, default 5, each after a full garbage collection) and the ratio 1 MB / 0.5 MB. Linear
 * work gives about 2×; the acceptance is ≤ 2.5× at every stage. Results also go to
 * bench/results/hostile.json (per input as well).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { findCaseNumbers } from '../../lib/cases/case-number';
import { fieldLines, parseFieldLines } from '../../lib/cases/field-lines';
import { parseDateValue, parseNumberValue } from '../../lib/cases/field-values';
import { normalizeAddress as senderAddress } from '../../lib/cases/sender-policy';
import { parseAddressList } from '../../lib/mail/address';
import { classifyMessage } from '../../lib/mail/classify';
import { htmlToText } from '../../lib/mail/html-to-text';
import { decodeEncodedWords } from '../../lib/mail/encoded-words';
import { bracketedMessageId, messageIdsIn } from '../../lib/mail/message-id';
import { parseMessage, parseMessageHeaders } from '../../lib/mail/parse-message';
import { quotedContentStart, ownText } from '../../lib/mail/quoted-text';
import { sanitizeMailHtml } from '../../lib/mail/sanitize-html';
import { normalizeSubject, splitSubjectPrefix } from '../../lib/mail/subject';
import * as h from '../../test/support/hostile-inputs';

/** The stages and their inputs; each input is built outside the timed call. */
function stages(): Record<string, Record<string, (size: number) => () => unknown>> {
	const on =
		<T>(build: (size: number) => T, fn: (input: T) => unknown) =>
		(size: number) => {
			const input = build(size);
			return () => fn(input);
		};
	const classify = (extra: { subject?: string; text?: string }) => ({
		...parseMessageHeaders(
			Buffer.from('From: MAILER-DAEMON@example.com\r\nReturn-Path: <>\r\n\r\n'),
		),
		...extra,
	});
	return {
		parse: {
			headers: on(h.hostileHeaderSection, parseMessageHeaders),
			'full parse': on(h.hostileMail, (raw) => parseMessage(raw)),
			'message ids': on(h.messageIdOpen, messageIdsIn),
			'message id >': on(h.messageIdClose, bracketedMessageId),
		},
		classify: {
			'bounce subject': on(h.bounceSubject, (s) => classifyMessage(classify({ subject: s }))),
			'subject keywords': on(h.keywordSubject, (s) => classifyMessage(classify({ subject: s }))),
			'quoted Message-Id': on(h.quotedIdText, (t) => classifyMessage(classify({ text: t }))),
			'SES diagnostic': on(h.sesText, (t) => classifyMessage(classify({ text: t }))),
			'delivery status': on(h.deliveryStatus, (t) => classifyMessage(classify({ text: t }))),
		},
		sanitize: {
			'css styles': on(h.cssStyles, sanitizeMailHtml),
			'huge style': on(h.cssHugeStyle, sanitizeMailHtml),
			'url controls': on(h.urlControls, sanitizeMailHtml),
			'unclosed tag': on(h.htmlUnclosedTag, sanitizeMailHtml),
			'open entities': on(h.htmlOpenEntities, sanitizeMailHtml),
			attributes: on(h.htmlManyAttributes, sanitizeMailHtml),
		},
		'html→text': {
			'blank run': on(h.htmlBlankRun, htmlToText),
			newlines: on(h.htmlNewlines, htmlToText),
			blocks: on(h.htmlBlocks, htmlToText),
			'unclosed tag': on(h.htmlUnclosedTag, htmlToText),
			'open entities': on(h.htmlOpenEntities, htmlToText),
			attributes: on(h.htmlManyAttributes, htmlToText),
		},
		'subject normalize': {
			prefixes: on(h.subjectPrefixes, normalizeSubject),
			references: on(h.subjectReferences, normalizeSubject),
			'blank prefix': on(h.subjectBlankPrefix, splitSubjectPrefix),
			'open encoded word': on(h.unterminatedEncodedWord, decodeEncodedWords),
			'encoded words': on(h.encodedWords, decodeEncodedWords),
		},
		'quoted text': {
			'fill line': on(h.fillLine, ownText),
			'title, blanks': on(h.titleThenBlanks, ownText),
			'only fill': on(h.onlyFill, ownText),
			'wide separator': on(h.wideSeparator, quotedContentStart),
			attributions: on(h.attributionLines, ownText),
			'header lines': on(h.headerLines, ownText),
			'blank run': on(h.blankRun, ownText),
		},
		'Field lines': {
			'name run': on(h.fieldNameRun, (t) => fieldLines(t)),
			'many lines': on(h.fieldLinesText, (t) => parseFieldLines(t)),
			'number value': on((n) => `1${h.fill(' 000', n)}`, parseNumberValue),
			'date value': on((n) => h.fill('1.', n), parseDateValue),
		},
		'case numbers': {
			digits: on(h.caseNumberDigits, (s) => findCaseNumbers(s)),
			'near misses': on(h.caseNumberNearMisses, (s) => findCaseNumbers(s)),
		},
		addresses: {
			'local run': on(h.addressRun, parseAddressList),
			'@ run': on(h.addressAts, parseAddressList),
			'sender @ run': on(h.addressAts, (s) => senderAddress(s)),
		},
	};
}

const SIZES = [h.MB / 4, h.MB / 2, h.MB];
const RUNS = Number(process.env.BENCH_HOSTILE_RUNS ?? 5);

/** A full collection before each timed call, so no run pays for the garbage of the one before. */
setFlagsFromString('--expose-gc');
const collect = runInNewContext('gc') as () => void;

async function time(prepare: (size: number) => () => unknown, size: number): Promise<number> {
	let best = Infinity;
	for (let i = 0; i < RUNS; i++) {
		const call = prepare(size);
		collect();
		const started = process.hrtime.bigint();
		await call();
		best = Math.min(best, Number(process.hrtime.bigint() - started) / 1e6);
	}
	return best;
}

const ms = (n: number) => n.toFixed(1).padStart(9);

export async function main(): Promise<void> {
	const result: Record<string, { total: number[]; inputs: Record<string, number[]> }> = {};
	const label = (s: number) => `${(s / h.MB).toString()} MB`.padStart(9);
	console.log(`time per stage in ms (sum over its inputs, best of ${RUNS})`);
	console.log(`${'stage'.padEnd(20)}${SIZES.map(label).join('')}  1 MB / 0.5 MB`);
	let worst = 0;
	for (const [stage, inputs] of Object.entries(stages())) {
		const total = SIZES.map(() => 0);
		const perInput: Record<string, number[]> = {};
		for (const [name, prepare] of Object.entries(inputs)) {
			perInput[name] = [];
			for (const [i, size] of SIZES.entries()) {
				const t = await time(prepare, size);
				perInput[name].push(t);
				total[i] += t;
			}
			if (process.env.BENCH_HOSTILE_DETAIL)
				console.log(`  ${name.padEnd(18)}${perInput[name].map(ms).join('')}`);
		}
		const ratio = total[2] / total[1];
		worst = Math.max(worst, ratio);
		result[stage] = { total, inputs: perInput };
		console.log(`${stage.padEnd(20)}${total.map(ms).join('')}  ${ratio.toFixed(2)}×`);
	}
	console.log(`largest ratio for 2× input: ${worst.toFixed(2)}× (acceptance: ≤ 2.5×)`);
	const dir = join(__dirname, '..', 'results');
	mkdirSync(dir, { recursive: true });
	writeFileSync(
		join(dir, 'hostile.json'),
		JSON.stringify({ node: process.version, sizes: SIZES, runs: RUNS, stages: result }, null, 2),
	);
}
