import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parseJson, runCli } from './cli-helpers.js';
import { hasBinary, skipUnless } from './support/binaries.js';

const ASGI_APP = `async def app(scope, receive, send):
    if scope["type"] != "http":
        return
    await send({"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"2")]})
    await send({"type": "http.response.body", "body": b"ok"})
`;

const WSGI_APP = `def app(environ, start_response):
    start_response("200 OK", [("Content-Length", "2")])
    return [b"ok"]
`;

// A Node service following a documented convention: APP_KEEPALIVE_MS holds its keepAliveTimeout.
const NODE_SERVER = `const http = require('node:http');
const server = http.createServer((req, res) => res.end('ok'));
server.keepAliveTimeout = Number(process.env.APP_KEEPALIVE_MS ?? 5000);
server.listen(0, '127.0.0.1', () => console.error('listening ' + server.address().port));
`;

interface Started {
  readonly child: ChildProcess;
  readonly pid: number;
}

const started: Started[] = [];

/** Starts a real server and waits (bounded) until it logs that it listens. */
async function start(
  command: string,
  args: string[],
  cwd: string,
  env: NodeJS.ProcessEnv,
  ready: RegExp,
): Promise<Started> {
  const child = spawn(command, args, {
    cwd,
    env: { PATH: process.env.PATH, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  assert.ok(child.pid, `${command} did not start`);
  const entry = { child, pid: child.pid };
  started.push(entry);
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${command} not ready within 15 s:\n${output}`)), 15_000);
    const onData = (d: Buffer) => {
      output += d.toString();
      if (ready.test(output)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${command} exited with ${code}:\n${output}`));
    });
  });
  return entry;
}

async function stop({ child, pid }: Started): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  process.kill(pid, 'SIGTERM');
  const timer = setTimeout(() => {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }, 5000);
  await exited;
  clearTimeout(timer);
}

function serverFact(doc: Record<string, any>) {
  return doc.hops[0].server.facts.find((f: any) => f.subject === 'server-keepalive');
}

describe('proc:PID against real processes', { skip: process.platform !== 'linux' }, () => {
  let dir: string;
  let node: Started;
  let uvicorn: Started;
  let gunicornUvicorn: Started;
  let gunicornSync: Started;
  let sleeper: Started;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kap-proc-'));
    await writeFile(join(dir, 'asgi.py'), ASGI_APP);
    await writeFile(join(dir, 'wsgi.py'), WSGI_APP);
    await writeFile(join(dir, 'server.js'), NODE_SERVER);
    node = await start(process.execPath, ['server.js'], dir, { APP_KEEPALIVE_MS: '61000' }, /listening \d+/);
    sleeper = await start('/bin/sh', ['-c', 'echo up; exec sleep 60'], dir, {}, /up/);
    // Only what is installed (the tests that need a missing one are skipped).
    if (hasBinary('uvicorn'))
      uvicorn = await start(
        '/usr/bin/uvicorn',
        ['asgi:app', '--host', '127.0.0.1', '--port', '0', '--timeout-keep-alive', '30'],
        dir,
        { UVICORN_TIMEOUT_KEEP_ALIVE: '65' },
        /Uvicorn running/,
      );
    if (hasBinary('gunicorn') && hasBinary('uvicorn'))
      gunicornUvicorn = await start(
        '/usr/bin/gunicorn',
        [
          '-k',
          'uvicorn.workers.UvicornWorker',
          '--keep-alive',
          '75',
          '-b',
          '127.0.0.1:0',
          '-w',
          '1',
          'asgi:app',
        ],
        dir,
        {},
        /Application startup complete|Booting worker/,
      );
    if (hasBinary('gunicorn'))
      gunicornSync = await start(
        '/usr/bin/gunicorn',
        ['-b', '127.0.0.1:0', '-w', '1', 'wsgi:app'],
        dir,
        { GUNICORN_CMD_ARGS: '--keep-alive 30' },
        /Booting worker/,
      );
  });

  after(async () => {
    for (const s of started) await stop(s);
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('a Node server with its keep-alive in an env var (#VAR names it): 61 s < 60 s + 5 s → exit 1', async () => {
    const result = await runCli([
      'check',
      '--lb',
      '60s',
      '--backend',
      `proc:${node.pid}#APP_KEEPALIVE_MS`,
      '--json',
    ]);
    assert.equal(result.code, 1, result.stderr);
    const doc = parseJson(result);
    assert.equal(doc.hops[0].serverKeepAliveMs, 61_000);
    assert.deepEqual(serverFact(doc).provenance, { kind: 'env', variable: 'APP_KEEPALIVE_MS' });
    assert.match(doc.hops[0].server.label, new RegExp(`process ${node.pid}`));
  });

  it('uvicorn: --timeout-keep-alive on the command line beats UVICORN_TIMEOUT_KEEP_ALIVE in its environment', async (t) => {
    if (skipUnless(t, 'uvicorn')) return;
    const doc = parseJson(
      await runCli(['check', '--lb', '20s', '--backend', `proc:${uvicorn.pid}`, '--json']),
    );
    assert.equal(doc.hops[0].serverKeepAliveMs, 30_000);
    const fact = serverFact(doc);
    assert.equal(fact.provenance.kind, 'command-line');
    assert.ok(
      fact.notes.some((n: string) => /overrides UVICORN_TIMEOUT_KEEP_ALIVE=65/.test(n)),
      JSON.stringify(fact.notes),
    );
    assert.equal(doc.verdict, 'holds');
  });

  it('gunicorn -k uvicorn.workers.UvicornWorker --keep-alive 75: 75 s, with the reason', async (t) => {
    if (skipUnless(t, 'gunicorn', 'uvicorn')) return;
    const result = await runCli([
      'check',
      '--lb',
      '60s',
      '--backend',
      `proc:${gunicornUvicorn.pid}`,
      '--json',
    ]);
    assert.equal(result.code, 0, result.stdout);
    const doc = parseJson(result);
    assert.equal(doc.hops[0].serverKeepAliveMs, 75_000);
    assert.ok(serverFact(doc).notes.some((n: string) => /UvicornWorker passes gunicorn's keepalive/.test(n)));
  });

  it('gunicorn with the default sync worker: keep-alive off, whatever GUNICORN_CMD_ARGS says', async (t) => {
    if (skipUnless(t, 'gunicorn')) return;
    const doc = parseJson(
      await runCli(['check', '--lb', '60s', '--backend', `proc:${gunicornSync.pid}`, '--json']),
    );
    const fact = serverFact(doc);
    assert.equal(fact.valueType, 'disabled');
    assert.equal(fact.isDefault, true);
    assert.ok(
      fact.notes.some((n: string) => /GUNICORN_CMD_ARGS --keep-alive 30.*ignored/.test(n)),
      JSON.stringify(fact.notes),
    );
    assert.ok(doc.findings.some((f: any) => f.id === 'keepalive-disabled'));
  });

  it('errors: a process with no known server, a PID that does not exist, a bad PID (exit 2)', async () => {
    const none = await runCli(['check', '--lb', '60s', '--backend', `proc:${sleeper.pid}`]);
    assert.equal(none.code, 2);
    assert.match(none.stderr, /no known server in the command "sleep 60"/);
    const gone = await runCli(['check', '--lb', '60s', '--backend', 'proc:999999999']);
    assert.equal(gone.code, 2);
    assert.match(gone.stderr, /proc:999999999: no such process/);
    const bad = await runCli(['check', '--lb', '60s', '--backend', 'proc:abc']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /positive whole number/);
  });
});
