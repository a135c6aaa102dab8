import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { caddyReader } from '../src/readers/caddy/index.js';
import { brief, factOf, readFixture, sideNamed } from './readers-helpers.js';

describe('caddy reader', () => {
  it('a Caddyfile: reverse_proxy keepalive per proxy (one-line blocks, matchers, nested handle), global idle', async () => {
    const result = await readFixture(caddyReader, 'caddy/Caddyfile');
    assert.deepEqual(result.diagnostics, []);
    const api = sideNamed(result, 'pool', '10.0.0.1:8000 10.0.0.2:8000');
    assert.equal(api.label, 'Caddy reverse_proxy 10.0.0.1:8000 10.0.0.2:8000 (example.com)');
    assert.deepEqual(brief(factOf(api, 'pool-idle')), { value: 30_000, at: 'caddy/Caddyfile:15' });
    assert.match(factOf(api, 'retry-policy').notes?.join(' ') ?? '', /POST is never replayed/);
    assert.equal(factOf(sideNamed(result, 'pool', 'legacy:80'), 'pool-idle').value.type, 'disabled');
    const app = factOf(sideNamed(result, 'pool', 'app:3000'), 'pool-idle');
    assert.equal(app.isDefault, true);
    assert.equal(app.value.type === 'duration' && app.value.ms, 120_000);
    assert.deepEqual(brief(factOf(sideNamed(result, 'server', ':443'), 'server-keepalive')), {
      value: 120_000,
      at: 'caddy/Caddyfile:5',
    });
  });

  it('a JSON config: nested subroutes, durations as strings or integer nanoseconds', async () => {
    const result = await readFixture(caddyReader, 'caddy/caddy.json');
    assert.deepEqual(result.diagnostics, []);
    assert.deepEqual(brief(factOf(sideNamed(result, 'pool', 'srv0/app:3000'), 'pool-idle')), {
      value: 45_000,
      at: 'caddy/caddy.json:18',
    });
    assert.deepEqual(brief(factOf(sideNamed(result, 'server', 'srv0'), 'server-keepalive')), {
      value: 90_000,
      at: 'caddy/caddy.json:7',
    });
  });

  it('a broken Caddyfile: bad duration and missing brace, with lines', async () => {
    const result = await readFixture(caddyReader, 'caddy/broken.Caddyfile');
    assert.deepEqual(
      result.diagnostics.map((d) => [d.line, d.message.slice(0, 40)]),
      [
        [3, 'unexpected next token after "{" on the s'],
        [1, 'unexpected end of file, expecting "}"'],
        [7, result.diagnostics[2]!.message.slice(0, 40)],
      ],
    );
    assert.match(result.diagnostics[2]!.message, /30x/);
  });
});

describe('detect (for scan): each proxy reader recognises its own files, not the others', () => {
  it('nginx, HAProxy, Caddy, Traefik and Envoy fixtures are recognised by exactly their reader', async () => {
    const { readFileSync } = await import('node:fs');
    const { FIXTURES } = await import('./readers-helpers.js');
    const { nginxReader } = await import('../src/readers/nginx/index.js');
    const { haproxyReader } = await import('../src/readers/haproxy/index.js');
    const { envoyReader } = await import('../src/readers/envoy/index.js');
    const { traefikReader } = await import('../src/readers/traefik/index.js');
    const readers = [nginxReader, haproxyReader, caddyReader, traefikReader, envoyReader];
    const cases: Array<[string, string]> = [
      ['nginx/basic/nginx.conf', 'nginx'],
      ['nginx/includes/conf.d/20-site.conf', 'nginx'],
      ['haproxy/basic.cfg', 'haproxy'],
      ['haproxy/closing.cfg', 'haproxy'],
      ['caddy/Caddyfile', 'caddy'],
      ['caddy/caddy.json', 'caddy'],
      ['traefik/dynamic.yml', 'traefik'],
      ['traefik/dynamic.toml', 'traefik'],
      ['envoy/bootstrap.yaml', 'envoy'],
    ];
    for (const [file, expected] of cases) {
      const text = readFileSync(`${FIXTURES}${file}`, 'utf8');
      const matched = readers.filter((r) => r.detect?.(file, text)).map((r) => r.id);
      assert.deepEqual(matched, [expected], file);
    }
  });
});
