import type { MailFilter } from './context';
import { isNullReturnPath } from './bounce-subject';

/** Body phrases of non-delivery reports. */
const BOUNCE_TEXT =
	/could not be delivered|couldn't be delivered|undeliverable|delivery (to the following recipients? )?(has )?failed|permanent(ly)? (error|fatal)|user unknown|unknown user|no such (user|mailbox)|mailbox (unavailable|full|is full)|recipient address rejected|address rejected|not be delivered|konnte nicht zugestellt|nicht zugestellt werden|unzustellbar/i;

/**
 * Null reverse path (`Return-Path: <>`): only bounces and automatic responses are sent with
 * it (RFC 5321 4.5.5, RFC 3834). Bounce when other rules or the text say so, else autoReply.
 */
export const nullReturnPath: MailFilter = (ctx) => {
	const value = ctx.header('return-path');
	if (value === undefined || !isNullReturnPath(value)) return;
	if (ctx.report || ctx.feedback) return;
	if (ctx.has('bounce')) {
		ctx.hit('bounce', `null Return-Path ${value || '<>'}`);
	} else if (BOUNCE_TEXT.test(ctx.message.text ?? '')) {
		ctx.hit('bounce', `null Return-Path ${value || '<>'} and bounce text`);
	} else {
		ctx.hit('autoReply', `null Return-Path ${value || '<>'}`);
	}
};
