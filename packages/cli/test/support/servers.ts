/**
 * Real servers and proxies for the tests and benchmarks, on the lab's process management
 * (src/lab/processes.ts, src/lab/net-util.ts): every process is recorded by its PID when it is
 * spawned and stopped by that PID (SIGTERM, then SIGKILL, its forked children too); a temp dir
 * made here is removed on stop and when start-up fails. Each caller keeps its own config template.
 */
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, spawnListening, waitListening } from '../../src/lab/net-util.js';
import { type ManagedProcess, ProcessGroup } from '../../src/lab/processes.js';

export { freePort };

/** Output kept in memory per process (the start of it), for failure messages. */
const OUTPUT_LIMIT_CHARS = 64_000;

/** A new temp dir and the way to remove it. */
export async function tempDir(prefix: string): Promise<{ path: string; remove(): Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), prefix));
  return { path, remove: () => rm(path, { recursive: true, force: true }) };
}

/** Resolves once something accepts TCP connections on 127.0.0.1:`port`; throws after `timeoutMs`. */
export async function waitForPort(port: number, timeoutMs = 10_000): Promise<void> {
  if (!(await waitListening(port, null, timeoutMs)))
    throw new Error(`nothing listening on 127.0.0.1:${port} after ${timeoutMs} ms`);
}

/** A process started by `startProcess`, stopped by its PID. */
export interface TrackedProcess {
  readonly process: ManagedProcess;
  readonly pid: number;
  /** Its stdout and stderr so far. */
  output(): string;
  stop(): Promise<void>;
}

/** Starts `command`, which learns its port some other way (a config file already written). */
export function startProcess(command: string, args: readonly string[]): TrackedProcess {
  const group = new ProcessGroup();
  const managed = group.spawn(command, command, args);
  // Listeners added before this tick ends miss nothing: stream data arrives on later ticks.
  let output = '';
  const keep = (chunk: Buffer) => {
    if (output.length < OUTPUT_LIMIT_CHARS) output += chunk.toString('utf8');
  };
  managed.child.stdout?.on('data', keep);
  managed.child.stderr?.on('data', keep);
  return {
    process: managed,
    pid: managed.pid,
    output: () => output,
    stop: () => group.stop(managed),
  };
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
  const group = new ProcessGroup();
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
