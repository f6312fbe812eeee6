import net from 'node:net';

/**
 * Returns `count` distinct free TCP ports on 127.0.0.1. All probe sockets are held open at the
 * same time (so the kernel hands out distinct ports) and closed before returning; a server
 * started right after may still lose a race, so callers retry with fresh ports on EADDRINUSE.
 */
export async function freePorts(count: number, host = '127.0.0.1'): Promise<number[]> {
	const servers: net.Server[] = [];
	try {
		for (let i = 0; i < count; i++) {
			const server = net.createServer();
			servers.push(server);
			await new Promise<void>((resolve, reject) => {
				server.once('error', reject);
				server.listen({ port: 0, host, exclusive: true }, () => resolve());
			});
		}
		return servers.map((s) => (s.address() as net.AddressInfo).port);
	} finally {
		await Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
	}
}

/** One TCP connect attempt; resolves true when something accepts. */
export function canConnect(port: number, host = '127.0.0.1', timeoutMs = 500): Promise<boolean> {
	return new Promise((resolve) => {
		const socket = net.connect({ port, host });
		const done = (ok: boolean) => {
			socket.removeAllListeners();
			socket.on('error', () => undefined);
			socket.destroy();
			resolve(ok);
		};
		socket.setTimeout(timeoutMs, () => done(false));
		socket.once('connect', () => done(true));
		socket.once('error', () => done(false));
	});
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Waits until every port accepts connections. `check` runs between rounds and may throw to
 * abort early (e.g. the server process died).
 */
export async function waitForPorts(
	ports: number[],
	deadline: number,
	check: () => void = () => undefined,
	host = '127.0.0.1',
): Promise<void> {
	let pending = [...ports];
	for (;;) {
		check();
		const results = await Promise.all(pending.map((p) => canConnect(p, host)));
		pending = pending.filter((_, i) => !results[i]);
		if (pending.length === 0) return;
		if (Date.now() > deadline) {
			throw new Error(`ports ${pending.join(', ')} on ${host} did not open in time`);
		}
		await sleep(10);
	}
}

/** True when nothing listens on the port (a bind succeeds). */
export function isPortFree(port: number, host = '127.0.0.1'): Promise<boolean> {
	return new Promise((resolve) => {
		const server = net.createServer();
		server.once('error', () => resolve(false));
		server.listen({ port, host, exclusive: true }, () => server.close(() => resolve(true)));
	});
}
