/**
 * A watchdog for the lab's child processes when the lab itself dies without cleaning up (SIGKILL,
 * an out-of-memory kill). nginx, HAProxy, Apache and Caddy do not notice that their parent is gone,
 * so without it they would keep running and keep their ports.
 *
 * The watchdog is a tiny Node process holding the read end of a pipe from the lab. The lab writes
 * `+PID` when it starts a process and `-PID` when it has stopped it. If the pipe closes without a
 * final `exit` line, the lab is gone: the watchdog sends SIGTERM to every PID still listed, then
 * SIGKILL to any left after a grace period, removes the temp directories it was told about
 * (`dir PATH`), and exits. It stops processes only by the PIDs it was
 * given, never by name.
 */
import { type ChildProcess, spawn } from 'node:child_process';

const WATCHDOG_SCRIPT = `
// A terminal's Ctrl-C reaches the whole process group; the lab handles it, and the watchdog must
// outlive a second, forced one to clean up after it.
process.on('SIGINT', () => {});
process.on('SIGHUP', () => {});
const pids = new Set();
const dirs = new Set();
let finished = false;
let pending = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk) => {
  pending += chunk;
  let i;
  while ((i = pending.indexOf('\\n')) >= 0) {
    const line = pending.slice(0, i);
    pending = pending.slice(i + 1);
    if (line === 'exit') finished = true;
    else if (line[0] === '+') pids.add(Number(line.slice(1)));
    else if (line[0] === '-') pids.delete(Number(line.slice(1)));
    else if (line.startsWith('dir ')) dirs.add(line.slice(4));
  }
});
const signal = (pid, name) => { try { process.kill(pid, name); return true; } catch { return false; } };
process.stdin.on('end', () => {
  if (finished || pids.size === 0) process.exit(0);
  for (const pid of pids) signal(pid, 'SIGTERM');
  setTimeout(() => {
    for (const pid of pids) signal(pid, 'SIGKILL');
    for (const dir of dirs) { try { require('node:fs').rmSync(dir, { recursive: true, force: true }); } catch {} }
    process.exit(0);
  }, ${2000});
});
`;

export class Watchdog {
  private constructor(private readonly child: ChildProcess) {}

  static start(): Watchdog {
    const child = spawn(process.execPath, ['-e', WATCHDOG_SCRIPT], { stdio: ['pipe', 'ignore', 'ignore'] });
    // Neither the watchdog nor its pipe may keep the lab's event loop alive.
    child.unref();
    (child.stdin as unknown as { unref?: () => void }).unref?.();
    child.stdin?.on('error', () => {});
    return new Watchdog(child);
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  watch(pid: number): void {
    this.child.stdin?.write(`+${pid}\n`);
  }

  release(pid: number): void {
    this.child.stdin?.write(`-${pid}\n`);
  }

  /** A temp directory to remove if the lab dies. */
  removeOnDeath(dir: string): void {
    this.child.stdin?.write(`dir ${dir}\n`);
  }

  /** Normal end of the run: everything was stopped; the watchdog exits without signalling. */
  close(): void {
    this.child.stdin?.end('exit\n');
  }
}
