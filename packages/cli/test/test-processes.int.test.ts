/**
 * The tests' own processes: a test process that ends without stopping what it started (Ctrl-C,
 * a test runner's timeout, SIGKILL) must not leave servers running. test/support's process groups
 * share one watchdog per test process (src/lab/watchdog.ts) that stops them by their PIDs.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { isAlive } from '../src/lab/processes.js';
import { waitUntil } from './support/servers.js';

const SERVERS = fileURLToPath(new URL('./support/servers.ts', import.meta.url));

for (const signal of ['SIGINT', 'SIGKILL'] as const) {
  test(`a test process ended by ${signal}: the server it started is stopped by the watchdog`, async () => {
    // A "test" that starts a real server (a Node HTTP server, its own process) and then waits.
    const script = `
import { startServer } from ${JSON.stringify(SERVERS)};
const server = await startServer({
  name: 'left-behind',
  command: process.execPath,
  args: (_dir, port) => ['-e', "require('node:http').createServer((q, s) => s.end('ok')).listen(" + port + ", '127.0.0.1')"],
});
console.log('server ' + server.pid);
setTimeout(() => {}, 60_000);
`;
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      out += d;
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      err += d;
    });
    const exited = new Promise<void>((resolve) => child.on('close', () => resolve()));
    let pid = 0;
    try {
      assert.ok(await waitUntil(() => /server \d+/.test(out), 20_000), `no server started: ${out}${err}`);
      pid = Number(/server (\d+)/.exec(out)![1]);
      assert.ok(isAlive(pid), 'the server runs before the test process ends');
      child.kill(signal);
      await exited;
      // The watchdog sends SIGTERM at once (SIGKILL 2 s later to anything left).
      assert.ok(await waitUntil(() => !isAlive(pid), 6_000), `server ${pid} still running after ${signal}`);
    } finally {
      child.kill('SIGKILL');
      if (pid > 0 && isAlive(pid)) process.kill(pid, 'SIGKILL');
    }
  });
}
