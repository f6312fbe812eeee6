/**
 * Worst-case mail text for the patterns that see it (issue #11.1), shared by the adversarial
 * suite (test/unit/hostile/) and `npm run bench -- hostile`. Each generator returns at least
 * `size` characters built against one pattern: long runs of the character a quantifier repeats,
 * many ambiguous split points, and no terminator at the end, so that a backtracking pattern
 * would retry the run from every position.
 */

export const MB = 1 << 20;

/** `unit` repeated to at least `size` characters. */
export function fill(unit: string, size: number): string {
	return unit.repeat(Math.ceil(size / unit.length));
}

/** How many times `unit` was repeated by fill. */
export function repeats(unit: string, size: number): number {
	return Math.ceil(size / unit.length);
}

// ---------------------------------------------------------------------------------------------
// sanitize-html: the CSS value pattern (words and blanks under an outer `+`)

/** One `style` whose value almost fits (words and blanks, then `\`), repeated over many spans. */
export const CSS_UNIT = `<span style="color: ${'a1 '.repeat(60)}\\">x</span>`;
export const cssStyles = (size: number) => fill(CSS_UNIT, size);
/** One style attribute of `size` characters of words and blanks (past the 200-character cap). */
export const cssHugeStyle = (size: number) => `<p style="margin: ${fill('1px ', size)}(">y</p>`;
/** A link whose href is a run of C0 controls and blanks before the scheme. */
export const urlControls = (size: number) =>
	`<a href="${fill('\u0001 ', size)}javascript:alert(1)">z</a>`;

// ---------------------------------------------------------------------------------------------
// subject.ts: prefixes, references, encoded words

export const PREFIX_UNIT = 'Re: AW: [EXTERNAL] WG[2]: ';
export const subjectPrefixes = (size: number) => `${fill(PREFIX_UNIT, size)}Frage`;
export const REFERENCE_UNIT = 'AW: [#2026-000123] ';
export const subjectReferences = (size: number) => `${fill(REFERENCE_UNIT, size)}Frage`;
/** `Re` followed by a long run of blanks and a counter that never closes. */
export const subjectBlankPrefix = (size: number) => `Re${fill(' ', size)}[1 x`;
/** `=?charset?Q?` with a text that never ends in `?=`. */
export const unterminatedEncodedWord = (size: number) => `=?utf-8?Q?${fill('a=', size)}`;
export const ENCODED_UNIT = '=?UTF-8?B?w6Q=?= ';
export const encodedWords = (size: number) => fill(ENCODED_UNIT, size);

// ---------------------------------------------------------------------------------------------
// quoted-text.ts: separator lines, attributions, header blocks

/**
 * Fill characters and a long run of blanks, no title; and a title followed by blanks that never
 * reach fill characters. The former separator pattern let `[-_=*\s]{2,}` and `\s*` share the
 * blanks: quadratic (16 KB: 0.7 s).
 */
export const fillLine = (size: number) => `Hallo\n--${fill(' ', size)}x\nGruß`;
export const titleThenBlanks = (size: number) =>
	`Hallo\n-- Original Message${fill(' ', size)}x\nGruß`;
/** Only fill characters: the start and end runs meet. */
export const onlyFill = (size: number) => `Hallo\n${fill('-= ', size)}-\nGruß`;
/** Fill, a title, blanks, fill: a real separator whose parts are huge. */
export const wideSeparator = (size: number) =>
	`Text\n${fill('- ', size / 2)}Original Message${fill(' ', size / 2)}--\n> alt`;
/** Lines that start like attributions (`Am … schrieb`) but never end in `:`. */
export const ATTRIBUTION_UNIT = 'Am 1.2.2026 schrieb schrieb schrieb Max\n';
export const attributionLines = (size: number) => `Text\n${fill(ATTRIBUTION_UNIT, size)}`;
/** `Von:` lines with no Sent/To/Subject after them. */
export const HEADER_UNIT = 'Von: Max\nVon:Max\n';
export const headerLines = (size: number) => `Text\n${fill(HEADER_UNIT, size)}`;
/** Blanks at the end of a line before a non-blank (trailing-blank trimming). */
export const blankRun = (size: number) => `a${fill(' ', size)}b`;

// ---------------------------------------------------------------------------------------------
// html-to-text

export const htmlBlankRun = (size: number) => `<pre>a${fill(' ', size)}b</pre>`;
export const htmlNewlines = (size: number) => `<pre>a${fill('\n', size)}b</pre>`;
export const HTML_UNIT = '<p>Name = Wert</p><div><b>x </b>  </div>';
/** A tag that never closes (`<a<a<a…`): the HTML tokenizer must not rescan it. */
export const htmlUnclosedTag = (size: number) => `x${fill('<a', size)}`;
/** Character references that never complete (`&#x&#x…`). */
export const htmlOpenEntities = (size: number) => `${fill('&#x', size)}z`;
/** One element with a huge number of attributes before the allowed style and a handler. */
export const htmlManyAttributes = (size: number) =>
	`x<p ${fill('a=a ', size)} style="color:red" onclick="x">y</p>`;
/** A comment that never ends. */
export const htmlOpenComment = (size: number) => `x<!--${fill('x-', size)}`;
export const htmlBlocks = (size: number) => fill(HTML_UNIT, size);

// ---------------------------------------------------------------------------------------------
// Field lines, case numbers, addresses, Message-IDs

/** Field lines whose name is a long run that never reaches a separator. */
export const fieldNameRun = (size: number) => `${fill('Ab ', size)}\nStatus = offen`;
export const FIELD_UNIT = '- Status = offen\n';
export const fieldLinesText = (size: number) => fill(FIELD_UNIT, size);
/** `#2026-` and a run of digits that ends in a letter (the number must not touch a letter). */
export const caseNumberDigits = (size: number) => `#2026-${fill('0', size)}x`;
export const CASE_UNIT = 'Vorgang 2026-00012 [#2026- #20 ';
export const caseNumberNearMisses = (size: number) => fill(CASE_UNIT, size);
export const addressRun = (size: number) => `${fill('a', size)}@`;
export const addressAts = (size: number) => `<${fill('@', size)}`;
/** `<` and no `>`: every Message-ID start runs to the end. */
export const messageIdOpen = (size: number) => fill('<a', size);
export const messageIdClose = (size: number) => `a${fill('>', size)}b`;

// ---------------------------------------------------------------------------------------------
// Classification: subjects, report bodies, header sections

/** Near misses of the bounce subject words (`delivery `, `mail delivery `). */
export const BOUNCE_SUBJECT_UNIT = 'mail delivery non deliver ';
export const bounceSubject = (size: number) => fill(BOUNCE_SUBJECT_UNIT, size);
/** Near misses of the auto-reply keyword `Abwesenheit`. */
export const keywordSubject = (size: number) => fill('xAbwesenhei ', size);
/** Quoted `Message-Id` header lines with long runs of `>` and blanks. */
export const quotedIdText = (size: number) =>
	`${fill('> > > ', size / 2)}Message-Id:${fill(' ', size / 2)}<orig@example.com>\n5.1.1`;
/** An Amazon SES notification whose diagnostic never ends. */
export const sesText = (size: number) =>
	`{"notificationType":"Bounce","bounce":{"bounceType":"Permanent","diagnosticCode":"${fill('a\\\\', size)}`;
/** A delivery-status body: many continuation lines and a status with long blank runs. */
export const deliveryStatus = (size: number) =>
	`Reporting-MTA: dns; mx.example.com\r\n\r\nFinal-Recipient: rfc822;${fill(' ', size / 2)}a@example.com\r\nAction: failed\r\nStatus: 5.1.1\r\nDiagnostic-Code: smtp; 550${fill('\r\n x', size / 2)}\r\n`;
/** A header section whose fields are huge: folded subject, bracket runs, comments in Date. */
export function hostileHeaderSection(size: number): Buffer {
	const part = Math.floor(size / 6);
	return Buffer.from(
		[
			`From: ${fill('a', part)}@example.com`,
			`Return-Path: <${fill(' ', part)}x`,
			`Message-ID: ${fill('<', part)}`,
			`References: ${fill('<a ', part)}`,
			`Date: Mon, 1 Dec 2026 10:00:00 +0000 ${fill('(', part)}`,
			`Subject: ${fill('Re: =?utf-8?q?a?=\r\n ', part)}x`,
			'',
			'body',
		].join('\r\n'),
		'latin1',
	);
}

/** A whole mail: ordinary header fields, a quoted-printable body of soft breaks and blank runs. */
export function hostileMail(size: number): Buffer {
	return Buffer.from(
		[
			'From: Max <max@example.com>',
			'To: support@example.com',
			'Subject: Re: [#2026-000123] Frage',
			'Message-ID: <m1@example.com>',
			'Date: Mon, 1 Dec 2026 10:00:00 +0000',
			'MIME-Version: 1.0',
			'Content-Type: text/plain; charset=utf-8',
			'Content-Transfer-Encoding: quoted-printable',
			'',
			`Status =3D offen${fill('=20 =\r\n', size)}Ende`,
		].join('\r\n'),
		'latin1',
	);
}
