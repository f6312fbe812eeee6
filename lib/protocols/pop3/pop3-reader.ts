/**
 * Splits a POP3 byte stream into responses (RFC 1939 section 3): a status line, and for
 * multi-line responses the lines up to the terminating "." with dot-stuffing removed.
 * Works on bytes, so 8-bit message content is returned exactly as the server stored it.
 */
export class Pop3Reader {
	private buffer: Buffer = Buffer.alloc(0);
	private lines: Buffer[] = [];
	private collected = 0;

	push(chunk: Buffer): void {
		this.buffer = this.buffer.length ? Buffer.concat([this.buffer, chunk]) : chunk;
	}

	/** Next complete line without CRLF, or undefined when more bytes are needed. */
	nextLine(): Buffer | undefined {
		const end = this.buffer.indexOf('\n');
		if (end < 0) return undefined;
		const stop = end > 0 && this.buffer[end - 1] === 0x0d ? end - 1 : end;
		const line = this.buffer.subarray(0, stop);
		this.buffer = this.buffer.subarray(end + 1);
		return line;
	}

	/**
	 * Collects the body of a multi-line response. Returns the body (CRLF line ends, dot-unstuffed)
	 * once the terminator arrived, else undefined. `limit` caps memory: over it, the body is
	 * still read to its end but not kept, and `overLimit` is reported.
	 */
	nextBody(limit = Infinity): { body: Buffer; overLimit: boolean } | undefined {
		for (let line = this.nextLine(); line !== undefined; line = this.nextLine()) {
			if (line.length === 1 && line[0] === 0x2e) {
				const overLimit = this.collected > limit;
				const body = overLimit ? Buffer.alloc(0) : Buffer.concat(this.lines);
				this.lines = [];
				this.collected = 0;
				return { body, overLimit };
			}
			const content = line[0] === 0x2e ? line.subarray(1) : line;
			this.collected += content.length + 2;
			if (this.collected <= limit) {
				this.lines.push(Buffer.from(content), CRLF);
			}
		}
		return undefined;
	}

	/** Bytes received but not yet consumed (used after STLS to check nothing was injected). */
	get pending(): number {
		return this.buffer.length;
	}
}

const CRLF = Buffer.from('\r\n');
