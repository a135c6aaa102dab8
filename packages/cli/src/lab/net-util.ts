import { existsSync, readdirSync, readFileSync, readlinkSync, statSync } from 'node:fs';
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
 * Linux: the rows of /proc/net/tcp and /proc/net/tcp6, split into fields (sl local_address
 * rem_address st tx:rx tr:when retrnsmt uid timeout inode ...); null without /proc.
 */
function procTcpRows(): string[][] | null {
  let rows: string[][] | null = null;
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    rows ??= [];
    for (const line of text.split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      if (fields.length > 3) rows.push(fields);
    }
  }
  return rows;
}

/** `:PPPP`, how /proc/net/tcp ends an address on `port`. */
const portSuffix = (port: number) => `:${port.toString(16).toUpperCase().padStart(4, '0')}`;

/** Linux: inodes of the TCP sockets in LISTEN state (st 0A) on `port` (any local address); null without /proc. */
function listeningInodes(port: number): Set<string> | null {
  const rows = procTcpRows();
  if (rows === null) return null;
  const suffix = portSuffix(port);
  const inodes = new Set<string>();
  for (const f of rows) if (f.length > 9 && f[3] === '0A' && f[1]!.endsWith(suffix)) inodes.add(f[9]!);
  return inodes;
}

/**
 * Linux: whether a TCP socket on 127.0.0.1:`port` (as either end) is in a state that still sends
 * packets: anything but LISTEN (0A), TIME_WAIT (06) and CLOSE (07). null without /proc.
 */
function portBusy(port: number): boolean | null {
  const rows = procTcpRows();
  if (rows === null) return null;
  const suffix = portSuffix(port);
  return rows.some(
    (f) =>
      f[3] !== '0A' && f[3] !== '06' && f[3] !== '07' && (f[1]!.endsWith(suffix) || f[2]!.endsWith(suffix)),
  );
}

/**
 * Waits until no connection on `port` will send another packet (Linux, from /proc; at most `maxMs`;
 * false if time ran out). Before a capture starts: the connection `waitListening` made to see the
 * server listen is closed by the server a moment later, and a busy host can delay that close until
 * the capture runs, which then holds a connection without its SYN (`unknown-role`).
 */
export async function waitPortQuiet(port: number, maxMs: number, signal?: AbortSignal): Promise<boolean> {
  const deadline = monotonicMs() + maxMs;
  for (;;) {
    if (portBusy(port) !== true) return true;
    if (monotonicMs() >= deadline || signal?.aborted) return false;
    await sleep(10, signal).catch(() => undefined);
  }
}

/** Linux: `root` and every process descended from it (from /proc/PID/stat's parent pid). */
function processTree(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      // pid (comm) state ppid ...: comm may hold spaces and parentheses, so split after the last ')'
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const list = children.get(ppid) ?? [];
      list.push(Number(name));
      children.set(ppid, list);
    } catch {
      // exited while we looked
    }
  }
  const tree = [root];
  for (let i = 0; i < tree.length && tree.length < 10_000; i++) tree.push(...(children.get(tree[i]!) ?? []));
  return tree;
}

/**
 * Whether the socket listening on 127.0.0.1:`port` belongs to `pid` or one of its children (Linux,
 * from /proc); undefined where /proc cannot tell. A free port picked by binding port 0 can be taken
 * by another program before ours binds it: a connect then succeeds, but to the other program, and
 * ours fails to bind and exits a moment later (seen with a second test suite running).
 */
export function listenerOwnedBy(port: number, pid: number): boolean | undefined {
  const inodes = listeningInodes(port);
  if (inodes === null) return undefined;
  if (inodes.size === 0) return false;
  try {
    for (const p of processTree(pid)) {
      let fds: string[];
      try {
        fds = readdirSync(`/proc/${p}/fd`);
      } catch {
        continue;
      }
      for (const fd of fds) {
        try {
          const inode = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${p}/fd/${fd}`))?.[1];
          if (inode !== undefined && inodes.has(inode)) return true;
        } catch {
          // closed while we looked
        }
      }
    }
  } catch {
    return undefined;
  }
  return false;
}

/**
 * Waits until 127.0.0.1:`port` accepts connections from `process`; false if the process exits or
 * time runs out. Where /proc tells (Linux), a listener that is not `process`'s (another program
 * took the port first) does not count. `process` null: a process started elsewhere, only the port
 * is watched.
 */
export async function waitListening(
  port: number,
  process: (Pick<ManagedProcess, 'hasExited'> & { readonly pid?: number }) | null,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<boolean> {
  const deadline = monotonicMs() + timeoutMs;
  while (monotonicMs() < deadline) {
    if (process?.hasExited()) return false;
    if (await tryConnect(port)) {
      if (process?.hasExited()) return false;
      if (process?.pid === undefined || listenerOwnedBy(port, process.pid) !== false) return true;
      // Someone else listens there: ours will exit when its bind fails (and a new port is tried).
    }
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
