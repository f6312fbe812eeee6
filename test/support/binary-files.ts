/**
 * Small binary files built in memory, with the real structure of their format (signature,
 * header, checksums where the format has them): what a mailbox sees when someone delivers a file
 * instead of a mail (#11.5). Deterministic: the same call gives the same bytes.
 */
import { createHash } from 'node:crypto';
import { crc32, gzipSync } from 'node:zlib';

/** Reproducible "random" bytes for a seed (SHA-256 in counter mode). */
export function seededBytes(length: number, seed: number): Buffer {
	const blocks: Buffer[] = [];
	for (let i = 0; i * 32 < length; i++)
		blocks.push(createHash('sha256').update(`${seed}:${i}`).digest());
	return Buffer.concat(blocks).subarray(0, length);
}

const u16 = (value: number) => {
	const b = Buffer.alloc(2);
	b.writeUInt16LE(value);
	return b;
};
const u32 = (value: number) => {
	const b = Buffer.alloc(4);
	b.writeUInt32LE(value >>> 0);
	return b;
};

/**
 * An OLE compound file (the container of Outlook .msg and old Office files): a version-3 header
 * of 512 bytes (signature, byte order, sector shifts, one FAT sector) followed by `sectors`
 * sectors of 512 bytes, the first being the FAT.
 */
export function oleCompoundFile(sectors = 8): Buffer {
	const header = Buffer.alloc(512, 0);
	Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]).copy(header, 0);
	header.writeUInt16LE(0x003e, 24); // minor version
	header.writeUInt16LE(0x0003, 26); // major version 3
	header.writeUInt16LE(0xfffe, 28); // little-endian byte order mark
	header.writeUInt16LE(9, 30); // sector size 2^9
	header.writeUInt16LE(6, 32); // mini sector size 2^6
	header.writeUInt32LE(1, 44); // number of FAT sectors
	header.writeUInt32LE(1, 48); // first directory sector
	header.writeUInt32LE(4096, 56); // mini stream cutoff
	header.writeUInt32LE(0xfffffffe, 60); // no mini FAT
	header.writeUInt32LE(0xfffffffe, 68); // no DIFAT sectors
	header.writeUInt32LE(0, 76); // DIFAT[0]: the FAT is sector 0
	header.fill(0xff, 80);
	const fat = Buffer.alloc(512, 0xff);
	fat.writeUInt32LE(0xfffffffd, 0); // sector 0: FAT
	fat.writeUInt32LE(0xfffffffe, 4); // sector 1: directory, end of chain
	const directory = Buffer.alloc(512, 0);
	Buffer.from('Root Entry', 'utf16le').copy(directory, 0);
	directory.writeUInt16LE(22, 64);
	directory[66] = 5; // root storage
	const rest = Array.from({ length: Math.max(0, sectors - 2) }, (_, i) =>
		seededBytes(512, 100 + i),
	);
	return Buffer.concat([header, fat, directory, ...rest]);
}

/** A ZIP archive with stored (uncompressed) files: local headers, central directory, end record. */
export function zipArchive(
	files: Record<string, string | Buffer> = { 'word/document.xml': '<w:document/>' },
): Buffer {
	const locals: Buffer[] = [];
	const centrals: Buffer[] = [];
	let offset = 0;
	for (const [name, data] of Object.entries(files)) {
		const content = Buffer.isBuffer(data) ? data : Buffer.from(data);
		const nameBytes = Buffer.from(name);
		const crc = crc32(content);
		const common = Buffer.concat([
			u16(20),
			u16(0),
			u16(0),
			u16(0),
			u16(0x21),
			u32(crc),
			u32(content.length),
			u32(content.length),
			u16(nameBytes.length),
			u16(0),
		]);
		const local = Buffer.concat([u32(0x04034b50), common, nameBytes, content]);
		centrals.push(
			Buffer.concat([
				u32(0x02014b50),
				u16(20),
				common,
				u16(0),
				u16(0),
				u16(0),
				u32(0),
				u32(offset),
				nameBytes,
			]),
		);
		locals.push(local);
		offset += local.length;
	}
	const central = Buffer.concat(centrals);
	const end = Buffer.concat([
		u32(0x06054b50),
		u16(0),
		u16(0),
		u16(centrals.length),
		u16(centrals.length),
		u32(central.length),
		u32(offset),
		u16(0),
	]);
	return Buffer.concat([...locals, central, end]);
}

/** A one-page PDF (objects, cross-reference table, trailer). */
export function pdfDocument(text = 'Rechnung 4711'): Buffer {
	const objects = [
		'<< /Type /Catalog /Pages 2 0 R >>',
		'<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
		'<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>',
		`<< /Length ${text.length + 24} >>\nstream\nBT /F1 12 Tf (${text}) Tj ET\nendstream`,
	];
	let body = '%PDF-1.4\n%\xe2\xe3\xcf\xd3\n';
	const offsets: number[] = [];
	objects.forEach((object, i) => {
		offsets.push(Buffer.byteLength(body, 'latin1'));
		body += `${i + 1} 0 obj\n${object}\nendobj\n`;
	});
	const xref = Buffer.byteLength(body, 'latin1');
	body += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n${offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('')}`;
	body += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
	return Buffer.from(body, 'latin1');
}

/** A 1×1 PNG (signature, IHDR, IDAT, IEND with their CRCs). */
export function pngImage(): Buffer {
	const chunk = (type: string, data: Buffer) => {
		const typed = Buffer.concat([Buffer.from(type, 'latin1'), data]);
		const length = Buffer.alloc(4);
		length.writeUInt32BE(data.length);
		const crc = Buffer.alloc(4);
		crc.writeUInt32BE(crc32(typed));
		return Buffer.concat([length, typed, crc]);
	};
	const ihdr = Buffer.alloc(13);
	ihdr.writeUInt32BE(1, 0);
	ihdr.writeUInt32BE(1, 4);
	ihdr[8] = 8; // bit depth
	ihdr[9] = 2; // RGB
	return Buffer.concat([
		Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
		chunk('IHDR', ihdr),
		chunk(
			'IDAT',
			Buffer.from([0x78, 0x9c, 0x63, 0xf8, 0xcf, 0xc0, 0x00, 0x00, 0x03, 0x01, 0x01, 0x00]),
		),
		chunk('IEND', Buffer.alloc(0)),
	]);
}

/** The start of a JPEG/JFIF file (SOI, APP0 JFIF segment) and some entropy-coded bytes. */
export function jpegImage(): Buffer {
	return Buffer.concat([
		Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10]),
		Buffer.from('JFIF\0', 'latin1'),
		Buffer.from([0x01, 0x01, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00]),
		seededBytes(600, 7),
		Buffer.from([0xff, 0xd9]),
	]);
}

/** A 64-bit little-endian ELF header followed by padding. */
export function elfExecutable(): Buffer {
	const header = Buffer.alloc(64, 0);
	Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1]).copy(header, 0);
	header.writeUInt16LE(2, 16); // ET_EXEC
	header.writeUInt16LE(0x3e, 18); // x86-64
	header.writeUInt32LE(1, 20);
	return Buffer.concat([header, seededBytes(448, 9)]);
}

/** A gzip-compressed text. */
export function gzipFile(text = 'log line\n'.repeat(50)): Buffer {
	return gzipSync(Buffer.from(text));
}
