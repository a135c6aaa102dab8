/** Parent-side handle on the lab backend (backend-process.ts): start it and read its event log. */

import { join } from 'node:path';
import { childScriptCommand } from './child-script.js';
import { monotonicMs, sleep } from './clock.js';
import { LabSetupError } from './errors.js';
import type { ManagedProcess, ProcessGroup } from './processes.js';

export interface BackendEvent {
  /** Monotonic milliseconds (host clock, comparable with the driver's). */
  readonly t: number;
  readonly ev: 'ready' | 'open' | 'handler' | 'finish' | 'ka_timeout' | 'close';
  readonly conn?: number | null;
  readonly rid?: string;
  readonly method?: string;
  readonly port?: number;
  readonly bytesRead?: number;
  readonly byIdleTimer?: boolean;
}

/** A stream of JSON-line events from a child process, with waiting. */
export class EventLog<E extends { ev: string }> {
  readonly events: E[] = [];
  private waiters: Array<() => void> = [];

  push(line: string): void {
    if (!line.trim()) return;
    try {
      this.events.push(JSON.parse(line) as E);
    } catch {
      return;
    }
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }

  /** The first event matching `predicate`, waiting up to `timeoutMs` for it; null if none came. */
  async waitFor(
    predicate: (event: E) => boolean,
    timeoutMs: number,
    signal?: AbortSignal,
  ): Promise<E | null> {
    const deadline = monotonicMs() + timeoutMs;
    for (;;) {
      const found = this.events.find(predicate);
      if (found) return found;
      const remaining = deadline - monotonicMs();
      if (remaining <= 0) return null;
      await Promise.race([
        new Promise<void>((resolve) => this.waiters.push(resolve)),
        sleep(Math.min(remaining, 250), signal),
      ]);
    }
  }
}

export interface LabBackend {
  readonly port: number;
  readonly keepAliveMs: number;
  readonly closeLagMs: number;
  readonly process: ManagedProcess;
  readonly log: EventLog<BackendEvent>;
}

export async function startBackend(
  group: ProcessGroup,
  options: {
    keepAliveMs: number;
    closeLagMs: number;
    stockNode?: boolean;
    dir: string;
    name: string;
    signal?: AbortSignal;
  },
): Promise<LabBackend> {
  const log = new EventLog<BackendEvent>();
  const { command, args } = childScriptCommand('backend-process');
  const managed = group.spawn(
    options.name,
    command,
    [
      ...args,
      JSON.stringify({
        keepAliveMs: options.keepAliveMs,
        closeLagMs: options.closeLagMs,
        stockNode: options.stockNode === true,
      }),
    ],
    {
      stdoutFile: join(options.dir, `${options.name}.log`),
      stderrFile: join(options.dir, `${options.name}.stderr.log`),
      onStdoutLine: (line) => log.push(line),
    },
  );
  const ready = await Promise.race([
    log.waitFor((e) => e.ev === 'ready', 15_000, options.signal),
    managed.exited.then(() => null),
  ]);
  if (!ready?.port) throw new LabSetupError(`the backend did not start (see ${options.dir})`);
  return {
    port: ready.port,
    keepAliveMs: options.keepAliveMs,
    closeLagMs: options.closeLagMs,
    process: managed,
    log,
  };
}
