import type { INodeProperties } from 'n8n-workflow';

/** A private CA to trust (PEM); used by the SMTP and mailbox profiles and the PostgreSQL store. */
export const caCertificateProperty: INodeProperties = {
	displayName: 'CA Certificate',
	name: 'caCertificate',
	type: 'string',
	typeOptions: { password: true, rows: 4 },
	default: '',
	placeholder: '-----BEGIN CERTIFICATE-----',
	description:
		'PEM certificate of a private certificate authority that signed the server certificate',
};

/** TLS trust settings shared by the SMTP and mailbox profiles. */
export const tlsTrustProperties: INodeProperties[] = [
	{
		displayName: 'Allow Self-Signed Certificates',
		name: 'allowSelfSigned',
		type: 'boolean',
		default: false,
		description:
			'Whether to accept TLS certificates no trusted authority signed. Prefer adding the CA certificate below.',
	},
	caCertificateProperty,
];
