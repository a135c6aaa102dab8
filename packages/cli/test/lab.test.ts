import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { type AddressInfo, connect, createServer, type Socket } from 'node:net';
import { PassThrough } from 'node:stream';
import { describe, test } from 'node:test';
import { listenerOwnedBy, waitListening, waitPortQuiet } from '../src/lab/net-util.js';
import { PROXIES } from '../src/lab/proxies.js';
import { renderLab } from '../src/lab/report.js';
import { planScenarios } from '../src/lab/run.js';
import type { LabOptions, LabResult } from '../src/lab/types.js';
import { main } from '../src/main.js';
import { palette } from '../src/render/color.js';
import { TEST_LAB_OPTIONS } from './lab-helpers/run-lab.js';

async function runMain(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (d) => (out += d));
  stderr.on('data', (d) => (err += d));
  const code = await main(args, {
    stdout,
    stderr,
    stdin: new PassThrough(),
    env: process.env,
    cwd: process.cwd(),
    color: false,
    signal: new AbortController().signal,
  });
  return { code, stdout: out, stderr: err };
}

const OPTIONS: LabOptions = { proxy: 'nginx', ...TEST_LAB_OPTIONS };

describe('lab usage', () => {
  for (const [args, pattern] of [
    [['--proxy', 'envoy'], /--proxy "envoy": expected one of nginx, haproxy, apache, caddy, node/],
    [['--scenario', 'step5'], /--scenario "step5"/],
    [['--attempts', '0'], /--attempts/],
    [['--backend-keepalive', '20s'], /--proxy-idle must be longer than --backend-keepalive/],
    [['--capture'], /--capture needs --keep-artifacts/],
    [['--stock-node'], /--stock-node needs --natural/],
    [['--window', 'soon'], /--window/],
    [['--proxy', 'node', '--proxy-bin', '/bin/true'], /--proxy-bin does not apply/],
    [['--proxy', 'nginx', '--proxy-bin', '/nonexistent/nginx'], /no such file/],
  ] as const) {
    test(`lab ${args.join(' ')} → exit 2`, async () => {
      const result = await runMain(['lab', ...args]);
      assert.equal(result.code, 2);
      assert.match(result.stderr, pattern);
      assert.equal(result.stdout, '');
    });
  }

  test('--help has an example', async () => {
    const result = await runMain(['lab', '--help']);
    assert.equal(result.code, 0);
    assert.match(result.stdout, /Examples:\n {2}keepalive-parity lab\n/);
  });
});

describe('lab scenarios', () => {
  test('Caddy and nginx: the race is tested with POST where a default retry hides GET', () => {
    assert.deepEqual(
      planScenarios(PROXIES.caddy, OPTIONS).map((p) => p.method),
      ['POST', 'POST', 'GET', 'POST'],
    );
    assert.deepEqual(
      planScenarios(PROXIES.nginx, OPTIONS).map((p) => p.method),
      ['GET', 'GET', 'GET', 'POST'],
    );
  });

  test('fixed: backend keep-alive = proxy idle + margin; expectations per scenario', () => {
    const plans = planScenarios(PROXIES.nginx, OPTIONS);
    assert.equal(plans[1]!.backendKeepAliveMs, 15_000);
    assert.deepEqual(
      plans.map((p) => p.expected),
      ['proxy-502', 'no-proxy-502', 'no-proxy-502', 'proxy-502'],
    );
    // Apache has no retry; its mitigation avoids reuse, so POST is covered too.
    assert.equal(planScenarios(PROXIES.apache, OPTIONS)[3]!.expected, 'no-proxy-502');
  });
});

describe('lab report', () => {
  const result: LabResult = {
    proxy: { name: 'nginx', displayName: 'nginx', version: '1.22.1', bin: '/usr/sbin/nginx' },
    backend: {
      kind: 'lab',
      configuredKeepAliveMs: 1000,
      measuredKeepAliveMs: 1001.2,
      probeMeasuredCloseMs: 1021.9,
      calibrationCloseKind: 'fin',
      closeLagMs: 20,
    },
    mode: 'deterministic',
    windowMs: 20,
    proxyIdleMs: 10_000,
    gapMs: 1011.2,
    scenarios: [
      {
        name: 'mismatch',
        title: 'mismatch: backend keep-alive 1 s < proxy idle 10 s, retries off',
        method: 'GET',
        backendKeepAliveMs: 1000,
        proxyIdleMs: 10_000,
        proxyConfig: 'x',
        requests: 3,
        proxy502: 2,
        otherFailures: 0,
        failedWithHandler: 0,
        retried: 0,
        retriedSource: 'proxy-log',
        reusedPooledConnection: 0,
        maxHandlerCallsPerRequest: 1,
        expected: 'proxy-502',
        asExpected: true,
        proxyLogSays: 'upstream prematurely closed connection | while reading response header from upstream',
        evidence: [],
        firstProxy502AfterMs: 1020,
        attempts: [],
        notes: [],
        stoppedEarly: null,
        capture: null,
      },
    ],
    raceReproduced: true,
    interrupted: false,
    elapsedMs: 5000,
    artifactsDir: null,
  };

  test('the table row carries counts and the proxy message (pipes escaped); the explanation says what happened', () => {
    const text = renderLab(result, palette(false));
    assert.match(
      text,
      /\| mismatch: backend keep-alive 1 s < proxy idle 10 s, retries off \| GET \| 3 \| 2 \| 0 for 2 failed \| `upstream prematurely closed connection \\\| while/,
    );
    assert.match(text, /2 of 3 requests got a 502 from nginx, and the backend's handler ran 0 times/);
    assert.match(text, /widens the window on purpose/);
  });
});

describe('start-up of the servers the lab runs', () => {
  // Linux only: the ownership check reads /proc; elsewhere it cannot tell and trusts the connect.
  const procSkip = existsSync('/proc/net/tcp') ? false : 'no /proc/net/tcp on this system';

  test('a listener is owned by the process that holds its socket, not by another one', {
    skip: procSkip,
  }, async () => {
    const server = createServer().listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as AddressInfo;
    const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 10000)'], { stdio: 'ignore' });
    try {
      assert.equal(listenerOwnedBy(port, process.pid), true);
      assert.equal(listenerOwnedBy(port, child.pid!), false);
      // Another program took the port: the connect succeeds, but that is not our process listening,
      // so waitListening keeps waiting (here until its deadline; a server whose bind failed exits).
      let exited = false;
      child.once('exit', () => {
        exited = true;
      });
      assert.equal(await waitListening(port, { pid: child.pid!, hasExited: () => exited }, 300), false);
      assert.equal(await waitListening(port, { pid: process.pid, hasExited: () => false }, 300), true);
    } finally {
      child.kill();
      server.close();
    }
  });

  test('a capture waits until no connection on the port will send another packet', {
    skip: procSkip,
  }, async () => {
    // The server does not close its end when the client does (allowHalfOpen), as a busy server
    // that has not run yet: the connection stays in CLOSE_WAIT / FIN_WAIT2 until it does.
    const accepted: Socket[] = [];
    const server = createServer({ allowHalfOpen: true }, (socket) => accepted.push(socket));
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as AddressInfo;
    try {
      assert.equal(await waitPortQuiet(port, 100), true, 'only a listener: quiet');
      const client = connect(port, '127.0.0.1');
      await once(client, 'connect');
      while (accepted.length === 0) await new Promise((r) => setTimeout(r, 5));
      assert.equal(await waitPortQuiet(port, 200), false, 'an open connection');
      client.end();
      await new Promise((r) => setTimeout(r, 50));
      assert.equal(await waitPortQuiet(port, 200), false, 'the client closed, the server has not');
      const closing = waitPortQuiet(port, 5000);
      setTimeout(() => accepted[0]!.end(), 100);
      assert.equal(await closing, true, 'both closed: TIME_WAIT sends nothing more');
    } finally {
      for (const s of accepted) s.destroy();
      server.close();
    }
  });
});
