import type { StackUser } from './types';

export const STACK_DOMAIN = 'example.test';

/** Named users every stack has. */
export const NAMED_USERS = [
	'alice',
	'bob',
	'carol',
	'dave',
	'support',
	'helpdesk',
	'notify',
	'forward',
] as const;

/** Number of numbered users `user01` … `user300`, meant to give each test file its own mailboxes (claimUser). */
export const NUMBERED_USER_COUNT = 300;

export function numberedUser(n: number): string {
	if (!Number.isInteger(n) || n < 1 || n > NUMBERED_USER_COUNT) {
		throw new RangeError(`numbered test users are user01 … user${NUMBERED_USER_COUNT}, not ${n}`);
	}
	return `user${String(n).padStart(2, '0')}`;
}

export function defaultUserNames(): string[] {
	const names: string[] = [...NAMED_USERS];
	for (let n = 1; n <= NUMBERED_USER_COUNT; n++) names.push(numberedUser(n));
	return names;
}

const LOCAL_PART = /^[a-z0-9][a-z0-9._-]*$/;

/** Known, deterministic test password; has no `:` (passwd-file) and no whitespace. */
export function passwordFor(name: string): string {
	return `${name}-Pa55!word`;
}

export function buildUsers(extra: string[] = []): Record<string, StackUser> {
	const users: Record<string, StackUser> = {};
	for (const name of [...defaultUserNames(), ...extra]) {
		if (!LOCAL_PART.test(name)) throw new Error(`invalid test user name "${name}"`);
		users[name] = { address: `${name}@${STACK_DOMAIN}`, password: passwordFor(name) };
	}
	return users;
}
