/**
 * The probe against raw `node:net` servers that misbehave on purpose: RST, a truncated response,
 * a lying Keep-Alive hint, a server that never closes; plus framing (chunked, HEAD, 1xx,
 * close-delimited), HTTP/2-only, refused connections, Ctrl-C, --max-requests and reuse.
 */
import assert from 'node:assert/strict';
import * as http2 from 'node:http2';
import type * as net from 'node:net';
import { after, describe, it } from 'node:test';
import {
  measureIdleClose,
  measureRequestsPerConnection,
  measureReuse,
  ProbeError,
  sweepReuse,
} from '../src/probe/engine.js';
import { runProbe } from '../src/probe/run.js';
import { okResponse, type RawServer, startRawServer } from './probe-helpers/raw.js';
import { refusedPort } from './probe-helpers/servers.js';

const TOLERANCE_MS = 100;
const servers: RawServer[] = [];
after(async () => {
  for (const server of servers) await server.close();
});

async function raw(onRequest: (socket: net.Socket, index: number, head: string) => void): Promise<RawServer> {
  const server = await startRawServer(onRequest);
  servers.push(server);
  return server;
}

function near(actual: number | null, expected: number, label: string): void {
  assert.ok(actual !== null, `${label}: no value`);
  assert.ok(
    Math.abs(actual - expected) <= TOLERANCE_MS,
    `${label}: ${actual} ms, expected ${expected} ± ${TOLERANCE_MS}`,
  );
}

describe('probe against raw servers', () => {
  it('a server that closes the idle connection with RST is reported as rst, with the time', async () => {
    const server = await raw((socket) => {
      socket.write(okResponse());
      setTimeout(() => socket.resetAndDestroy(), 300);
    });
    const sample = await measureIdleClose({ host: '127.0.0.1', port: server.port, maxWaitMs: 5000 });
    assert.equal(sample.closeKind, 'rst');
    assert.equal(sample.transportClose, 'rst');
    assert.equal(sample.status, 200);
    near(sample.idleCloseMs, 300, 'rst');
  });

  it('a server that closes before finishing the response is reported as closed-before-response', async () => {
    const server = await raw((socket) => {
      socket.write('HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly ten..');
      setTimeout(() => socket.end(), 50);
    });
    const report = await runProbe({ url: `http://127.0.0.1:${server.port}/`, samples: 2, maxWaitMs: 5000 });
    assert.equal(report.samples.length, 2);
    for (const sample of report.samples) {
      assert.equal(sample.closeKind, 'closed-before-response');
      assert.equal(sample.transportClose, 'fin');
      assert.equal(sample.status, 200);
      assert.equal(sample.idleCloseMs, null);
      assert.equal(sample.bodyBytes, 10);
    }
    assert.equal(report.summary, null);
    assert.equal(report.keepAlive, null);
  });

  it('a server that closes before sending anything is closed-before-response with no status', async () => {
    const server = await raw((socket) => socket.end());
    const sample = await measureIdleClose({ host: '127.0.0.1', port: server.port, maxWaitMs: 5000 });
    assert.equal(sample.closeKind, 'closed-before-response');
    assert.equal(sample.status, null);
  });

  it('a server that advertises Keep-Alive: timeout=5 but closes at 1 s: closes-earlier, exit-worthy', async () => {
    const server = await raw((socket) => {
      socket.write(okResponse('Connection: keep-alive\r\nKeep-Alive: timeout=5, max=50\r\n'));
      setTimeout(() => socket.end(), 1000);
    });
    const report = await runProbe({ url: `http://127.0.0.1:${server.port}/`, samples: 1, maxWaitMs: 10_000 });
    assert.equal(report.samples[0]?.closeKind, 'fin');
    near(report.summary?.medianMs ?? null, 1000, 'lying hint');
    assert.equal(report.advertised.timeoutSeconds, 5);
    assert.equal(report.advertised.maxRequests, 50);
    assert.equal(report.advertisedAgreement, 'closes-earlier');
    near(report.advertisedDifferenceMs, -4000, 'difference');
  });

  it('bytes sent while idle (a 408 before the close) are counted, the close still timed', async () => {
    const server = await raw((socket) => {
      socket.write(okResponse());
      setTimeout(() => socket.end('HTTP/1.1 408 Request Timeout\r\nContent-Length: 0\r\n\r\n'), 200);
    });
    const sample = await measureIdleClose({ host: '127.0.0.1', port: server.port, maxWaitMs: 5000 });
    assert.equal(sample.closeKind, 'fin');
    assert.equal(
      sample.unsolicitedBytes,
      Buffer.byteLength('HTTP/1.1 408 Request Timeout\r\nContent-Length: 0\r\n\r\n'),
    );
    near(sample.idleCloseMs, 200, '408');
  });

  it('a server that never closes is reported as timeout after --max-wait', async () => {
    const server = await raw((socket) => socket.write(okResponse()));
    const started = Date.now();
    const sample = await measureIdleClose({ host: '127.0.0.1', port: server.port, maxWaitMs: 800 });
    assert.equal(sample.closeKind, 'timeout');
    assert.equal(sample.idleCloseMs, null);
    assert.equal(sample.transportClose, null);
    assert.equal(sample.status, 200);
    assert.ok(Date.now() - started >= 790);
  });

  it('chunked responses split across packets (with trailers) end at the last chunk', async () => {
    const server = await raw((socket) => {
      const parts = [
        'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhel',
        'lo\r\n',
        '3;ext=1\r\nabc\r\n0\r\nX-T',
        'railer: 1\r\n\r\n',
      ];
      for (const [index, part] of parts.entries()) setTimeout(() => socket.write(part), index * 30);
      setTimeout(() => socket.end(), 90 + 400);
    });
    const sample = await measureIdleClose({ host: '127.0.0.1', port: server.port, maxWaitMs: 5000 });
    assert.equal(sample.closeKind, 'fin');
    assert.equal(sample.bodyFraming, 'chunked');
    assert.equal(sample.bodyBytes, 8);
    near(sample.idleCloseMs, 400, 'chunked');
  });

  it('HEAD: a Content-Length without a body; 1xx interim responses are skipped', async () => {
    const server = await raw((socket, _index, head) => {
      assert.match(head, /^HEAD \/h HTTP\/1\.1/);
      socket.write('HTTP/1.1 100 Continue\r\n\r\n');
      socket.write('HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n');
      setTimeout(() => socket.end(), 300);
    });
    const sample = await measureIdleClose({
      host: '127.0.0.1',
      port: server.port,
      path: '/h',
      method: 'HEAD',
      maxWaitMs: 5000,
    });
    assert.equal(sample.closeKind, 'fin');
    assert.equal(sample.status, 200);
    assert.equal(sample.bodyFraming, 'none');
    near(sample.idleCloseMs, 300, 'head');
  });

  it('Connection: close and close-delimited bodies are no-keepalive', async () => {
    const closeHeader = await raw((socket) => socket.end(okResponse('Connection: close\r\n')));
    const untilClose = await raw((socket) => socket.end('HTTP/1.1 200 OK\r\n\r\nbody until close'));
    const http10 = await raw((socket) => socket.end('HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok'));
    for (const server of [closeHeader, untilClose, http10]) {
      const report = await runProbe({ url: `http://127.0.0.1:${server.port}/`, samples: 2, maxWaitMs: 5000 });
      assert.equal(report.keepAlive, false);
      for (const sample of report.samples) assert.equal(sample.closeKind, 'no-keepalive');
    }
    const report = await runProbe({
      url: `http://127.0.0.1:${untilClose.port}/`,
      samples: 1,
      maxWaitMs: 5000,
    });
    assert.equal(report.samples[0]?.bodyFraming, 'until-close');
    assert.equal(report.samples[0]?.bodyBytes, 16);
  });

  it('request headers are sent (Host override, auth) and never appear in the report', async () => {
    const server = await raw((socket) => {
      socket.write(okResponse());
      setTimeout(() => socket.end(), 100);
    });
    const report = await runProbe({
      url: `http://127.0.0.1:${server.port}/path?q=1`,
      samples: 1,
      maxWaitMs: 5000,
      headers: { Host: 'app.example', Authorization: 'Bearer s3cret-token' },
    });
    const head = server.requests.at(-1) ?? '';
    assert.match(head, /^GET \/path\?q=1 HTTP\/1\.1\r\n/);
    assert.match(head, /\r\nHost: app\.example(\r\n|$)/);
    assert.match(head, /\r\nAuthorization: Bearer s3cret-token/);
    assert.doesNotMatch(JSON.stringify(report), /s3cret/);
  });

  it('an HTTP/2-only server (h2c) is reported as out of scope', async () => {
    const server = http2.createServer((_request, response) => response.end('x'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const port = (server.address() as net.AddressInfo).port;
      const report = await runProbe({ url: `http://127.0.0.1:${port}/`, samples: 1, maxWaitMs: 5000 });
      assert.equal(report.protocol, 'h2-only');
      assert.equal(report.error?.code, 'http2-only');
      assert.equal(report.samples.length, 0);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('a refused connection is a connect-failed error, not a sample', async () => {
    const port = await refusedPort();
    await assert.rejects(
      measureIdleClose({ host: '127.0.0.1', port, maxWaitMs: 1000 }),
      (error: unknown) => error instanceof ProbeError && error.code === 'connect-failed',
    );
    const report = await runProbe({ url: `http://127.0.0.1:${port}/`, samples: 1, maxWaitMs: 1000 });
    assert.equal(report.error?.code, 'connect-failed');
  });

  it('an abort (Ctrl-C) ends the probe with the samples gathered so far', async () => {
    let servedConnections = 0;
    const server = await raw((socket, index) => {
      socket.write(okResponse());
      // The first connection closes quickly; later ones never do.
      if (servedConnections++ === 0 && index === 0) setTimeout(() => socket.end(), 100);
    });
    const controller = new AbortController();
    const report = await runProbe({
      url: `http://127.0.0.1:${server.port}/`,
      samples: 5,
      maxWaitMs: 60_000,
      signal: controller.signal,
      onSample: () => setTimeout(() => controller.abort(), 200),
    });
    assert.equal(report.interrupted, true);
    assert.equal(report.samples.length, 1);
    assert.equal(report.samples[0]?.closeKind, 'fin');
  });

  it('--max-requests counts requests until Connection: close, a silent FIN, or the limit', async () => {
    const byHeader = await raw((socket, index) => {
      if (index === 2) socket.end(okResponse('Connection: close\r\n'));
      else socket.write(okResponse('Keep-Alive: timeout=5, max=3\r\n'));
    });
    const headerResult = await measureRequestsPerConnection({
      host: '127.0.0.1',
      port: byHeader.port,
      limit: 1000,
    });
    assert.deepEqual(headerResult, {
      requestsServed: 3,
      endedBy: 'connection-close-header',
      limit: 1000,
      advertisedMaxRequests: 3,
    });

    const bySilentClose = await raw((socket, index) => {
      if (index === 5) socket.end();
      else socket.write(okResponse());
    });
    const finResult = await measureRequestsPerConnection({
      host: '127.0.0.1',
      port: bySilentClose.port,
      limit: 1000,
    });
    assert.equal(finResult.requestsServed, 5);
    assert.equal(finResult.endedBy, 'fin');

    const endless = await raw((socket) => socket.write(okResponse()));
    const limitResult = await measureRequestsPerConnection({
      host: '127.0.0.1',
      port: endless.port,
      limit: 20,
    });
    assert.equal(limitResult.requestsServed, 20);
    assert.equal(limitResult.endedBy, 'limit-reached');
  });

  it('--reuse-after: served before the close, closed-before-reuse after it, reset inside a late close', async () => {
    // Closes 400 ms after each response.
    const closesAt400 = await raw((socket) => {
      socket.write(okResponse());
      clearTimeout((socket as net.Socket & { idle?: NodeJS.Timeout }).idle);
      (socket as net.Socket & { idle?: NodeJS.Timeout }).idle = setTimeout(() => socket.end(), 400);
    });
    const served = await measureReuse({ host: '127.0.0.1', port: closesAt400.port, gapMs: 150 });
    assert.equal(served.outcome, 'served');
    assert.equal(served.status, 200);
    near(served.actualGapMs, 150, 'gap');
    const closed = await measureReuse({ host: '127.0.0.1', port: closesAt400.port, gapMs: 700 });
    assert.equal(closed.outcome, 'closed-before-reuse');
    near(closed.closeAfterMs, 400, 'close');

    // At 300 ms it stops reading; at 600 ms it closes with the request unread: the kernel sends RST.
    const lateClose = await raw((socket, index) => {
      if (index > 0) return;
      socket.write(okResponse());
      // readStop on the handle leaves the request in the kernel buffer (pause() would still read it).
      setTimeout(() => (socket as any)._handle?.readStop(), 300);
      setTimeout(() => socket.destroy(), 600);
    });
    const reset = await measureReuse({ host: '127.0.0.1', port: lateClose.port, gapMs: 450 });
    assert.equal(reset.outcome, 'reset');
  });

  it('--reuse-sweep locates the close between two gaps, bounded in steps', async () => {
    const server = await raw((socket) => {
      socket.write(okResponse());
      clearTimeout((socket as net.Socket & { idle?: NodeJS.Timeout }).idle);
      (socket as net.Socket & { idle?: NodeJS.Timeout }).idle = setTimeout(() => socket.end(), 300);
    });
    const sweep = await sweepReuse({
      host: '127.0.0.1',
      port: server.port,
      fromMs: 100,
      toMs: 500,
      maxSteps: 8,
    });
    assert.ok(sweep.steps.length <= 8);
    assert.ok(sweep.lastServedGapMs !== null && sweep.firstRefusedGapMs !== null);
    assert.ok(sweep.lastServedGapMs < sweep.firstRefusedGapMs);
    assert.ok(sweep.lastServedGapMs >= 250 && sweep.firstRefusedGapMs <= 350, JSON.stringify(sweep));
  });
});
