/**
 * The built CLI, spawned as users run it: `probe` (JSON shape, human view, TLS, exit codes) and
 * `check --backend probe:URL` end to end against local servers.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import * as http from 'node:http';
import * as http2 from 'node:http2';
import * as https from 'node:https';
import type * as net from 'node:net';
import { after, before, describe, it } from 'node:test';
import { BIN, parseJson, runCli } from './cli-helpers.js';
import { okResponse, type RawServer, startRawServer } from './probe-helpers/raw.js';
import { refusedPort } from './probe-helpers/servers.js';

const KEEP_ALIVE_TIMEOUT_MS = 500;
// Node 20.20.2 closes keepAliveTimeout + 1000 ms after the response (lab-findings §2).
const NODE_BUFFER_MS =
  (http.createServer() as http.Server & { keepAliveTimeoutBuffer?: number }).keepAliveTimeoutBuffer ?? 1000;
const EXPECTED_CLOSE_MS = KEEP_ALIVE_TIMEOUT_MS + NODE_BUFFER_MS;
const TLS_KEY = readFileSync(new URL('./probe-helpers/test-key.pem', import.meta.url));
const TLS_CERT = readFileSync(new URL('./probe-helpers/test-cert.pem', import.meta.url));

const closers: Array<() => Promise<unknown>> = [];
let nodeUrl = '';
let rawServers: RawServer[] = [];

function listen(server: net.Server): Promise<number> {
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve((server.address() as net.AddressInfo).port)),
  );
}

before(async () => {
  const server = http.createServer((_request, response) => response.end('ok\n'));
  server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
  nodeUrl = `http://127.0.0.1:${await listen(server)}/healthz`;
  closers.push(
    () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(resolve);
      }),
  );
});

after(async () => {
  for (const close of closers) await close();
  for (const server of rawServers) await server.close();
  rawServers = [];
});

describe('probe (spawned CLI)', () => {
  it('--json: url, through, samples, summary, advertised, keepAlive, protocol, maxRequestsPerConnection', async () => {
    const result = await runCli([
      'probe',
      nodeUrl,
      '--samples',
      '2',
      '--max-requests',
      '--max-requests-limit',
      '5',
      '--json',
    ]);
    assert.equal(result.code, 0, result.stderr);
    const doc = parseJson(result);
    assert.equal(doc.schemaVersion, 1);
    assert.equal(doc.url, nodeUrl);
    assert.equal(doc.through, 'direct');
    assert.equal(doc.protocol, 'http/1.1');
    assert.equal(doc.keepAlive, true);
    assert.equal(doc.samples.length, 2);
    for (const sample of doc.samples) {
      assert.equal(sample.closeKind, 'fin');
      assert.ok(Math.abs(sample.idleCloseMs - EXPECTED_CLOSE_MS) <= 100, `${sample.idleCloseMs}`);
    }
    assert.deepEqual(Object.keys(doc.summary).sort(), ['count', 'maxMs', 'medianMs', 'minMs']);
    assert.equal(doc.advertised.timeoutSeconds, 0);
    assert.equal(doc.advertised.maxRequests, null);
    assert.deepEqual(doc.maxRequestsPerConnection, {
      requestsServed: 5,
      endedBy: 'limit-reached',
      limit: 5,
      advertisedMaxRequests: null,
    });
    assert.match(result.stderr, /sample 1: fin after/);
  });

  it('the human view: samples, the median, the advertised header and which side was measured', async () => {
    const result = await runCli(['probe', nodeUrl, '--samples', '1', '--through', 'lb']);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /probe http:\/\/127\.0\.0\.1:\d+\/healthz \(GET, lb\)/);
    assert.match(result.stdout, /load balancer's client-side idle timeout/);
    assert.match(result.stdout, /FIN \(orderly close\)/);
    assert.match(result.stdout, /median \d+\.\d ms/);
    assert.match(result.stdout, /advertised: Keep-Alive: timeout=0/);
    assert.match(result.stdout, /keep-alive: yes/);
  });

  it('Ctrl-C (SIGINT) ends it cleanly with the samples gathered so far', async () => {
    const child = spawn(process.execPath, [BIN, 'probe', nodeUrl, '--samples', '5', '--json'], {
      env: { ...process.env, NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (data: string) => (stdout += data));
    child.stderr.setEncoding('utf8').on('data', (data: string) => {
      if (data.includes('sample 1:')) child.kill('SIGINT');
    });
    const killer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    clearTimeout(killer);
    assert.notEqual(code, null);
    const doc = JSON.parse(stdout);
    assert.equal(doc.interrupted, true);
    assert.equal(doc.samples.length, 1);
    assert.equal(doc.samples[0].closeKind, 'fin');
  });

  it('exit 1 when the server closes earlier than its advertised timeout', async () => {
    const server = await startRawServer((socket) => {
      socket.write(okResponse('Keep-Alive: timeout=5\r\n'));
      setTimeout(() => socket.end(), 300);
    });
    rawServers.push(server);
    const result = await runCli(['probe', `http://127.0.0.1:${server.port}/`, '--samples', '1']);
    assert.equal(result.code, 1, result.stderr);
    assert.match(result.stdout, /EARLIER than its advertised timeout=5/);
  });

  it('--reuse-after inside a late close: the race seen from the client, exit 1', async () => {
    // Stops reading 300 ms after a response and closes 600 ms after it: a request sent at 450 ms
    // is left unread and the close turns into a reset (lab-findings §3.3, the amplified window).
    const server = await startRawServer((socket, index) => {
      if (index > 0) return;
      socket.write(okResponse());
      setTimeout(() => (socket as any)._handle?.readStop(), 300);
      setTimeout(() => socket.destroy(), 600);
    });
    rawServers.push(server);
    const result = await runCli([
      'probe',
      `http://127.0.0.1:${server.port}/`,
      '--samples',
      '1',
      '--reuse-after',
      '450ms',
      '--json',
    ]);
    assert.equal(result.code, 1, result.stdout + result.stderr);
    const doc = parseJson(result);
    assert.equal(doc.reuse.outcome, 'reset');
    assert.ok(Math.abs(doc.reuse.actualGapMs - 450) < 50);
  });

  it('usage and connection errors exit 2; header values are never echoed', async () => {
    for (const args of [
      ['probe'],
      ['probe', 'ftp://x/'],
      ['probe', 'http://127.0.0.1:1/', '--method', 'POST'],
      ['probe', 'http://u:p@127.0.0.1:1/'],
    ]) {
      const result = await runCli(args);
      assert.equal(result.code, 2, `${args.join(' ')}: ${result.stdout}${result.stderr}`);
    }
    const badHeader = await runCli([
      'probe',
      'http://127.0.0.1:1/',
      '--header',
      'Authorization Bearer-topsecret',
    ]);
    assert.equal(badHeader.code, 2);
    assert.doesNotMatch(badHeader.stdout + badHeader.stderr, /topsecret/);
    const port = await refusedPort();
    const refused = await runCli([
      'probe',
      `http://127.0.0.1:${port}/`,
      '--json',
      '--header',
      'Authorization: Bearer topsecret',
    ]);
    assert.equal(refused.code, 2);
    const doc = parseJson(refused);
    assert.equal(doc.error.code, 'connect-failed');
    assert.doesNotMatch(refused.stdout + refused.stderr, /topsecret/);
  });

  it('https: SNI + --insecure measures; verification failure exits 2; ALPN h2-only is out of scope', async () => {
    const server = https.createServer({ key: TLS_KEY, cert: TLS_CERT }, (_request, response) =>
      response.end('ok'),
    );
    server.keepAliveTimeout = 300;
    const port = await listen(server);
    closers.push(
      () =>
        new Promise((resolve) => {
          server.closeAllConnections();
          server.close(resolve);
        }),
    );
    const ok = await runCli([
      'probe',
      `https://localhost:${port}/`,
      '--insecure',
      '--samples',
      '1',
      '--json',
    ]);
    assert.equal(ok.code, 0, ok.stderr);
    const doc = parseJson(ok);
    assert.equal(doc.samples[0].closeKind, 'fin');
    assert.ok(Math.abs(doc.samples[0].idleCloseMs - (300 + NODE_BUFFER_MS)) <= 100);
    const verified = await runCli(['probe', `https://localhost:${port}/`, '--samples', '1', '--json']);
    assert.equal(verified.code, 2);
    assert.equal(parseJson(verified).error.code, 'tls-failed');

    const h2 = http2.createSecureServer({ key: TLS_KEY, cert: TLS_CERT }, (_request, response) =>
      response.end('x'),
    );
    const h2Port = await listen(h2);
    closers.push(() => new Promise((resolve) => h2.close(resolve)));
    const h2Result = await runCli(['probe', `https://127.0.0.1:${h2Port}/`, '--insecure', '--json']);
    assert.equal(h2Result.code, 0, h2Result.stderr);
    assert.equal(parseJson(h2Result).protocol, 'h2-only');
    const h2Human = await runCli(['probe', `https://127.0.0.1:${h2Port}/`, '--insecure']);
    assert.match(h2Human.stdout, /HTTP\/2 only\. Out of scope/);
  });
});

describe('check --backend probe:URL (spawned CLI)', () => {
  it('--lb 60s: the measured median is the server value, with probe provenance; violation, exit 1', async () => {
    const result = await runCli(['check', '--backend', `probe:${nodeUrl}`, '--lb', '60s', '--json']);
    assert.equal(result.code, 1, result.stderr);
    const doc = parseJson(result);
    assert.equal(doc.verdict, 'violation');
    const fact = doc.hops[0].server.facts.find((f: any) => f.subject === 'server-keepalive');
    assert.equal(fact.provenance.kind, 'probe');
    assert.equal(fact.provenance.url, nodeUrl);
    assert.equal(fact.provenance.samples, 3);
    assert.equal(fact.provenance.through, 'direct');
    assert.ok(Math.abs(fact.valueMs - EXPECTED_CLOSE_MS) <= 100, `${fact.valueMs}`);
    assert.ok(doc.findings.some((f: any) => f.id === 'keepalive-below-pool-idle'));
    const human = await runCli(['check', '--backend', `probe:${nodeUrl}`, '--lb', '60s']);
    assert.match(human.stdout, /measured by probe at \d{4}-\d\d-\d\dT/);
  });

  it('the measured value is judged like any other: holds against a short pool with headroom, exit 0', async () => {
    // Node really keeps the connection about 1500 ms (configured 500 ms): >= 300 ms + 100 ms, over 1 s headroom.
    const result = await runCli([
      'check',
      '--backend',
      `probe:${nodeUrl}`,
      '--lb',
      '300ms',
      '--margin',
      '100ms',
      '--json',
    ]);
    assert.equal(result.code, 0, result.stdout + result.stderr);
    assert.equal(parseJson(result).verdict, 'holds');
  });

  it('a server without keep-alive is a disabled fact; an unreachable one exits 2', async () => {
    const server = await startRawServer((socket) => socket.end(okResponse('Connection: close\r\n')));
    rawServers.push(server);
    const result = await runCli([
      'check',
      '--backend',
      `probe:http://127.0.0.1:${server.port}/`,
      '--lb',
      '60s',
      '--json',
    ]);
    const doc = parseJson(result);
    const fact = doc.hops[0].server.facts.find((f: any) => f.subject === 'server-keepalive');
    assert.equal(fact.valueType, 'disabled');
    assert.ok(doc.findings.some((f: any) => f.id === 'keepalive-disabled'));
    const port = await refusedPort();
    const refused = await runCli(['check', '--backend', `probe:http://127.0.0.1:${port}/`, '--lb', '60s']);
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /probe failed/);
  });
});
