import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { traefikReader } from '../src/readers/traefik/index.js';
import { brief, factOf, readFixture, sideNamed } from './readers-helpers.js';

describe('traefik reader', () => {
  it('dynamic YAML: each service gets the idleConnTimeout of its serversTransport (or the default)', async () => {
    const result = await readFixture(traefikReader, 'traefik/dynamic.yml');
    assert.deepEqual(result.diagnostics, []);
    const app = sideNamed(result, 'pool', 'app');
    assert.deepEqual(brief(factOf(app, 'pool-idle')), { value: 30_000, at: 'traefik/dynamic.yml:6' });
    assert.deepEqual(app.targets, ['http://10.0.0.1:8000', 'http://10.0.0.2:8000']);
    assert.equal(factOf(sideNamed(result, 'pool', 'legacy'), 'pool-idle').value.type, 'disabled');
    const plain = factOf(sideNamed(result, 'pool', 'plain'), 'pool-idle');
    assert.equal(plain.isDefault, true);
    assert.equal(plain.value.type === 'duration' && plain.value.ms, 90_000);
    const external = factOf(sideNamed(result, 'pool', 'external'), 'pool-idle');
    assert.equal(external.value.type, 'unset');
    assert.match(external.notes?.join(' ') ?? '', /defined elsewhere/);
  });

  it('dynamic TOML (parsed by the real TOML parser), bare integers in seconds, lines from the text', async () => {
    const result = await readFixture(traefikReader, 'traefik/dynamic.toml');
    assert.deepEqual(result.diagnostics, []);
    assert.deepEqual(brief(factOf(sideNamed(result, 'pool', 'app'), 'pool-idle')), {
      value: 45_000,
      at: 'traefik/dynamic.toml:3',
    });
  });

  it('static configuration: entry point idleTimeout (server side) and the default transport', async () => {
    const result = await readFixture(traefikReader, 'traefik/traefik.yml');
    assert.deepEqual(result.diagnostics, []);
    assert.deepEqual(brief(factOf(sideNamed(result, 'server', 'web'), 'server-keepalive')), {
      value: 180_000,
      at: 'traefik/traefik.yml:6',
    });
    assert.equal(factOf(sideNamed(result, 'server', 'metrics'), 'server-keepalive').isDefault, true);
    assert.deepEqual(brief(factOf(sideNamed(result, 'pool', 'serversTransport'), 'pool-idle')), {
      value: 90_000,
      at: 'traefik/traefik.yml:11',
    });
  });

  it('broken YAML or TOML and bad durations are diagnostics with file:line', async () => {
    const yaml = await readFixture(traefikReader, 'traefik/broken.yml');
    assert.ok(
      yaml.diagnostics.some((d) => d.severity === 'error' && d.line !== undefined),
      JSON.stringify(yaml.diagnostics),
    );
    const value = await readFixture(traefikReader, 'traefik/bad-value.yml');
    assert.deepEqual(
      value.diagnostics.map((d) => [d.line, d.field]),
      [[5, 'serversTransport.forwardingTimeouts.idleConnTimeout']],
    );
    const toml = await readFixture(traefikReader, 'traefik/broken.toml');
    assert.equal(toml.diagnostics.length, 1);
    assert.match(toml.diagnostics[0]!.message, /does not parse as TOML/);
  });
});
