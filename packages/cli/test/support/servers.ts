/**
 * Real servers and proxies for the tests and benchmarks, on the lab's process management
 * (src/lab/processes.ts, src/lab/net-util.ts): every process is recorded by its PID when it is
 * spawned and stopped by that PID (SIGTERM, then SIGKILL, its forked children too); a temp dir
 * made here is removed on stop and when start-up fails. Each caller keeps its own config template.
 */
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, spawnListening } from '../../src/lab/net-util.js';
import { type ManagedProcess, ProcessGroup } from '../../src/lab/processes.js';
import { Watchdog } from '../../src/lab/watchdog.js';

export { freePort };

/** Polls `condition` every 50 ms until it holds (true) or `timeoutMs` has passed (its last value). */
export async function waitUntil(condition: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (condition()) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return condition();
}

let watchdog: Watchdog | undefined;

/**
 * A process group for a test: every process it starts is also listed with one watchdog per test
 * process (src/lab/watchdog.ts), which stops it by its PID if the test process ends without
 * stopping it: Ctrl-C, a test runner's timeout, SIGKILL. nginx, HAProxy, Apache and Caddy do not
 * notice that their parent is gone (seen: Apache left running after an interrupted corpus run).
 */
export function testProcessGroup(): ProcessGroup {
  watchdog ??= Watchdog.start();
  return new ProcessGroup(undefined, { watchdog });
}

/** Linux's range for ports picked by the kernel: `bind` to port 0 and the source port of `connect`. */
function ephemeralRange(): [number, number] {
  const text = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8');
  const [low, high] = text.trim().split(/\s+/).map(Number);
  if (!Number.isInteger(low) || !Number.isInteger(high)) throw new Error(`ip_local_port_range: ${text}`);
  return [low!, high!];
}

/** True when a connection to 127.0.0.1:`port` is refused (nothing listens there now). */
function refuses(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    const timer = setTimeout(() => {
      socket.destroy();
      resolve(false);
    }, 2000);
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.destroy();
      resolve(false);
    });
    socket.once('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      resolve(error.code === 'ECONNREFUSED');
    });
  });
}

/**
 * A 127.0.0.1 port that refuses connections for the whole test, for "the target is down".
 *
 * Not `freePort()`: a port picked by binding port 0 and closed again lies in the kernel's ephemeral
 * range, and the next bind to port 0 may get it again. In CI the "missing target" test picked its
 * dead port, then started HAProxy on `freePort()`, which returned the same port: HAProxy proxied
 * to itself until its connections ran out, and answered 504 and then nothing instead of four 503s
 * (about 1 in 7,000 per pair of picks: measured here on Linux 6.18, 3,000 binds to port 0 gave
 * 2,418 distinct ports, all odd, all in the lower half of 32768-60999, as uniform picks among the
 * 7,058 such ports would). A
 * connection to such a port can also connect to itself (its source port = the target port).
 * This port lies outside the ephemeral range (10000 up to it, or above it), where the kernel never
 * hands out a port: the tests bind only port 0, and a source port is never outside the range.
 * Whatever else runs on the machine is checked: the port is returned only when a connection to it
 * is refused now (at most 50 random tries).
 */
export async function refusedPort(): Promise<number> {
  const [low, high] = ephemeralRange();
  const below = Math.max(0, low - 10_000);
  const above = Math.max(0, 65_535 - high);
  if (below + above === 0) throw new Error(`no port outside the ephemeral range ${low}-${high}`);
  for (let attempt = 0; attempt < 50; attempt++) {
    const pick = Math.floor(Math.random() * (below + above));
    const port = pick < below ? 10_000 + pick : high + 1 + (pick - below);
    if (await refuses(port)) return port;
  }
  throw new Error(`no port outside the ephemeral range ${low}-${high} refused connections in 50 tries`);
}

/** A new temp dir and the way to remove it. */
export async function tempDir(prefix: string): Promise<{ path: string; remove(): Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), prefix));
  return { path, remove: () => rm(path, { recursive: true, force: true }) };
}

export interface ServerSpec {
  /** Names the process, its temp dir and its output files. */
  readonly name: string;
  readonly command: string;
  /** Its arguments, once its directory and port are known. */
  readonly args: (dir: string, port: number) => string[];
  /** Writes its configuration into `dir` for `port` (run again for each start-up attempt). */
  readonly prepare?: (dir: string, port: number) => void | Promise<void>;
  readonly env?: NodeJS.ProcessEnv;
  /** An existing directory to run in, kept on stop; default: a new temp dir, removed on stop. */
  readonly dir?: string;
  /** One file for stdout and stderr; default: `<name>.stdout.log` and `<name>.stderr.log` in the dir. */
  readonly outputFile?: string;
  readonly startTimeoutMs?: number;
}

export interface StartedServer {
  readonly name: string;
  readonly port: number;
  readonly pid: number;
  readonly dir: string;
  readonly process: ManagedProcess;
  /** Its stdout and stderr (as written to its output files so far). */
  output(): string;
  /** Stops it by PID, waits until its output is written, removes a temp dir made for it. */
  stop(): Promise<void>;
}

/**
 * Starts `spec.command` in its own directory on a free 127.0.0.1 port and waits until it accepts
 * connections. On failure everything started is stopped and the temp dir removed before the error
 * (which carries the process's stderr) is thrown.
 */
export async function startServer(spec: ServerSpec): Promise<StartedServer> {
  const ownDir = spec.dir === undefined;
  const dir = spec.dir ?? (await mkdtemp(join(tmpdir(), `kap-${spec.name}-`)));
  const stdoutFile = spec.outputFile ?? join(dir, `${spec.name}.stdout.log`);
  const stderrFile = spec.outputFile ?? join(dir, `${spec.name}.stderr.log`);
  const group = testProcessGroup();
  let stopped: Promise<void> | null = null;
  const stop = (managed?: ManagedProcess) => {
    stopped ??= (async () => {
      await group.stopAll();
      if (managed) await Promise.race([managed.closed, new Promise((r) => setTimeout(r, 2000).unref())]);
      if (ownDir) await rm(dir, { recursive: true, force: true });
    })();
    return stopped;
  };
  try {
    const started = await spawnListening(
      group,
      {
        name: spec.name,
        cwd: dir,
        stdoutFile,
        stderrFile,
        timeoutMs: spec.startTimeoutMs ?? 15_000,
        attempts: 3,
      },
      async (port) => {
        await spec.prepare?.(dir, port);
        return { command: spec.command, args: spec.args(dir, port), env: spec.env };
      },
    );
    const readOutput = (file: string) => (existsSync(file) ? readFileSync(file, 'utf8') : '');
    return {
      name: spec.name,
      port: started.port,
      pid: started.process.pid,
      dir,
      process: started.process,
      output: () =>
        stdoutFile === stderrFile ? readOutput(stdoutFile) : readOutput(stdoutFile) + readOutput(stderrFile),
      stop: () => stop(started.process),
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

// Tests that need a program the machine may lack skip themselves with the reason: see binaries.ts.
export { hasBinary, missingBinaries, requireBinaries, skipUnless } from './binaries.js';
