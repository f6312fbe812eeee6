import { Pop3Reader } from '../../../lib/protocols/pop3/pop3-reader';

/** Feeds a byte stream split at every possible position and reads one multi-line body. */
function readSplit(stream: Buffer, splitAt: number) {
	const reader = new Pop3Reader();
	reader.push(stream.subarray(0, splitAt));
	let status = reader.nextLine();
	let body = status !== undefined ? reader.nextBody() : undefined;
	reader.push(stream.subarray(splitAt));
	status ??= reader.nextLine();
	body ??= reader.nextBody();
	return { status: status?.toString('latin1'), body: body?.body };
}

describe('POP3 response reader (RFC 1939)', () => {
	const latin1 = Buffer.from('Stra\xdfe = M\xfcnchen', 'latin1');
	const message = Buffer.concat([
		Buffer.from('Subject: x\r\n\r\n'),
		Buffer.from('.leading dot line\r\n'),
		latin1,
		Buffer.from('\r\n'),
		Buffer.from('.\r\n'),
	]);
	// On the wire every line starting with "." gets one more "."; the terminator is ".\r\n".
	const wire = Buffer.concat([
		Buffer.from('+OK 99 octets\r\n'),
		Buffer.from('Subject: x\r\n\r\n'),
		Buffer.from('..leading dot line\r\n'),
		latin1,
		Buffer.from('\r\n'),
		Buffer.from('..\r\n'),
		Buffer.from('.\r\n'),
	]);

	test('removes dot-stuffing and keeps 8-bit bytes exactly, wherever the stream is split', () => {
		for (let split = 0; split <= wire.length; split++) {
			const { status, body } = readSplit(wire, split);
			expect(status).toBe('+OK 99 octets');
			expect(body?.equals(message)).toBe(true);
		}
	});

	test('a chunk holding only "." does not end the body', () => {
		const reader = new Pop3Reader();
		reader.push(Buffer.from('+OK\r\nline one\r\n'));
		expect(reader.nextLine()?.toString()).toBe('+OK');
		expect(reader.nextBody()).toBeUndefined();
		reader.push(Buffer.from('.'));
		expect(reader.nextBody()).toBeUndefined();
		reader.push(Buffer.from('more\r\n.\r\n'));
		expect(reader.nextBody()?.body.toString()).toBe('line one\r\nmore\r\n');
	});

	test('over the limit the body is drained but not kept', () => {
		const reader = new Pop3Reader();
		reader.push(Buffer.from('+OK\r\n0123456789\r\n0123456789\r\n.\r\n+OK next\r\n'));
		reader.nextLine();
		expect(reader.nextBody(15)).toEqual({ body: Buffer.alloc(0), overLimit: true });
		expect(reader.nextLine()?.toString()).toBe('+OK next');
	});
});
