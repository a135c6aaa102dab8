import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parseJson, runCli } from './cli-helpers.js';
import {
  type CountingBackend,
  freePort,
  get,
  missingBinaries,
  runSync,
  type StartedServer,
  startCountingBackend,
  startServer,
  tempDir,
  waitListening,
} from './readers-helpers/proxies.js';

/**
 * Two requests on one client connection, written one after the other: how many got a response
 * before the proxy closed the connection. Bounded: 5 s per response.
 */
function twoRequestsOnOneConnection(port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let answered = 0;
    let buffer = '';
    const send = () => socket.write('GET / HTTP/1.1\r\nHost: test\r\n\r\n');
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no response within 5 s (answered ${answered})`));
    }, 5000);
    socket.on('connect', send);
    socket.on('data', (chunk) => {
      buffer += chunk.toString('latin1');
      // The counting backend answers `ok` with a Content-Length: one response ends with its body.
      while (buffer.includes('\r\n\r\nok')) {
        buffer = buffer.slice(buffer.indexOf('\r\n\r\nok') + 6);
        answered++;
        if (answered === 1) send();
        else {
          clearTimeout(timer);
          socket.destroy();
          resolve(answered);
        }
      }
    });
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(answered);
    });
    socket.on('error', (error) => {
      // A reset after the proxy closed is the same answer: the connection was not kept.
      clearTimeout(timer);
      if (answered > 0) resolve(answered);
      else reject(error);
    });
  });
}

describe('haproxy reader against the real haproxy binary', {
  skip: missingBinaries('haproxy'),
}, () => {
  let backend: CountingBackend;
  const cleanups: Array<() => Promise<void>> = [];
  before(async () => {
    backend = await startCountingBackend();
  });
  after(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
    await backend?.close();
  });

  /** HAProxy in `dir` on a free port, its config written by `write(port)` for each start-up attempt. */
  async function startHaproxy(dir: string, write: (port: number) => Promise<void>): Promise<StartedServer> {
    const cfg = join(dir, 'haproxy.cfg');
    const proc = await startServer({
      name: 'haproxy',
      command: 'haproxy',
      dir,
      args: () => ['-db', '-f', cfg],
      prepare: (_dir, port) => write(port),
    });
    cleanups.push(proc.stop);
    return proc;
  }

  it('no idle timer on pooled server connections: the reader says unbounded, and HAProxy reuses a connection idle far past every timeout', async () => {
    const dir = await tempDir('kap-haproxy-');
    cleanups.push(dir.remove);
    const cfg = join(dir.path, 'haproxy.cfg');
    // The config names the port, so it is written for each start-up attempt (startServer retries
    // with a new port when another program took it, and waits until HAProxy itself listens there).
    const proc = await startHaproxy(dir.path, async (port) => {
      await writeFile(
        cfg,
        `global
    maxconn 64
    # A port another program holds is a bind error, not a shared listener (SO_REUSEPORT).
    noreuseport

defaults
    mode http
    timeout connect 1s
    timeout client 1s
    timeout server 1s
    timeout http-keep-alive 300   # ms
    retries 3

frontend fe
    bind 127.0.0.1:${port}
    default_backend be

backend be
    http-reuse always
    retry-on conn-failure empty-response response-timeout
    server s1 127.0.0.1:${backend.port} pool-purge-delay 30s
`,
      );
      const test = runSync('haproxy', ['-c', '-f', cfg]);
      assert.equal(test.code, 0, `haproxy -c refused the config:\n${test.stdout}${test.stderr}`);
    });
    const port = proc.port;

    // The reader: backend be has no idle limit; frontend fe keeps client connections 300 ms.
    const check = await runCli(['check', '--lb', `haproxy:${cfg}#be`, '--backend', '65s', '--json']);
    const doc = parseJson(check);
    const pool = doc.hops[0].client.facts.find((f: any) => f.subject === 'pool-idle');
    assert.equal(pool.valueType, 'unbounded');
    assert.equal(pool.provenance.line, 18);
    const retry = doc.hops[0].client.facts.find((f: any) => f.subject === 'retry-policy');
    assert.ok(retry, 'retry policy reported');
    const server = await runCli(['check', '--lb', '1s', '--backend', `haproxy:${cfg}#fe`, '--json']);
    assert.equal(parseJson(server).hops[0].serverKeepAliveMs, 300);

    const before = backend.connections();
    assert.equal(await get(port), 200);
    // Idle 2.5 s: longer than timeout server, client and http-keep-alive, and the purge is 30 s away.
    await new Promise((r) => setTimeout(r, 2500));
    assert.equal(await get(port), 200);
    assert.equal(
      backend.connections() - before,
      1,
      `the idle pooled connection was reused after 2.5 s\n${proc.output()}`,
    );
  });

  it('a config haproxy -c refuses is a finding with file:line; what was read still counts', async () => {
    const dir = await tempDir('kap-haproxy-bad-');
    cleanups.push(dir.remove);
    const cfg = join(dir.path, 'haproxy.cfg');
    await writeFile(
      cfg,
      'defaults\n    mode http\n    timeout client 30x\n\nbackend be\n    server s1 127.0.0.1:1\n',
    );
    const test = runSync('haproxy', ['-c', '-f', cfg]);
    assert.notEqual(test.code, 0);
    assert.match(test.stdout + test.stderr, /haproxy\.cfg:3/);
    const result = await runCli(['check', '--lb', `haproxy:${cfg}`, '--backend', '65s', '--json']);
    // The backend still pools with no idle limit against a 65 s server: a violation, with the bad line shown.
    assert.equal(result.code, 1, result.stderr);
    const doc = parseJson(result);
    assert.equal(doc.verdict, 'violation');
    const finding = doc.findings.find((f: any) => f.id === 'config-unreadable');
    assert.equal(finding.numbers.line, 3);
    assert.equal(finding.details.field, 'timeout client');
    // The frontend side of a broken file cannot be judged: verdict unknown, exit 2.
    const frontend = await runCli(['check', '--lb', '1s', '--backend', `haproxy:${cfg}`, '--json']);
    assert.equal(frontend.code, 2, frontend.stderr);
  });

  it('httpclose then http-server-close: the last wins, the client connection is kept, the server one is not', async () => {
    const dir = await tempDir('kap-haproxy-modes-');
    cleanups.push(dir.remove);
    const cfg = join(dir.path, 'haproxy.cfg');
    // Both ports are in the config, written for each start-up attempt: startServer retries with new
    // ports when another program took one (HAProxy then fails to bind) and waits until HAProxy
    // itself listens on the first; it binds every listener before it accepts on any.
    let bothPort = 0;
    const proc = await startHaproxy(dir.path, async (closePort) => {
      bothPort = await freePort();
      await writeFile(
        cfg,
        `global
    # A port another program holds is a bind error, not a shared listener (SO_REUSEPORT).
    noreuseport

defaults
    mode http
    timeout connect 1s
    timeout client 5s
    timeout server 5s

listen closes
    option httpclose
    bind 127.0.0.1:${closePort}
    server s 127.0.0.1:${backend.port}

listen both
    option httpclose
    option http-server-close
    bind 127.0.0.1:${bothPort}
    server s 127.0.0.1:${backend.port}
`,
      );
      const test = runSync('haproxy', ['-c', '-f', cfg]);
      assert.equal(test.code, 0, `haproxy -c refused the config:\n${test.stdout}${test.stderr}`);
    });
    const closePort = proc.port;
    assert.ok(await waitListening(bothPort, proc.process, 10_000), `HAProxy does not listen on ${bothPort}`);

    // HAProxy: httpclose closes the client connection after one response.
    assert.equal(await twoRequestsOnOneConnection(closePort), 1, proc.output());
    // httpclose then http-server-close: the client connection serves both requests...
    const opened = backend.connections();
    assert.equal(await twoRequestsOnOneConnection(bothPort), 2, proc.output());
    // ...and each request got its own server connection (server-close).
    assert.equal(backend.connections() - opened, 2, proc.output());

    // The reader says the same.
    const server = async (name: string) =>
      parseJson(await runCli(['check', '--lb', '1s', '--backend', `haproxy:${cfg}#${name}`, '--json']))
        .hops[0];
    assert.equal((await server('closes')).server.facts[0].valueType, 'disabled');
    assert.equal((await server('both')).serverKeepAliveMs, 5000);
    const pool = parseJson(
      await runCli(['check', '--lb', `haproxy:${cfg}#both`, '--backend', '65s', '--json']),
    );
    assert.equal(pool.hops[0].client.facts.find((f: any) => f.subject === 'pool-idle').valueType, 'disabled');
  });
});
