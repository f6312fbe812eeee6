import { MailCasesError } from '../../errors';
import type { StoreContext } from '../context';
import type { SendClaim } from '../types';

/**
 * #15.2: claims on sends that must happen once (acknowledgement, notification, forward, Send
 * Mail with Send Once Per). A claim is taken in one statement (unique key; state `sending` with a
 * lease), so of two runs that want to send the same mail at the same moment exactly one gets it;
 * the other sees it `held` (and waits, see sendOnce) or `done`. A run that crashed leaves its
 * claim `sending`: after the lease ran out another run takes it over and sends again, with the
 * same deterministic Message-ID.
 */
export class SendClaimRepository {
	constructor(private readonly ctx: StoreContext) {}

	/** Takes the claim on `key` for `leaseMs`, or says who has it. */
	async claim(key: string, leaseMs: number): Promise<SendClaim> {
		void key;
		void leaseMs;
		void this.ctx;
		throw new MailCasesError('INTERNAL', 'send claims: not implemented yet');
	}

	/** The send under `key` is done (sent, or permanently rejected): later claims find it done. */
	async finish(key: string, messageId: string | null): Promise<void> {
		void key;
		void messageId;
		throw new MailCasesError('INTERNAL', 'send claims: not implemented yet');
	}

	/** The send under `key` failed (nothing went out): the claim is given up, a retry may take it. */
	async release(key: string): Promise<void> {
		void key;
		throw new MailCasesError('INTERNAL', 'send claims: not implemented yet');
	}
}
