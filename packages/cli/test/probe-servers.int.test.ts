/**
 * The probe against real servers on 127.0.0.1: Node, nginx, Apache httpd, HAProxy, uvicorn and
 * gunicorn's sync worker. Each measured idle close must be within 100 ms of the server's real
 * close. For every non-Node server that is the configured timeout; Node 20.20.2 really closes
 * 1000 ms after `keepAliveTimeout` (a hard-coded buffer, lab-findings §2), so for Node the test
 * asserts against keepAliveTimeout + that buffer, and that the probe exposes the difference.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { runProbe } from '../src/probe/run.js';
import {
  type RunningServer,
  startApache,
  startGunicornSync,
  startHaproxy,
  startNginx,
  startNodeServerWithBuffer,
  startUvicorn,
} from './probe-helpers/servers.js';
import { skipUnless } from './support/binaries.js';

const TOLERANCE_MS = 100;
const SAMPLE_SANITY_MS = 300;
const SAMPLE_LATE_MS = 2000;
const running: RunningServer[] = [];

after(async () => {
  for (const server of running) await server.stop();
});

async function probeServer(start: () => Promise<RunningServer>, samples = 3) {
  const server = await start();
  running.push(server);
  try {
    const report = await runProbe({ url: `http://127.0.0.1:${server.port}/`, samples, maxWaitMs: 15_000 });
    return { server, report };
  } finally {
    await server.stop();
  }
}

function assertClosesNear(
  report: Awaited<ReturnType<typeof runProbe>>,
  expectedMs: number,
  label: string,
): void {
  assert.equal(report.error, undefined, `${label}: ${JSON.stringify(report.error)}`);
  assert.equal(report.protocol, 'http/1.1');
  assert.equal(report.keepAlive, true, label);
  for (const sample of report.samples) {
    assert.equal(sample.closeKind, 'fin', `${label}: ${JSON.stringify(sample)}`);
    assert.equal(sample.status, 200);
    assert.ok(sample.idleCloseMs !== null);
    // A single sample may catch the server's own timer firing late on a loaded machine (the
    // benchmark saw up to 28 ms; Apache 318 ms once in 7 full-suite runs at load average 13): how
    // late depends on the host's load, so a sample is bounded tightly only on the early side (a
    // server does not close before its timeout) and loosely on the late side. The reported value,
    // and the 100 ms assertion, is the median.
    assert.ok(
      sample.idleCloseMs >= expectedMs - SAMPLE_SANITY_MS &&
        sample.idleCloseMs <= expectedMs + SAMPLE_LATE_MS,
      `${label}: sample ${sample.idleCloseMs} ms, expected ${expectedMs} − ${SAMPLE_SANITY_MS} … + ${SAMPLE_LATE_MS} ms`,
    );
  }
  assert.ok(report.summary);
  assert.equal(report.summary.count, report.samples.length);
  assert.ok(
    Math.abs(report.summary.medianMs - expectedMs) <= TOLERANCE_MS,
    `${label}: median ${report.summary.medianMs} ms, expected ${expectedMs} ± ${TOLERANCE_MS} ms (samples ${report.samples.map((s) => s.idleCloseMs).join(', ')})`,
  );
  assert.ok(
    report.summary.minMs <= report.summary.medianMs && report.summary.medianMs <= report.summary.maxMs,
  );
}

describe('probe against real servers (idle close within 100 ms of the real timeout)', () => {
  it('Node http.createServer, keepAliveTimeout 1000 ms: closes at 1000 + the 1000 ms buffer', async () => {
    const { server, report } = await probeServer(() => startNodeServerWithBuffer(1000));
    assertClosesNear(report, server.expectedCloseMs as number, 'node 1000');
    // Node advertises timeout=1 but closes about 1 s later: the probe says so.
    assert.equal(report.advertised.timeoutSeconds, 1);
    assert.equal(report.advertisedAgreement, 'closes-later');
  });

  it('Node http.createServer, keepAliveTimeout 2500 ms: closes at 2500 + the 1000 ms buffer', async () => {
    const { server, report } = await probeServer(() => startNodeServerWithBuffer(2500));
    assertClosesNear(report, server.expectedCloseMs as number, 'node 2500');
    assert.equal(report.advertised.timeoutSeconds, 2);
  });

  it('nginx keepalive_timeout 2s', async (t) => {
    if (skipUnless(t, 'nginx')) return;
    const { report } = await probeServer(() => startNginx(2));
    assertClosesNear(report, 2000, 'nginx');
  });

  it('Apache httpd KeepAliveTimeout 2 (advertises timeout=2, max=100, and agrees)', async (t) => {
    if (skipUnless(t, 'apache2|httpd')) return;
    const { report } = await probeServer(() => startApache(2));
    assertClosesNear(report, 2000, 'apache');
    assert.equal(report.advertised.timeoutSeconds, 2);
    assert.equal(report.advertised.maxRequests, 100);
    assert.equal(report.advertisedAgreement, 'agrees');
  });

  it('HAProxy frontend timeout http-keep-alive 2s', async (t) => {
    if (skipUnless(t, 'haproxy')) return;
    const { report } = await probeServer(() => startHaproxy(2));
    assertClosesNear(report, 2000, 'haproxy');
  });

  it('uvicorn --timeout-keep-alive 2', async (t) => {
    if (skipUnless(t, 'uvicorn')) return;
    const { report } = await probeServer(() => startUvicorn(2));
    assertClosesNear(report, 2000, 'uvicorn');
  });

  it("gunicorn's default sync worker: no keep-alive", async (t) => {
    if (skipUnless(t, 'gunicorn')) return;
    const { report } = await probeServer(() => startGunicornSync(), 3);
    assert.equal(report.error, undefined);
    assert.equal(report.keepAlive, false);
    assert.equal(report.samples.length, 3);
    for (const sample of report.samples) {
      assert.equal(sample.closeKind, 'no-keepalive');
      assert.equal(sample.status, 200);
      assert.match(sample.connectionHeader ?? '', /close/i);
    }
    assert.equal(report.summary, null);
  });
});
