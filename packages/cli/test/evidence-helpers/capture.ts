/**
 * Real packet captures for the evidence tests: `tcpdump` started through the lab's ProcessGroup
 * (recorded by PID, stopped by PID, also when the body throws), on the loopback or `any`.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { waitCaptureSettled, waitPortQuiet } from '../../src/lab/net-util.js';
import { testProcessGroup } from '../support/servers.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface CaptureSpec {
  readonly file: string;
  readonly port: number;
  /** `lo` (Linux: Ethernet link type) or `any` (Linux cooked). */
  readonly iface?: 'lo' | 'any';
  readonly snapLength?: number;
}

/** Runs `body` while every tcpdump in `specs` captures; stops them by PID afterwards. */
export async function withCaptures<T>(
  dir: string,
  specs: readonly CaptureSpec[],
  body: () => Promise<T>,
): Promise<T> {
  const group = testProcessGroup();
  try {
    // A connection still closing (the start-up check of the server) would enter the capture
    // without its SYN: wait until the ports are quiet (bounded; the capture then says what it saw).
    for (const spec of specs) await waitPortQuiet(spec.port, 5000);
    const started = specs.map((spec, i) => {
      const stderrFile = join(dir, `tcpdump-${i}.stderr.log`);
      // A 16 MiB buffer: a busy host must not make the kernel drop packets of a short test.
      const args = ['-i', spec.iface ?? 'lo', '-U', '--immediate-mode', '-B', '16384', '-n', '-w', spec.file];
      if (spec.snapLength !== undefined) args.push('-s', String(spec.snapLength));
      args.push('tcp', 'port', String(spec.port));
      return { process: group.spawn(`tcpdump-${i}`, 'tcpdump', args, { stderrFile }), stderrFile };
    });
    for (const { process, stderrFile } of started) {
      // tcpdump says "listening on ..." once the filter is in place (at most 5 s).
      for (let i = 0; i < 100; i++) {
        if (process.hasExited()) throw new Error(`tcpdump stopped: ${readFileSync(stderrFile, 'utf8')}`);
        if (existsSync(stderrFile) && readFileSync(stderrFile, 'utf8').includes('listening')) break;
        await sleep(50);
      }
    }
    const result = await body();
    // Let the last packets reach the capture before stopping it.
    await sleep(300);
    await waitCaptureSettled(specs.map((spec) => spec.file));
    return result;
  } finally {
    await group.stopAll();
  }
}
