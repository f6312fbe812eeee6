import { loopHeaderValue, loopHeaderValues, LOOP_HEADER } from '../loop-header';
import type { MailFilter } from './context';

/**
 * Our own loop header (R-PLUS-3): a mail this installation sent came back → loop. The header
 * of another installation (another systemId) marks automatic mail of a foreign system →
 * autoReply. Without a configured systemId every mail with the header is taken as ours.
 */
export const ownLoopHeader: MailFilter = (ctx) => {
	const values = loopHeaderValues(ctx.message.headers);
	if (!values.length) return;
	const { systemId } = ctx.options;
	if (systemId === undefined) {
		ctx.hit('loop', `${LOOP_HEADER} header present (mail sent by this package)`);
		return;
	}
	const own = loopHeaderValue(systemId);
	if (values.includes(own)) {
		ctx.hit('loop', `${LOOP_HEADER}: ${own} (mail sent by this system)`);
	} else {
		ctx.hit(
			'autoReply',
			`${LOOP_HEADER}: ${values[0]} (automatic mail of another mail-cases system)`,
		);
	}
};
