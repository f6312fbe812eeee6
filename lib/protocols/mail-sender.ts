import type { MailAddress, OutgoingMessage } from '../mail/outgoing-message';

/** What every outgoing transport reports for a sent mail. */
export interface SentMail {
	messageId: string;
	accepted: string[];
	rejected: string[];
	response: string;
}

/**
 * An outgoing transport (SMTP profile or Exchange profile) with the From it sends as. Nodes that
 * send (Send Mail, Notify Responsible, Forward) work with this and do not care which it is.
 */
export interface MailSender {
	/** `smtp` or `exchange`. */
	readonly kind: 'smtp' | 'exchange';
	/** From of every mail sent through this sender (R-OUT-4, R-OUT-5). */
	readonly from: MailAddress;
	/** R-OUT-6: the profile is marked as the default for system mails. */
	readonly isDefault: boolean;
	/**
	 * #17.5: how many mails the sender takes at once — the items of an execution are sent that
	 * wide (SMTP: the pool's connections). 1 (one after the other) when not given.
	 */
	readonly concurrency?: number;
	send(message: OutgoingMessage): Promise<SentMail>;
	close(): void;
}
