import net from 'net';

/**
 * A TCP relay on 127.0.0.1 in front of a server, for network-failure tests: `freeze()` stops
 * moving bytes on the connections open now without closing them — a half-open connection as a
 * dead NAT entry or a pulled cable leaves it: no FIN, no RST, no event. New connections work.
 */
export interface TcpRelay {
	port: number;
	/** Connections accepted so far. */
	readonly connections: number;
	/** Connections open now (closed by either side: no longer counted). */
	readonly open: number;
	freeze(): void;
	/**
	 * `true`: the server behind the relay is gone — open connections are reset and new ones are
	 * closed at once. `false`: relaying again.
	 */
	refuse(on: boolean): void;
	close(): Promise<void>;
}

export interface TcpRelayOptions {
	/**
	 * Sees each chunk the client sends (plain-text protocols only). A string returned is written
	 * back to the client instead of forwarding the chunk: the server's answer is replaced, e.g. a
	 * NO for one command while the session lives.
	 */
	answerClient?: (chunk: string) => string | undefined;
}

export async function startTcpRelay(
	targetPort: number,
	targetHost = '127.0.0.1',
	options: TcpRelayOptions = {},
): Promise<TcpRelay> {
	const pairs = new Set<{ client: net.Socket; upstream: net.Socket; frozen: boolean }>();
	let connections = 0;
	let refusing = false;
	const server = net.createServer((client) => {
		if (refusing) {
			client.resetAndDestroy();
			return;
		}
		connections++;
		const upstream = net.connect(targetPort, targetHost);
		const pair = { client, upstream, frozen: false };
		pairs.add(pair);
		const forward = (from: net.Socket, to: net.Socket) =>
			from.on('data', (chunk) => {
				if (pair.frozen) return;
				const answer =
					from === client ? options.answerClient?.(chunk.toString('latin1')) : undefined;
				if (answer !== undefined) client.write(answer);
				else to.write(chunk);
			});
		forward(client, upstream);
		forward(upstream, client);
		const end = () => {
			if (pair.frozen) return; // a frozen connection says nothing, not even goodbye
			client.destroy();
			upstream.destroy();
			pairs.delete(pair);
		};
		for (const s of [client, upstream]) {
			s.on('error', end);
			s.on('close', end);
		}
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	return {
		port: (server.address() as net.AddressInfo).port,
		get connections() {
			return connections;
		},
		get open() {
			return pairs.size;
		},
		freeze() {
			for (const pair of pairs) pair.frozen = true;
		},
		refuse(on: boolean) {
			refusing = on;
			if (!on) return;
			for (const pair of pairs) {
				pair.client.resetAndDestroy();
				pair.upstream.destroy();
				pairs.delete(pair);
			}
		},
		async close() {
			for (const pair of pairs) {
				pair.client.destroy();
				pair.upstream.destroy();
			}
			await new Promise<void>((resolve) => server.close(() => resolve()));
		},
	};
}
