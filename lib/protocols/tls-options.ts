import type { ConnectionOptions } from 'tls';

/** TLS settings every profile shares. */
export interface TlsSettings {
	/** Accept certificates that no trusted CA signed (self-signed). Off by default. */
	allowSelfSigned?: boolean;
	/** Extra CA certificate(s), PEM, for servers with a private CA. */
	caPem?: string;
}

/** Node TLS options for a server name and the profile's TLS settings. */
export function tlsConnectionOptions(host: string, settings: TlsSettings): ConnectionOptions {
	const options: ConnectionOptions = {
		rejectUnauthorized: !settings.allowSelfSigned,
		minVersion: 'TLSv1.2',
	};
	if (settings.caPem && settings.caPem.trim()) options.ca = [settings.caPem];
	// SNI is only allowed for host names, not for IP addresses.
	if (!/^[\d.]+$/.test(host) && !host.includes(':')) options.servername = host;
	return options;
}
