import { existsSync, readFileSync, statSync } from 'node:fs';
import * as net from 'node:net';
import { monotonicMs, sleep } from './clock.js';
import { LabSetupError } from './errors.js';
import type { ManagedProcess, ProcessGroup } from './processes.js';

/** A free TCP port on 127.0.0.1, picked by binding port 0 (for programs that need a port number). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function tryConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/**
 * Waits until 127.0.0.1:`port` accepts connections; false if the process exits or time runs out.
 * `process` null: a process started elsewhere, only the port is watched.
 */
export async function waitListening(
  port: number,
  process: Pick<ManagedProcess, 'hasExited'> | null,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<boolean> {
  const deadline = monotonicMs() + timeoutMs;
  while (monotonicMs() < deadline) {
    if (process?.hasExited()) return false;
    if (await tryConnect(port)) return !process?.hasExited();
    await sleep(25, signal);
  }
  return false;
}

/** What to run for a server told its port: `spawnListening` builds one per attempt. */
export interface ListeningCommand {
  readonly command: string;
  readonly args: readonly string[];
  readonly env?: NodeJS.ProcessEnv;
}

export interface SpawnListeningOptions<T extends ListeningCommand = ListeningCommand> {
  readonly name: string;
  readonly cwd?: string;
  /** Files for the process's stdout / stderr (the same path: both in one file). */
  readonly stdoutFile?: string;
  readonly stderrFile?: string;
  readonly timeoutMs: number;
  /** Start-up attempts, each on a new free port. */
  readonly attempts: number;
  readonly signal?: AbortSignal;
  /** What a failed attempt (run as `spec`) left to explain it (default: the end of `stderrFile`). */
  readonly failureDetails?: (spec: T) => string;
  /** Appended to the error when every attempt failed. */
  readonly failureHint?: string;
}

/**
 * Starts a server that listens on a port it is given: picks a free port, builds the command for it
 * (writing its configuration), spawns it in `group` and waits until it accepts connections. The
 * port is picked by binding port 0; another program could take it before the server binds it, so
 * start-up is retried `attempts` times with a new port. A failed attempt is stopped by its PID;
 * when all fail, a LabSetupError says why.
 */
export async function spawnListening<T extends ListeningCommand>(
  group: ProcessGroup,
  options: SpawnListeningOptions<T>,
  build: (port: number) => T | Promise<T>,
): Promise<{ port: number; process: ManagedProcess; spec: T }> {
  const failureDetails =
    options.failureDetails ??
    (() =>
      options.stderrFile && existsSync(options.stderrFile)
        ? readFileSync(options.stderrFile, 'utf8').trim().slice(-2000)
        : '');
  let lastError = '';
  for (let attempt = 1; attempt <= options.attempts; attempt++) {
    const port = await freePort();
    const spec = await build(port);
    const managed = group.spawn(options.name, spec.command, spec.args, {
      cwd: options.cwd,
      env: spec.env ?? process.env,
      stdoutFile: options.stdoutFile,
      stderrFile: options.stderrFile,
    });
    if (await waitListening(port, managed, options.timeoutMs, options.signal)) {
      return { port, process: managed, spec };
    }
    await group.stop(managed);
    lastError = failureDetails(spec);
  }
  throw new LabSetupError(
    `${options.name} did not start: ${lastError.trim() || 'no output'}${options.failureHint ?? ''}`,
  );
}

/**
 * Waits until tcpdump has written what it was sent, before it is stopped: on SIGTERM tcpdump stops
 * reading, so packets still in the kernel's buffer (a tcpdump that a busy host has not scheduled
 * yet) are lost. Done when every file's size has not changed for `quietMs`; bounded by `maxMs`.
 */
export async function waitCaptureSettled(
  files: readonly string[],
  options: { quietMs?: number; maxMs?: number; signal?: AbortSignal | undefined } = {},
): Promise<void> {
  const quietMs = options.quietMs ?? 500;
  const deadline = monotonicMs() + (options.maxMs ?? 5000);
  const sizes = () => files.map((f) => (existsSync(f) ? statSync(f).size : -1)).join(',');
  let last = sizes();
  let stableSince = monotonicMs();
  while (monotonicMs() - stableSince < quietMs && monotonicMs() < deadline && !options.signal?.aborted) {
    await sleep(50, options.signal).catch(() => undefined);
    const now = sizes();
    if (now !== last) {
      last = now;
      stableSince = monotonicMs();
    }
  }
}
