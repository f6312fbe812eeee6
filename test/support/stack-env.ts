/**
 * setupFile of the "integration" and "workflows" projects. Defines no globals: tests import
 * what they need from test/support/mail-stack. It only fails fast, with a clear message, when
 * the mail stack the global setup started is missing or has died.
 */
import { getStack, stackIsRunning } from './mail-stack/description';

const stack = getStack();
if (!stackIsRunning(stack)) {
	throw new Error(
		`the test mail stack in ${stack.dir} is not running (Dovecot pid ${stack.dovecotPid}, Postfix pid ` +
			`${stack.postfixPid}); see ${stack.logs.dovecot} and ${stack.logs.postfix}`,
	);
}
