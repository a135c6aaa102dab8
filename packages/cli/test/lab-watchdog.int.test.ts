/**
 * If `lab` itself is killed with SIGKILL it cannot clean up; its watchdog must stop every process
 * the lab started (proxies do not notice their parent is gone) and remove its temp directory.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { test } from 'node:test';
import { descendantPids, isAlive } from '../src/lab/processes.js';
import { BIN } from './cli-helpers.js';
import { skipUnless } from './support/binaries.js';
import { waitUntil } from './support/servers.js';

test('SIGKILL mid-run: the watchdog stops the proxy and backends and removes the temp dir', async (t) => {
  if (skipUnless(t, 'nginx')) return;
  const child = spawn(process.execPath, [BIN, 'lab', '--proxy', 'nginx', '--attempts', '20'], {
    env: { ...process.env, NO_COLOR: '1' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.setEncoding('utf8');
  const exited = new Promise<void>((resolve) => child.on('close', () => resolve()));
  const ready = new Promise<void>((resolve) => {
    child.stderr.on('data', (d: string) => {
      stderr += d;
      if ((stderr.match(/started nginx-/g) ?? []).length >= 2) resolve();
    });
  });
  const guard = setTimeout(() => child.kill('SIGKILL'), 60_000);
  let all: number[] = [];
  let workDir: string | undefined;
  try {
    await Promise.race([ready, exited]);
    await new Promise((r) => setTimeout(r, 500));
    const started = [...stderr.matchAll(/started \S+ \(pid (\d+)\)/g)].map((m) => Number(m[1]));
    assert.ok(started.length >= 4, stderr);
    all = [...started, ...started.flatMap((pid) => descendantPids(pid))];
    assert.ok(all.some(isAlive), 'the lab has running children before the kill');
    workDir = /working directory (\S+)/.exec(stderr)?.[1];
    assert.ok(workDir && existsSync(workDir));
    child.kill('SIGKILL');
    await exited;
    // SIGTERM at once, SIGKILL after 2 s for anything left.
    const gone = await waitUntil(() => !all.some(isAlive), 8_000);
    assert.ok(gone, `still alive after the lab was SIGKILLed: ${all.filter(isAlive).join(', ')}`);
    const dir = workDir!;
    assert.ok(await waitUntil(() => !existsSync(dir), 4_000), 'temp dir removed by the watchdog');
  } finally {
    clearTimeout(guard);
    child.kill('SIGKILL');
    for (const pid of all) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone
      }
    }
    // Also when the test fails: leave nothing behind.
    if (workDir) rmSync(workDir, { recursive: true, force: true });
  }
});
