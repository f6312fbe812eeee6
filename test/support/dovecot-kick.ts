import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { getStack } from './mail-stack';
import { waitUntil } from './n8n/wait';

const run = promisify(execFile);

/** Lines of the stack's Dovecot log about `address` (the log is shared by all test files). */
function dovecotLog(address: string): string[] {
	return readFileSync(getStack().logs.dovecot, 'utf8')
		.split('\n')
		.filter((line) => line.includes(`(${address})`));
}

/**
 * Ends every session of the user from the server side, as Dovecot's autologout of an idle
 * session does (10 min for POP3, 30 min for IMAP, neither configurable in Dovecot 2.3):
 * `doveadm kick` sends the user's mail processes SIGTERM, they log "Disconnected: Server
 * shutting down" and close the connection. Resolves once Dovecot logged that for `protocol`.
 */
export async function kickSessions(address: string, protocol: 'imap' | 'pop3'): Promise<void> {
	const ended = () =>
		dovecotLog(address).filter(
			(l) => l.includes(`${protocol}(${address})`) && /Disconnected: Server shutting down/.test(l),
		).length;
	const before = ended();
	const conf = path.join(getStack().dir, 'dovecot', 'dovecot.conf');
	await run('doveadm', ['-c', conf, 'kick', address]);
	await waitUntil(`Dovecot logged the end of the ${protocol} session`, () => ended() > before);
}
