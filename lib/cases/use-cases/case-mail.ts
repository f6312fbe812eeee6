/**
 * The incoming mail as the case use cases take it: the parsed header section, the bodies and
 * the attachments (with content when they are to be stored), and the raw bytes when at hand
 * (only for the ledger key of a mail without Message-ID and raw hash). The Mail Cases Trigger's
 * item read back by nodes/shared/mail-item.ts has this shape.
 */
import type { MailAttachment, ParsedHeaderSection } from '../../mail/types';

export interface CaseMail extends ParsedHeaderSection {
	text: string;
	html: string | null;
	attachments: MailAttachment[];
	raw?: Buffer;
	/** #13.1: the trigger item's key of the mail (its Message-ID, or `sha256:<hex>`). */
	messageKey?: string | null;
	/** #13.2: the trigger item's content digest (lib/cases/mail-content-digest.ts). */
	contentDigest?: string | null;
}
