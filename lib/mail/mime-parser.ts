/**
 * mailparser's MailParser with one change (and one internal flag read, `hasText`: whether the
 * mail has a text/plain part): a text part that declares no charset (or US-ASCII,
 * which cannot hold 8-bit bytes) is read through undeclared-charset.ts — UTF-8 when it is valid
 * UTF-8, else the charset the detector finds — instead of always as UTF-8, which turned KOI8-R
 * or Windows-1251 text into U+FFFD (issue #13 item 8). So is a part declared in a 7-bit
 * ISO-2022 charset that holds 8-bit bytes (the declaration cannot be right). Any other declared
 * charset is decoded by mailparser as before: declared charsets win. Also collects the parse result into one object, as mailparser's
 * simpleParser does for the fields parse-message.ts uses (text, html, attachments).
 *
 * The change hooks two members mailparser marks internal (checked against mailparser 3.14.2,
 * which package.json pins; test/unit/mail/parse-reading.test.ts fails when they change):
 * - `createNode(node)` builds the tree node of a MIME part; its `charset` is what
 *   `processChunk` later hands to `decoder.decodeStream(charset)` — but only for a charset other
 *   than UTF-8/ASCII, so an undeclared charset gets a label of ours here;
 * - `decoder.decodeStream(charset)` gives the stream that turns the part's bytes into UTF-8;
 *   for our labels it is CharsetCheckingStream, any other label goes to mailparser's own.
 */
import { MailParser } from 'mailparser';
import type { AttachmentStream, MailParserOptions, MessageText } from 'mailparser';
import { Transform, type TransformCallback } from 'node:stream';
import {
	MAX_CHARSET_SAMPLE_BYTES_PER_MAIL,
	decodeUndeclared,
	type DetectionBudget,
} from './undeclared-charset';

/** The label a text part without a (usable) declared charset gets. */
const UNDECLARED = 'x-mailcases-undeclared';
/** Declared charsets treated like none: they cannot carry 8-bit bytes. */
const SEVEN_BIT = new Set(['ascii', 'usascii', 'us']);
/** Declared 7-bit charsets with escape sequences: decoded as declared unless 8-bit bytes show. */
const ESCAPED_SEVEN_BIT = /^iso2022/;
/** Prefix of the label of such a part: `x-mailcases-7bit:` + the declared charset. */
const CHECK_SEVEN_BIT = 'x-mailcases-7bit:';

interface TreeNode {
	charset?: string;
	isAttachment?: boolean;
	decoder?: unknown;
}
interface Decoder {
	decodeStream(charset: string): Transform;
}
interface Internals {
	createNode(node: unknown): TreeNode;
	decoder: Decoder;
}

/**
 * Collects a part's bytes and writes them out as UTF-8. Without `declared` (no charset, or
 * US-ASCII): read like undeclared text (undeclared-charset.ts). With `declared` (a 7-bit charset
 * with escape sequences, ISO-2022-JP …): decoded by that decoder when the bytes are 7-bit; when
 * they hold 8-bit bytes the declaration is wrong (sisimai's ezweb bounces carry EUC-JP declared
 * as ISO-2022-JP) and they are read like undeclared text.
 */
class CharsetCheckingStream extends Transform {
	private readonly chunks: Buffer[] = [];

	constructor(
		private readonly budget: DetectionBudget,
		private readonly declared?: () => Transform,
	) {
		super();
	}

	override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
		this.chunks.push(chunk);
		done();
	}

	override _flush(done: TransformCallback): void {
		const bytes = Buffer.concat(this.chunks);
		if (!this.declared || bytes.some((byte) => byte >= 0x80)) {
			done(null, Buffer.from(decodeUndeclared(bytes, this.budget), 'utf8'));
			return;
		}
		const decoder = this.declared();
		const out: Buffer[] = [];
		decoder.on('data', (chunk: Buffer | string) => out.push(Buffer.from(chunk)));
		decoder.once('error', (error: Error) => done(error));
		decoder.once('end', () => done(null, Buffer.concat(out)));
		decoder.end(bytes);
	}
}

/** MailParser reading undeclared text parts through the charset detector (see above). */
class CharsetDetectingParser extends MailParser {
	constructor(options: MailParserOptions) {
		super(options);
		const internals = this as unknown as Internals;
		const budget: DetectionBudget = { remaining: MAX_CHARSET_SAMPLE_BYTES_PER_MAIL };
		const decoder = internals.decoder;
		const createNode = internals.createNode;
		if (typeof createNode !== 'function' || typeof decoder?.decodeStream !== 'function') {
			throw new Error('mailparser internals changed: createNode/decoder not found');
		}
		internals.decoder = {
			decodeStream: (charset) => {
				if (charset === UNDECLARED) return new CharsetCheckingStream(budget);
				if (!charset.startsWith(CHECK_SEVEN_BIT)) return decoder.decodeStream(charset);
				const declared = charset.slice(CHECK_SEVEN_BIT.length);
				return new CharsetCheckingStream(budget, () => decoder.decodeStream(declared));
			},
		};
		internals.createNode = (node) => {
			const made = createNode.call(this, node);
			const declared = (made.charset ?? '').toLowerCase().replace(/[^a-z0-9]/g, '');
			if (!made.decoder || made.isAttachment) return made;
			if (declared === '' || SEVEN_BIT.has(declared)) made.charset = UNDECLARED;
			else if (ESCAPED_SEVEN_BIT.test(declared)) made.charset = CHECK_SEVEN_BIT + made.charset;
			return made;
		};
	}
}

export interface MimeParseResult {
	text?: string;
	html?: string;
	/** Whether the mail has a text/plain part (mailparser's `hasText`); without one, `text` is
	 * mailparser's own conversion of the top-level HTML, or nothing. */
	hasTextPart: boolean;
	attachments: Array<AttachmentStream & { content: Buffer | AttachmentStream['content'] }>;
}

/**
 * Parses a whole message: text, HTML and every attachment with its content read into a Buffer.
 * Rejects on the parser's first error.
 */
export function parseMime(input: Buffer, options: MailParserOptions): Promise<MimeParseResult> {
	return new Promise((resolve, reject) => {
		const result: MimeParseResult = { attachments: [], hasTextPart: false };
		let settled = false;
		const fail = (error: unknown) => {
			if (settled) return;
			settled = true;
			parser.destroy();
			reject(error instanceof Error ? error : new Error(String(error)));
		};
		const parser = new CharsetDetectingParser(options);
		let reading = false;
		/** Reads what the parser has; an attachment pauses it until its content is read. */
		const pump = (): void => {
			reading = true;
			for (let data = parser.read(); data !== null; data = parser.read()) {
				const item = data as MessageText | AttachmentStream;
				if (item.type === 'text') {
					if (typeof item.text === 'string') result.text = item.text;
					if (typeof item.html === 'string') result.html = item.html;
					continue;
				}
				readAttachment(item);
				return;
			}
			reading = false;
		};
		const readAttachment = (attachment: AttachmentStream) => {
			const chunks: Buffer[] = [];
			result.attachments.push(attachment);
			attachment.content.on('data', (chunk: Buffer) => chunks.push(chunk));
			attachment.content.once('error', fail);
			attachment.content.once('end', () => {
				(attachment as { content: unknown }).content = Buffer.concat(chunks);
				attachment.release?.();
				pump();
			});
		};
		parser.on('error', fail);
		parser.on('readable', () => {
			if (!reading) pump();
		});
		parser.once('end', () => {
			if (settled) return;
			settled = true;
			result.hasTextPart = (parser as unknown as { hasText?: unknown }).hasText === true;
			resolve(result);
		});
		parser.end(input);
	});
}
