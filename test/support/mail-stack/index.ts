/**
 * The real mail-server test stack: Dovecot (IMAP/IMAPS/POP3/POP3S/LMTP/SASL) and Postfix
 * (port-25 relay, submission, SMTPS) in a throw-away directory, plus client helpers for tests.
 *
 * Tests use `getStack()` and the helpers; the stack itself is started once per Jest run by
 * test/support/global-setup.ts (projects "integration" and "workflows" only).
 */
export {
	startMailStack,
	stopStackFromDescription,
	writeDescription,
	STACK_DIR_PREFIX,
} from './stack';
export { STACK_ENV, getStack, stackIsRunning } from './description';
export {
	stackUser,
	address,
	claimUser,
	imapOptions,
	imapClient,
	listImap,
	popOptions,
	popList,
	waitForMail,
	clearMailbox,
	deliver,
	composeMail,
	smtpOptions,
} from './client';
export type { TlsMode, SmtpMode, ListedMessage } from './client';
export { freePorts, isPortFree, canConnect } from './ports';
export { STACK_DOMAIN, NAMED_USERS, NUMBERED_USER_COUNT, numberedUser, passwordFor } from './users';
export type {
	StackDescription,
	StackPorts,
	StackUser,
	MailStackOptions,
	MailStackHandle,
} from './types';
