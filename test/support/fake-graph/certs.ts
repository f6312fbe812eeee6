import { execFile } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** A certificate for an app registration's certificate credential (RSA, as Entra ID requires). */
export interface AppCertificate {
	certificatePem: string;
	privateKeyPem: string;
	/** Hex, as the portal shows it (SHA-1) and the SHA-256 variant. */
	thumbprintSha1: string;
	thumbprintSha256: string;
}

/** Creates a self-signed RSA-2048 certificate with openssl (no CA: Entra ID only pins the public key). */
export async function createAppCertificate(dir: string, name: string): Promise<AppCertificate> {
	await fs.mkdir(dir, { recursive: true });
	const keyFile = path.join(dir, `${name}.key`);
	const certFile = path.join(dir, `${name}.crt`);
	try {
		await run(
			'openssl',
			[
				'req',
				'-x509',
				'-newkey',
				'rsa:2048',
				'-nodes',
				'-keyout',
				keyFile,
				'-out',
				certFile,
				'-days',
				'2',
				'-subj',
				`/CN=${name}`,
			],
			{ timeout: 20_000 },
		);
	} catch (error) {
		const stderr = (error as { stderr?: string }).stderr ?? '';
		throw new Error(`openssl could not create the app certificate: ${stderr.trim() || error}`);
	}
	const certificatePem = await fs.readFile(certFile, 'utf8');
	const privateKeyPem = await fs.readFile(keyFile, 'utf8');
	await fs.rm(keyFile, { force: true });
	const cert = new X509Certificate(certificatePem);
	return {
		certificatePem,
		privateKeyPem,
		thumbprintSha1: cert.fingerprint.replace(/:/g, ''),
		thumbprintSha256: cert.fingerprint256.replace(/:/g, ''),
	};
}
