import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { envoyReader } from '../src/readers/envoy/index.js';
import { brief, factOf, readFixture, sideNamed } from './readers-helpers.js';

describe('envoy reader', () => {
  it('a bootstrap: cluster idle_timeout (typed extension and deprecated location), limits, route retries; listener idle', async () => {
    const result = await readFixture(envoyReader, 'envoy/bootstrap.yaml');
    assert.deepEqual(result.diagnostics, []);
    const a = sideNamed(result, 'pool', 'service_a');
    assert.deepEqual(brief(factOf(a, 'pool-idle')), { value: 30_000, at: 'envoy/bootstrap.yaml:45' });
    assert.deepEqual(brief(factOf(a, 'max-requests-per-connection')), {
      value: 100,
      at: 'envoy/bootstrap.yaml:46',
    });
    assert.deepEqual(brief(factOf(a, 'connection-lifetime')), {
      value: 600_000,
      at: 'envoy/bootstrap.yaml:47',
    });
    assert.deepEqual(a.targets, ['app-a:8000']);
    const retry = factOf(a, 'retry-policy');
    assert.ok(retry.value.type === 'retry');
    assert.deepEqual(retry.value.on, ['5xx', 'reset']);
    assert.deepEqual(brief(retry).at, 'envoy/bootstrap.yaml:30');
    const b = sideNamed(result, 'pool', 'service_b');
    assert.deepEqual(brief(factOf(b, 'pool-idle')), { value: 90_500, at: 'envoy/bootstrap.yaml:60' });
    assert.match(factOf(b, 'pool-idle').setting ?? '', /deprecated/);
    // service_b inherits the virtual host's retry policy.
    const bRetry = factOf(b, 'retry-policy');
    assert.ok(bRetry.value.type === 'retry' && bRetry.value.on.join() === 'reset,connect-failure');
    const c = factOf(sideNamed(result, 'pool', 'service_c'), 'pool-idle');
    assert.equal(c.isDefault, true);
    assert.equal(c.value.type === 'duration' && c.value.ms, 3_600_000);
    assert.deepEqual(brief(factOf(sideNamed(result, 'server', 'ingress_http'), 'server-keepalive')), {
      value: 300_000,
      at: 'envoy/bootstrap.yaml:16',
    });
  });

  it('an admin /config_dump (JSON): dynamic clusters and RDS routes', async () => {
    const result = await readFixture(envoyReader, 'envoy/config_dump.json');
    assert.deepEqual(result.diagnostics, []);
    const web = sideNamed(result, 'pool', 'outbound|8080||web.default.svc.cluster.local');
    assert.deepEqual(brief(factOf(web, 'pool-idle')), { value: 3_600_000, at: 'envoy/config_dump.json:22' });
    const retry = factOf(web, 'retry-policy');
    assert.ok(retry.value.type === 'retry');
    assert.match(retry.notes?.join(' ') ?? '', /reset .* not retried/);
  });

  it('bad values and broken YAML are diagnostics with file:line', async () => {
    const result = await readFixture(envoyReader, 'envoy/broken.yaml');
    assert.ok(result.diagnostics.length >= 1);
    assert.ok(
      result.diagnostics.every((d) => d.severity === 'error' && d.file === 'envoy/broken.yaml' && d.line),
    );
    // The YAML itself does not parse (line 11), so nothing is read from it.
    assert.equal(result.sides.length, 0);
    const partial = envoyReader.read({
      file: 'partial.yaml',
      text: 'static_resources:\n  clusters:\n    - name: x\n      common_http_protocol_options:\n        idle_timeout: 30\n',
    });
    assert.deepEqual(
      partial.diagnostics.map((d) => [d.line, d.field]),
      [[5, 'idle_timeout']],
    );
    assert.match(partial.diagnostics[0]!.message, /protobuf Duration string \("3600s"\)/);
  });
});
