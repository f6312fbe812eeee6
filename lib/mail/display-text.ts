/**
 * How a mail's date and addresses are shown to people in the mails we compose (notifications,
 * forwards), and HTML escaping for their simple HTML parts.
 */
/** Control and invisible characters; they never reach a notification. */
export const INVISIBLE_CHARACTERS =
	// eslint-disable-next-line no-control-regex -- matching control characters is the point
	/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]/g;

/** `2026-11-29 10:00 UTC` for an ISO date; '' when there is none or it is invalid. */
export function formatMailDate(iso: string | null | undefined): string {
	if (!iso) return '';
	const date = new Date(iso);
	if (Number.isNaN(date.getTime())) return '';
	return `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** `Erika Mustermann <erika@example.com>` or the bare address. */
export function formatAddress(
	address: { address: string; name?: string } | null | undefined,
): string {
	if (!address?.address) return '';
	const name = (address.name ?? '').replace(INVISIBLE_CHARACTERS, '').trim();
	return name ? `${name} <${address.address}>` : address.address;
}

export function escapeHtml(text: string): string {
	return text
		.replace(/&/g, '&amp;')
		.replace(/</g, '&lt;')
		.replace(/>/g, '&gt;')
		.replace(/"/g, '&quot;')
		.replace(/'/g, '&#39;');
}
