import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parseJson, runCli } from './cli-helpers.js';
import {
  type CountingBackend,
  get,
  missingBinaries,
  runSync,
  startCountingBackend,
  startServer,
  tempDir,
} from './readers-helpers/proxies.js';

function nginxVersion(): string {
  const out = runSync('nginx', ['-v']);
  return /nginx\/(\d+\.\d+\.\d+)/.exec(out.stderr + out.stdout)?.[1] ?? 'unknown';
}

/** A config nginx accepts as a non-root user: every path inside the prefix folder. */
function nginxConf(http: string): string {
  return `pid nginx.pid;
error_log error.log;
events { worker_connections 64; }
http {
    access_log off;
    client_body_temp_path tmp_body;
    proxy_temp_path tmp_proxy;
    fastcgi_temp_path tmp_fastcgi;
    uwsgi_temp_path tmp_uwsgi;
    scgi_temp_path tmp_scgi;
${http}
}
`;
}

describe('nginx reader against the real nginx binary', {
  skip: missingBinaries('nginx'),
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

  async function startNginx(http: string, extraFiles: Record<string, string> = {}) {
    const dir = await tempDir('kap-nginx-');
    cleanups.push(dir.remove);
    const conf = join(dir.path, 'nginx.conf');
    // The config names the port, so it is written for each start-up attempt: startServer picks a
    // free port, retries with a new one when another program took it, and waits until nginx itself
    // (not whoever took the port) listens there.
    const proc = await startServer({
      name: 'nginx',
      command: 'nginx',
      dir: dir.path,
      args: () => ['-p', dir.path, '-c', conf, '-e', join(dir.path, 'error.log'), '-g', 'daemon off;'],
      prepare: async (_dir, port) => {
        for (const [name, text] of Object.entries(extraFiles)) {
          await mkdir(join(dir.path, name, '..'), { recursive: true });
          await writeFile(
            join(dir.path, name),
            text.replaceAll('PORT', String(port)).replaceAll('BACKEND', String(backend.port)),
          );
        }
        await writeFile(
          conf,
          nginxConf(http.replaceAll('PORT', String(port)).replaceAll('BACKEND', String(backend.port))),
        );
        const test = runSync('nginx', ['-t', '-p', dir.path, '-c', conf, '-e', join(dir.path, 'error.log')]);
        assert.equal(test.code, 0, `nginx -t refused the config:\n${test.stderr}`);
      },
    });
    cleanups.push(proc.stop);
    return { dir: dir.path, conf, port: proc.port, proc };
  }

  it('pooling config: the reader says 1 s idle; nginx reuses one backend connection and closes it about 1 s after the last response', async () => {
    const { conf, port } = await startNginx(`
    upstream app {
        server 127.0.0.1:BACKEND;
        keepalive 4;
        keepalive_timeout 1s;
    }
    server {
        listen 127.0.0.1:PORT;
        location / {
            proxy_pass http://app;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
        }
    }`);
    const check = await runCli([
      'check',
      '--lb',
      `nginx:${conf}#app`,
      '--backend',
      '65s',
      '--lb-product',
      `nginx@${nginxVersion()}`,
      '--json',
    ]);
    assert.equal(check.code, 0, check.stderr);
    const hop = parseJson(check).hops[0];
    assert.equal(hop.clientIdleMs, 1000);
    const fact = hop.client.facts.find((f: any) => f.subject === 'pool-idle');
    assert.deepEqual([fact.provenance.file, fact.provenance.line], [conf, 15]);

    const before = backend.connections();
    assert.equal(await get(port), 200);
    assert.equal(await get(port), 200);
    assert.equal(backend.connections() - before, 1, 'the second request reused the pooled connection');
    const closedAfterMs = await backend.nextCloseAfterResponse(6000);
    // nginx closes the idle pooled connection at keepalive_timeout (1 s; loose bounds for a busy host).
    assert.ok(closedAfterMs >= 800 && closedAfterMs < 4000, `closed after ${closedAfterMs} ms`);
  });

  it('keepalive without proxy_http_version 1.1 on nginx < 1.29.7: the reader says no reuse, and nginx opens a connection per request', async () => {
    const { conf, port } = await startNginx(`
    upstream legacy {
        server 127.0.0.1:BACKEND;
        keepalive 4;
    }
    server {
        listen 127.0.0.1:PORT;
        location / { proxy_pass http://legacy; }
    }`);
    const version = nginxVersion();
    const check = await runCli([
      'check',
      '--lb',
      `nginx:${conf}`,
      '--backend',
      '65s',
      '--lb-product',
      `nginx@${version}`,
      '--json',
    ]);
    const doc = parseJson(check);
    const pool = doc.hops[0].client.facts.find((f: any) => f.subject === 'pool-idle');
    if (version.localeCompare('1.29.7', undefined, { numeric: true }) < 0) {
      assert.equal(pool.valueType, 'disabled');
      const before = backend.connections();
      assert.equal(await get(port), 200);
      assert.equal(await get(port), 200);
      assert.equal(backend.connections() - before, 2, 'no reuse: one backend connection per request');
    } else {
      assert.equal(pool.valueType, 'duration');
    }
  });

  it('the WebSocket recipe (Connection $connection_upgrade mapped to "close"): the reader says no reuse, and nginx opens a connection per request', async () => {
    const { conf, port } = await startNginx(`
    map $http_upgrade $connection_upgrade {
        default upgrade;
        ''      close;
    }
    upstream ws {
        server 127.0.0.1:BACKEND;
        keepalive 4;
    }
    server {
        listen 127.0.0.1:PORT;
        location / {
            proxy_pass http://ws;
            proxy_http_version 1.1;
            proxy_set_header Upgrade $http_upgrade;
            proxy_set_header Connection $connection_upgrade;
        }
    }`);
    const check = await runCli(['check', '--lb', `nginx:${conf}`, '--backend', '65s', '--json']);
    const pool = parseJson(check).hops[0].client.facts.find((f: any) => f.subject === 'pool-idle');
    assert.equal(pool.valueType, 'disabled');
    assert.match(pool.notes.join(' '), /"close" for requests without an Upgrade header/);
    const before = backend.connections();
    assert.equal(await get(port), 200);
    assert.equal(await get(port), 200);
    assert.equal(backend.connections() - before, 2, 'no reuse: one backend connection per request');
  });

  it('`nginx -T` output on stdin (nginx:-), includes and all: check --lb nginx:- --backend runtime:uvicorn --json', async () => {
    const { dir, conf } = await startNginx(
      `
    include conf.d/*.conf;`,
      {
        'conf.d/app.conf': `upstream app {
    server 127.0.0.1:1;
    keepalive 8;
    keepalive_timeout 60s;
}
server {
    listen 127.0.0.1:PORT;
    location / {
        proxy_pass http://app;
        proxy_http_version 1.1;
        proxy_set_header Connection "";
    }
}
`,
      },
    );
    const dump = runSync('nginx', ['-T', '-p', dir, '-c', conf, '-e', join(dir, 'error.log')]);
    assert.equal(dump.code, 0, dump.stderr);
    const result = await runCli(['check', '--lb', 'nginx:-', '--backend', 'runtime:uvicorn', '--json'], {
      input: dump.stdout,
    });
    assert.equal(result.code, 1, result.stderr);
    const doc = parseJson(result);
    assert.equal(doc.verdict, 'violation');
    assert.equal(doc.hops[0].clientIdleMs, 60_000);
    assert.equal(doc.hops[0].serverKeepAliveMs, 5000);
    const fact = doc.hops[0].client.facts.find((f: any) => f.subject === 'pool-idle');
    assert.deepEqual([fact.provenance.file, fact.provenance.line], [join(dir, 'conf.d/app.conf'), 4]);
    // The same file read directly (includes resolved by the reader) gives the same answer.
    const direct = await runCli(['check', '--lb', `nginx:${conf}`, '--backend', 'runtime:uvicorn', '--json']);
    assert.equal(direct.code, 1, direct.stderr);
    assert.equal(parseJson(direct).hops[0].clientIdleMs, 60_000);
  });

  it('a config nginx -t refuses is a config-unreadable finding with file:line, verdict unknown, not a crash', async () => {
    const dir = await tempDir('kap-nginx-bad-');
    cleanups.push(dir.remove);
    const conf = join(dir.path, 'nginx.conf');
    await writeFile(
      conf,
      nginxConf(`
    upstream app {
        server 127.0.0.1:1;
        keepalive 4;
        keepalive_timeout 10x;
    }`),
    );
    const test = runSync('nginx', ['-t', '-p', dir.path, '-c', conf, '-e', join(dir.path, 'error.log')]);
    assert.notEqual(test.code, 0);
    assert.match(test.stderr, /nginx\.conf:15/);
    const result = await runCli(['check', '--lb', `nginx:${conf}`, '--backend', '65s', '--json']);
    // check exits 2 when a hop cannot be judged; the report is still there.
    assert.equal(result.code, 2, result.stderr);
    const doc = parseJson(result);
    assert.equal(doc.verdict, 'unknown');
    const finding = doc.findings.find((f: any) => f.id === 'config-unreadable');
    assert.equal(finding.numbers.line, 15);
    assert.equal(finding.details.file, conf);
  });
});
