import { spawn } from 'node:child_process';
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** True while `pid` exists and is not a zombie (a slow-reaping PID 1 keeps zombies around). */
export function isRunning(pid: number): boolean {
	try {
		const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
		const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
		return state !== 'Z' && state !== 'X';
	} catch {
		return false;
	}
}

/** SIGKILLs a whole process group; ignores groups that are already gone. */
export function killGroup(pgid: number | undefined): void {
	if (!pgid || pgid <= 1) return;
	try {
		process.kill(-pgid, 'SIGKILL');
	} catch {
		/* already gone */
	}
}

/** Records a process group the watchdog must kill (file `<dir>/pgids`). */
export function recordGroup(dir: string, pgid: number): void {
	appendFileSync(path.join(dir, 'pgids'), `${pgid}\n`);
}

/** Reads the first number of a pid file, or undefined. */
export function readPidFile(file: string): number | undefined {
	try {
		const pid = Number.parseInt(readFileSync(file, 'utf8').trim(), 10);
		return Number.isInteger(pid) && pid > 1 ? pid : undefined;
	} catch {
		return undefined;
	}
}

// Runs detached (own session, survives SIGINT to the terminal's process group and SIGKILL of the
// owner). Once the owner is gone - or a zombie - it kills every recorded process group, the
// Postfix and Dovecot masters, and removes the directory. It exits on its own once the directory
// has been removed by a normal stop.
const WATCHDOG = `
owner=$1; dir=$2
alive() {
  local s
  s=$(cat /proc/$owner/stat 2>/dev/null) || return 1
  s=\${s##*) }
  [ "\${s%% *}" != Z ]
}
while alive; do
  [ -d "$dir" ] || exit 0
  sleep 0.3
done
for f in "$dir/pgids" "$dir/spool/pid/master.pid" "$dir/dovecot/run/master.pid"; do
  [ -f "$f" ] || continue
  while read -r p; do
    case $p in ''|*[!0-9]*) continue;; esac
    [ "$p" -gt 1 ] && kill -KILL -- "-$p" 2>/dev/null
  done < "$f"
done
rm -rf -- "$dir"
`;

/** Starts the guard process; returns its pid (it leads its own process group). */
export function startWatchdog(ownerPid: number, dir: string): number {
	const script = path.join(dir, 'watchdog.sh');
	writeFileSync(
		script,
		`# mail-stack watchdog, see test/support/mail-stack/process.ts${WATCHDOG}`,
		{ mode: 0o644 },
	);
	const child = spawn('bash', [script, String(ownerPid), dir], {
		detached: true,
		stdio: 'ignore',
	});
	child.unref();
	if (!child.pid) throw new Error('could not start the mail stack watchdog (bash)');
	return child.pid;
}
