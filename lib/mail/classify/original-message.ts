import { messageIdsIn } from '../message-id';
import { parseMessageHeaders } from '../parse-message';
import type { ClassifiableMessage } from '../types';

/** Parts that carry the returned message or its header section. */
const ORIGINAL_TYPES = new Set([
	'message/rfc822',
	'message/global',
	'text/rfc822-headers',
	'message/rfc822-headers',
	'message/global-headers',
]);

/**
 * Finds the Message-ID of the mail a report (bounce, MDN, ARF) is about: from an attached
 * message or header section (RFC 3464 / 6522 third part), else from a `Message-ID:` line
 * quoted in the text (bounces that copy the original headers into the body).
 */
export function originalMessageId(message: ClassifiableMessage): string | undefined {
	for (const part of message.attachments ?? []) {
		if (!ORIGINAL_TYPES.has(part.contentType)) continue;
		const id = parseMessageHeaders(part.content).messageId;
		if (id) return id;
	}
	return quotedMessageId(message.text, message.messageId);
}

// The value keeps its leading blanks (messageIdsIn skips them): `[ \t]*(.*)` would let two
// quantifiers share a run of blanks.
const QUOTED_ID = /^[ \t>]*Message-Id:(.*)$/gim;

/** The first `Message-ID:` header line quoted in a text body that is not the mail's own id. */
export function quotedMessageId(
	text: string | undefined,
	ownId?: string | null,
): string | undefined {
	if (!text) return undefined;
	for (const match of text.matchAll(QUOTED_ID)) {
		const id = messageIdsIn(match[1])[0];
		if (id && id !== ownId) return id;
	}
	return undefined;
}
