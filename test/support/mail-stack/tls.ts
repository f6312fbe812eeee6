import { execFile } from 'node:child_process';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface TestCertificates {
	caFile: string;
	caPem: string;
	certFile: string;
	keyFile: string;
}

/** Where createTestCertificates puts its files (known before they exist). */
export function certificatePaths(dir: string): Omit<TestCertificates, 'caPem'> {
	return {
		caFile: path.join(dir, 'ca.crt'),
		certFile: path.join(dir, 'server.crt'),
		keyFile: path.join(dir, 'server.key'),
	};
}

/**
 * Creates a throw-away CA and a server certificate signed by it (SAN IP:127.0.0.1, IP:::1,
 * DNS:localhost) with openssl. EC P-256 keys keep this at a few tens of milliseconds.
 * The CA private key is deleted right away: nothing else can ever be signed with it.
 * `subjectAltName` replaces the names of the server certificate (openssl syntax).
 */
export async function createTestCertificates(
	dir: string,
	options: { subjectAltName?: string } = {},
): Promise<TestCertificates> {
	await fs.mkdir(dir, { recursive: true, mode: 0o755 });
	const caKey = path.join(dir, 'ca.key');
	const { caFile, keyFile, certFile } = certificatePaths(dir);
	const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
	const opts = { timeout: 10_000 };
	try {
		await run(
			'openssl',
			[
				'req',
				'-x509',
				...ec,
				'-keyout',
				caKey,
				'-out',
				caFile,
				'-days',
				'30',
				'-subj',
				'/O=n8n-nodes-mail-cases tests/CN=Mail Cases Test CA',
				'-addext',
				'basicConstraints=critical,CA:TRUE',
				'-addext',
				'keyUsage=critical,keyCertSign,cRLSign',
			],
			opts,
		);
		await run(
			'openssl',
			[
				'req',
				'-x509',
				'-CA',
				caFile,
				'-CAkey',
				caKey,
				...ec,
				'-keyout',
				keyFile,
				'-out',
				certFile,
				'-days',
				'30',
				'-subj',
				'/O=n8n-nodes-mail-cases tests/CN=localhost',
				'-addext',
				`subjectAltName=${options.subjectAltName ?? 'IP:127.0.0.1,IP:::1,DNS:localhost'}`,
				'-addext',
				'basicConstraints=critical,CA:FALSE',
				'-addext',
				'keyUsage=critical,digitalSignature',
				'-addext',
				'extendedKeyUsage=serverAuth',
			],
			opts,
		);
	} catch (error) {
		const stderr = (error as { stderr?: string }).stderr ?? '';
		throw new Error(`openssl could not create the test certificates: ${stderr.trim() || error}`);
	}
	await fs.rm(caKey, { force: true });
	await fs.chmod(keyFile, 0o600);
	await fs.chmod(certFile, 0o644);
	await fs.chmod(caFile, 0o644);
	return { caFile, caPem: await fs.readFile(caFile, 'utf8'), certFile, keyFile };
}
