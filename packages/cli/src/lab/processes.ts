/**
 * Child processes of one lab run. Every process is recorded by PID the moment it is spawned and
 * stopped by that PID (SIGTERM, then SIGKILL after a grace period) on success, failure and
 * interruption. Nothing is ever stopped by name.
 */

import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, readdirSync, readFileSync, type WriteStream } from 'node:fs';
import { LabSetupError } from './errors.js';
import { Watchdog } from './watchdog.js';

export interface ManagedProcess {
  readonly name: string;
  readonly pid: number;
  readonly child: ChildProcess;
  /** Resolves with the exit code (or the signal name) when the process has exited. */
  readonly exited: Promise<number | string>;
  /** Resolves once its output is closed and written to `stdoutFile` / `stderrFile`. */
  readonly closed: Promise<void>;
  hasExited(): boolean;
}

export interface SpawnOptions {
  readonly cwd?: string;
  readonly env?: NodeJS.ProcessEnv;
  /**
   * Files that receive the process's stdout / stderr (in addition to any `onStdoutLine`). The same
   * path for both: one file with both streams, in the order they arrive.
   */
  readonly stdoutFile?: string;
  readonly stderrFile?: string;
  /** Called with each complete stdout line. */
  readonly onStdoutLine?: (line: string) => void;
}

export class ProcessGroup {
  private readonly processes: ManagedProcess[] = [];
  private stopping = false;
  private readonly watchdog: Watchdog | undefined;
  /** The watchdog was given (shared with other groups): this group does not close it. */
  private readonly sharedWatchdog: boolean;

  /**
   * With `guard`, a watchdog process stops every child (and removes `tempDir`) if this process dies
   * without cleaning up (SIGKILL): proxies do not notice that their parent is gone. With `watchdog`,
   * that one watchdog, shared by several groups of one process (the tests': test/support).
   */
  constructor(
    private readonly log: (line: string) => void = () => {},
    options: { guard?: boolean; tempDir?: string; watchdog?: Watchdog } = {},
  ) {
    this.sharedWatchdog = options.watchdog !== undefined;
    if (options.watchdog) this.watchdog = options.watchdog;
    else if (options.guard) this.watchdog = Watchdog.start();
    if (this.watchdog && options.tempDir) this.watchdog.removeOnDeath(options.tempDir);
  }

  get all(): readonly ManagedProcess[] {
    return this.processes;
  }

  spawn(name: string, command: string, args: readonly string[], options: SpawnOptions = {}): ManagedProcess {
    if (this.stopping) throw new Error(`not starting ${name}: the lab is stopping`);
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    if (child.pid === undefined) {
      // spawn failed (ENOENT, EACCES): the 'error' event carries the reason
      const failure = new Promise<never>((_, reject) => child.once('error', reject));
      failure.catch(() => {});
      throw new LabSetupError(`could not start ${name} (${command})`);
    }
    let exitedFlag = false;
    const exited = new Promise<number | string>((resolve) => {
      child.once('exit', (code, signal) => {
        exitedFlag = true;
        resolve(code ?? signal ?? 'unknown');
      });
      child.once('error', () => {
        exitedFlag = true;
        resolve('spawn-error');
      });
    });
    const stdoutFile: WriteStream | undefined = options.stdoutFile
      ? createWriteStream(options.stdoutFile)
      : undefined;
    const stderrFile: WriteStream | undefined =
      options.stderrFile === options.stdoutFile
        ? stdoutFile
        : options.stderrFile
          ? createWriteStream(options.stderrFile)
          : undefined;
    let pending = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      stdoutFile?.write(chunk);
      if (!options.onStdoutLine) return;
      pending += chunk.toString('utf8');
      let newline = pending.indexOf('\n');
      while (newline >= 0) {
        options.onStdoutLine(pending.slice(0, newline));
        pending = pending.slice(newline + 1);
        newline = pending.indexOf('\n');
      }
    });
    child.stderr!.on('data', (chunk: Buffer) => stderrFile?.write(chunk));
    const closed = new Promise<void>((resolve) => {
      child.once('close', () => {
        const files = [...new Set([stdoutFile, stderrFile])].filter((f) => f !== undefined);
        let pendingFiles = files.length;
        if (pendingFiles === 0) resolve();
        for (const file of files) {
          file.end(() => {
            if (--pendingFiles === 0) resolve();
          });
        }
      });
      child.once('error', () => resolve());
    });
    const managed: ManagedProcess = {
      name,
      pid: child.pid,
      child,
      exited,
      closed,
      hasExited: () => exitedFlag,
    };
    this.processes.push(managed);
    this.watchdog?.watch(child.pid);
    this.log(`started ${name} (pid ${child.pid})`);
    return managed;
  }

  /** Stops one process by its PID: SIGTERM, then SIGKILL after `graceMs`. */
  async stop(managed: ManagedProcess, graceMs = 3000): Promise<void> {
    if (managed.hasExited()) {
      // Its PID may be reused: the watchdog must not signal it later.
      this.watchdog?.release(managed.pid);
      return;
    }
    // Children that a process forked (nginx workers, Apache's worker process) are collected first,
    // so that they can be stopped by PID if their parent dies without taking them along.
    const descendants = descendantPids(managed.pid);
    signalPid(managed.pid, 'SIGTERM');
    const stopped = await Promise.race([
      managed.exited.then(() => true),
      new Promise<boolean>((resolve) => setTimeout(() => resolve(false), graceMs).unref()),
    ]);
    if (!stopped) {
      signalPid(managed.pid, 'SIGKILL');
      await Promise.race([managed.exited, new Promise((r) => setTimeout(r, 1000).unref())]);
    }
    for (const pid of descendants) {
      if (await waitGone(pid, 1000)) continue;
      signalPid(pid, 'SIGKILL');
    }
    this.watchdog?.release(managed.pid);
    this.log(`stopped ${managed.name} (pid ${managed.pid})`);
  }

  /** Stops every process still running, most recent first. Safe to call more than once. */
  async stopAll(): Promise<void> {
    this.stopping = true;
    for (const managed of [...this.processes].reverse()) {
      try {
        await this.stop(managed);
      } catch {
        // keep stopping the others
      }
    }
  }

  /** After `stopAll` and the temp dir's removal: the watchdog exits without doing anything. */
  release(): void {
    if (!this.sharedWatchdog) this.watchdog?.close();
  }
}

function signalPid(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // already gone
  }
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  // A zombie still answers signal 0; treat it as gone.
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return true;
  }
}

async function waitGone(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!isAlive(pid)) return true;
    await new Promise((r) => setTimeout(r, 25));
  }
  return !isAlive(pid);
}

/** PIDs of every descendant of `pid` (Linux /proc; empty elsewhere). */
export function descendantPids(pid: number): number[] {
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return [];
  }
  const parentOf = new Map<number, number>();
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      parentOf.set(Number(entry), Number(fields[1]));
    } catch {
      // process ended while reading
    }
  }
  const result: number[] = [];
  const queue = [pid];
  while (queue.length > 0) {
    const current = queue.shift()!;
    for (const [child, parent] of parentOf) {
      if (parent === current && !result.includes(child)) {
        result.push(child);
        queue.push(child);
      }
    }
  }
  return result;
}
