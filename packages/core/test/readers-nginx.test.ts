import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { nginxReader } from '../src/readers/nginx/index.js';
import { brief, factOf, readFixture, sideNamed } from './readers-helpers.js';

describe('nginx reader', () => {
  it('reads an upstream pool with every value and its file:line', async () => {
    const result = await readFixture(nginxReader, 'nginx/basic/nginx.conf');
    assert.deepEqual(result.diagnostics, []);
    const app = sideNamed(result, 'pool', 'app');
    assert.equal(app.label, 'nginx upstream app');
    assert.deepEqual(brief(factOf(app, 'pool-idle')), { value: 90_000, at: 'nginx/basic/nginx.conf:13' });
    assert.deepEqual(brief(factOf(app, 'max-requests-per-connection')), {
      value: 500,
      at: 'nginx/basic/nginx.conf:14',
    });
    assert.deepEqual(brief(factOf(app, 'connection-lifetime')), {
      value: 7_200_000,
      at: 'nginx/basic/nginx.conf:15',
    });
    const retry = factOf(app, 'retry-policy');
    assert.equal(retry.value.type, 'retry');
    if (retry.value.type === 'retry') {
      assert.deepEqual(retry.value.on, ['error', 'timeout', 'http_502']);
      assert.equal(retry.value.idempotentOnly, true);
      assert.match(retry.value.text, /at most 2 tries/);
    }
    assert.deepEqual(app.targets, ['127.0.0.1:8000', '127.0.0.1:8001']);
    // The server side: keepalive_timeout 65 is inherited from http {} and is in seconds.
    const server = sideNamed(result, 'server', 'example.com');
    assert.deepEqual(brief(factOf(server, 'server-keepalive')), {
      value: 65_000,
      at: 'nginx/basic/nginx.conf:6',
    });
  });

  it('follows include globs relative to the main file, quoted names and values, comments', async () => {
    const result = await readFixture(nginxReader, 'nginx/includes/nginx.conf');
    assert.deepEqual(result.diagnostics, []);
    const api = sideNamed(result, 'pool', 'api');
    assert.deepEqual(brief(factOf(api, 'pool-idle')), {
      value: 75_000,
      at: 'nginx/includes/conf.d/10-upstreams.conf:4',
    });
    const retry = factOf(api, 'retry-policy');
    assert.equal(retry.value.type === 'retry' && retry.value.idempotentOnly, false);
    const legacy = sideNamed(result, 'pool', 'legacy-svc');
    assert.deepEqual(brief(factOf(legacy, 'pool-idle')), {
      value: 20_000,
      at: 'nginx/includes/conf.d/10-upstreams.conf:10',
    });
    const server = sideNamed(result, 'server', 'listen 8080');
    assert.deepEqual(brief(factOf(server, 'server-keepalive')), {
      value: 30_000,
      at: 'nginx/includes/conf.d/20-site.conf:4',
    });
    assert.match(factOf(server, 'server-keepalive').notes?.join(' ') ?? '', /Keep-Alive: timeout=25s/);
  });

  it('knows that pooling depends on the nginx version', async () => {
    const old = await readFixture(nginxReader, 'nginx/legacy/nginx.conf', { version: '1.22.1' });
    // keepalive 10 but HTTP/1.0 with Connection: close (pre-1.29.7 defaults): nothing is reused.
    assert.equal(factOf(sideNamed(old, 'pool', 'backend'), 'pool-idle').value.type, 'disabled');
    assert.equal(factOf(sideNamed(old, 'pool', 'implicit_pool'), 'pool-idle').value.type, 'disabled');
    const current = await readFixture(nginxReader, 'nginx/legacy/nginx.conf', { version: '1.30.0' });
    for (const name of ['backend', 'implicit_pool']) {
      const fact = factOf(sideNamed(current, 'pool', name), 'pool-idle');
      assert.equal(fact.value.type === 'duration' && fact.value.ms, 60_000, name);
      assert.equal(fact.isDefault, true);
    }
    const unknown = await readFixture(nginxReader, 'nginx/legacy/nginx.conf');
    const fact = factOf(sideNamed(unknown, 'pool', 'backend'), 'pool-idle');
    assert.equal(fact.value.type, 'unset');
    assert.match(fact.notes?.join(' ') ?? '', /--lb-product nginx@VERSION/);
  });

  it('reads every unit of nginx time, and keepalive_timeout 0 as keep-alive off', async () => {
    const result = await readFixture(nginxReader, 'nginx/units/nginx.conf');
    assert.deepEqual(result.diagnostics, []);
    const ms = (name: string) => brief(factOf(sideNamed(result, 'pool', name), 'pool-idle')).value;
    assert.deepEqual(['a', 'b', 'c', 'd', 'e'].map(ms), [500, 90_000, 7_200_000, 86_400_000, 45_000]);
    assert.equal(
      factOf(sideNamed(result, 'server', 'listen 8082'), 'server-keepalive').value.type,
      'disabled',
    );
  });

  it('turns a broken file into diagnostics with file:line and keeps what it could read', async () => {
    const result = await readFixture(nginxReader, 'nginx/broken/nginx.conf');
    const messages = result.diagnostics.map((d) => `${d.file}:${d.line} ${d.message}`);
    assert.ok(
      messages.some((m) => /broken\/nginx.conf:6 .*10x/.test(m)),
      messages.join('\n'),
    );
    assert.ok(
      messages.some((m) => /unexpected end of file, expecting "}"/.test(m)),
      messages.join('\n'),
    );
    assert.ok(result.diagnostics.every((d) => d.severity === 'error'));
    // The upstream is still there, without a usable idle value.
    assert.ok(sideNamed(result, 'pool', 'app'));
  });

  it('reads `nginx -T` output from stdin, includes resolved from the dump itself', async () => {
    const { readFileSync } = await import('node:fs');
    const { FIXTURES } = await import('./readers-helpers.js');
    const dump = readFileSync(`${FIXTURES}nginx/dump/nginx-T.txt`, 'utf8');
    const result = await readFixture(nginxReader, '-', { stdin: dump });
    assert.deepEqual(result.diagnostics, []);
    assert.deepEqual(brief(factOf(sideNamed(result, 'pool', 'app'), 'pool-idle')), {
      value: 45_000,
      at: '/etc/nginx/conf.d/app.conf:4',
    });
  });

  it('reports a missing include file as an error at the include line', async () => {
    const result = nginxReader.read({ text: 'http {\n  include missing.conf;\n}\n', file: 'x/nginx.conf' });
    assert.deepEqual(
      result.diagnostics.map((d) => [d.file, d.line, d.severity]),
      [['x/nginx.conf', 2, 'error']],
    );
  });

  it("a bad value in one upstream makes only that upstream's hop unknown, not its neighbours'", async () => {
    const { evaluate, parseSource, sidesForRequest } = await import('../src/index.js');
    const result = nginxReader.read({
      file: 'two.conf',
      text: 'http {\n  upstream good { keepalive 2; keepalive_timeout 30s; }\n  upstream bad { keepalive 2; keepalive_timeout 30x; }\n  server { location / { proxy_pass http://good; proxy_http_version 1.1; proxy_set_header Connection ""; } location /b { proxy_pass http://bad; proxy_http_version 1.1; proxy_set_header Connection ""; } }\n}\n',
    });
    const sides = sidesForRequest(nginxReader, result, {
      spec: parseSource('nginx:two.conf'),
      role: 'pool',
      field: '--lb',
    });
    const byName = Object.fromEntries(sides.map((s) => [s.label, s]));
    assert.equal(byName['nginx upstream good']!.diagnostics, undefined);
    assert.equal(byName['nginx upstream bad']!.diagnostics?.length, 1);
    const server = {
      label: 'app',
      facts: [
        {
          subject: 'server-keepalive' as const,
          value: { type: 'duration' as const, ms: 65_000, text: '65s' },
          provenance: { kind: 'command-line' as const, flag: '--backend', text: '65s' },
        },
      ],
    };
    const evaluation = evaluate(
      sides.map((side, index) => ({
        index,
        name: side.label,
        client: { ...side, diagnostics: side.diagnostics?.filter((d) => typeof d !== 'string') },
        server,
        marginMs: 5000,
      })),
    );
    assert.deepEqual(
      evaluation.hops.map((h) => [h.hop.name, h.verdict]),
      [
        ['nginx upstream good', 'holds'],
        ['nginx upstream bad', 'unknown'],
      ],
    );
  });
});
