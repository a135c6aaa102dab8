import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { connect } from 'node:net';
import { after, before, describe, it } from 'node:test';
import {
  applyServerKeepAlive,
  KeepAliveConfigError,
  poolIdleFor,
  readDurationEnv,
  serverKeepAliveFor,
} from '../src/index.js';

describe('serverKeepAliveFor / poolIdleFor', () => {
  it('puts the server above the upstream idle by the margin, headersTimeout above that', () => {
    assert.deepEqual(serverKeepAliveFor({ upstreamIdleTimeoutMs: 60_000 }), {
      keepAliveTimeoutMs: 65_000,
      headersTimeoutMs: 66_000,
    });
    assert.deepEqual(
      serverKeepAliveFor({ upstreamIdleTimeoutMs: 60_000, marginMs: 2_000 }).keepAliveTimeoutMs,
      62_000,
    );
  });
  it('puts a client pool below the server by the margin, and refuses an impossible one', () => {
    assert.equal(poolIdleFor({ serverKeepAliveMs: 5_000, marginMs: 1_000 }), 4_000);
    assert.throws(() => poolIdleFor({ serverKeepAliveMs: 5_000 }), KeepAliveConfigError);
  });
  it('refuses non-integer, negative and NaN inputs', () => {
    for (const bad of [-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      assert.throws(() => serverKeepAliveFor({ upstreamIdleTimeoutMs: bad }), /whole, non-negative/);
    }
  });
});

describe('readDurationEnv', () => {
  it('reads a bare number in the stated unit and a suffixed value as written', () => {
    assert.equal(readDurationEnv('KA', 's', { KA: '65' }), 65_000);
    assert.equal(readDurationEnv('KA', 'ms', { KA: '65000' }), 65_000);
    assert.equal(readDurationEnv('KA', 's', { KA: '1500ms' }), 1_500);
  });
  it('refuses missing, empty, non-numeric and negative values, naming the variable', () => {
    assert.throws(() => readDurationEnv('KA', 's', {}), /KA is not set/);
    assert.throws(() => readDurationEnv('KA', 's', { KA: ' ' }), /KA is empty/);
    assert.throws(() => readDurationEnv('KA', 's', { KA: 'abc' }), /KA="abc" is not a duration/);
    assert.throws(() => readDurationEnv('KA', 's', { KA: '-5' }), /is not a duration/);
  });
});

describe('applyServerKeepAlive on a real server', () => {
  let server: Server;
  let port: number;
  before(async () => {
    server = createServer((_req, res) => res.end('ok'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as { port: number }).port;
  });
  after(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('keeps an idle connection open past the upstream idle timeout', async () => {
    const applied = applyServerKeepAlive(server, { upstreamIdleTimeoutMs: 600, marginMs: 400 });
    assert.equal(server.keepAliveTimeout, 1000);
    assert.equal(server.headersTimeout, 2000);
    assert.equal(applied.keepAliveTimeoutMs, 1000);
    // One request on a raw socket; the upstream's 600 ms idle passes with the connection still open,
    // so the upstream always retires it first.
    const socket = connect(port, '127.0.0.1');
    let closedAt = 0;
    let respondedAt = 0;
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.on('data', () => {
        respondedAt ||= performance.now();
      });
      socket.on('close', () => {
        closedAt = performance.now();
        clearTimeout(check);
        clearTimeout(guard);
        resolve();
      });
      socket.write(`GET / HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n\r\n`);
      const check = setTimeout(() => {
        if (closedAt !== 0) reject(new Error('closed before the upstream idle timeout'));
      }, 800);
      const guard = setTimeout(() => socket.destroy(new Error('server never closed')), 5_000);
    });
    assert.ok(closedAt - respondedAt >= 1000, `closed after ${Math.round(closedAt - respondedAt)} ms`);
  });
});
