import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { k8sReader } from '../src/readers/k8s/index.js';
import { brief, factOf, readFixture, sideNamed } from './readers-helpers.js';

describe('k8s reader (load-balancer side)', () => {
  it('ingress-nginx ConfigMap: upstream-keepalive-* for the pool, keep-alive for clients', async () => {
    const result = await readFixture(k8sReader, 'k8s/ingress-nginx.yaml');
    assert.deepEqual(result.diagnostics, []);
    const pool = sideNamed(result, 'pool', 'configmap/ingress-nginx/ingress-nginx-controller');
    assert.equal(pool.product, 'ingress-nginx');
    assert.deepEqual(brief(factOf(pool, 'pool-idle')), { value: 30_000, at: 'k8s/ingress-nginx.yaml:15' });
    assert.deepEqual(brief(factOf(pool, 'max-requests-per-connection')), {
      value: 1000,
      at: 'k8s/ingress-nginx.yaml:17',
    });
    assert.deepEqual(brief(factOf(pool, 'connection-lifetime')), {
      value: 1_800_000,
      at: 'k8s/ingress-nginx.yaml:18',
    });
    const server = sideNamed(result, 'server', 'configmap/ingress-nginx/ingress-nginx-controller');
    assert.deepEqual(brief(factOf(server, 'server-keepalive')), {
      value: 75_000,
      at: 'k8s/ingress-nginx.yaml:19',
    });
  });

  it('AWS Load Balancer Controller Ingress annotations; the default when unset; the old annotation flagged', async () => {
    const result = await readFixture(k8sReader, 'k8s/alb-ingress.yaml');
    const web = sideNamed(result, 'pool', 'ingress/shop/web');
    assert.equal(web.product, 'aws-alb');
    assert.deepEqual(brief(factOf(web, 'pool-idle')), { value: 600_000, at: 'k8s/alb-ingress.yaml:8' });
    // client_keep_alive.seconds is the client side only: a lifetime on the client → ALB hop.
    assert.equal(web.facts.filter((f) => f.subject === 'connection-lifetime').length, 0);
    assert.deepEqual(
      brief(factOf(sideNamed(result, 'server', 'ingress/shop/web'), 'connection-lifetime')).value,
      3_600_000,
    );
    const api = factOf(sideNamed(result, 'pool', 'ingress/shop/api'), 'pool-idle');
    assert.equal(api.isDefault, true);
    assert.equal(api.value.type === 'duration' && api.value.ms, 60_000);
    assert.deepEqual(
      result.diagnostics.map((d) => [d.severity, d.line, d.field]),
      [['warning', 28, 'alb.ingress.kubernetes.io/connection-idle-timeout']],
    );
  });

  it('Istio DestinationRule: idleTimeout per rule, port and subset (inheriting), Envoy default when unset', async () => {
    const result = await readFixture(k8sReader, 'k8s/istio.yaml');
    assert.deepEqual(result.diagnostics, []);
    const top = sideNamed(result, 'pool', 'destinationrule/reviews');
    assert.deepEqual(brief(factOf(top, 'pool-idle')), { value: 30_000, at: 'k8s/istio.yaml:10' });
    assert.deepEqual(top.targets, ['reviews.default.svc.cluster.local']);
    assert.deepEqual(brief(factOf(sideNamed(result, 'pool', 'destinationrule/reviews:9080'), 'pool-idle')), {
      value: 90_000,
      at: 'k8s/istio.yaml:17',
    });
    const v2 = sideNamed(result, 'pool', 'destinationrule/reviews/v2');
    assert.deepEqual(brief(factOf(v2, 'pool-idle')), { value: 30_000, at: 'k8s/istio.yaml:10' });
    assert.deepEqual(brief(factOf(v2, 'max-requests-per-connection')), {
      value: 100,
      at: 'k8s/istio.yaml:25',
    });
    const ratings = factOf(sideNamed(result, 'pool', 'destinationrule/ratings'), 'pool-idle');
    assert.equal(ratings.isDefault, true);
    assert.equal(ratings.value.type === 'duration' && ratings.value.ms, 3_600_000);
  });

  it('a folder: only YAML files, read together (ConfigMap with pooling off, Classic ELB Service)', async () => {
    const result = await readFixture(k8sReader, 'k8s/folder');
    assert.deepEqual(result.diagnostics, []);
    assert.equal(
      factOf(sideNamed(result, 'pool', 'configmap/ingress/nginx-configuration'), 'pool-idle').value.type,
      'disabled',
    );
    assert.deepEqual(brief(factOf(sideNamed(result, 'pool', 'service/legacy'), 'pool-idle')), {
      value: 350_000,
      at: 'k8s/folder/service.yaml:6',
    });
  });

  it('broken YAML and bad values are diagnostics with file:line', async () => {
    const result = await readFixture(k8sReader, 'k8s/broken.yaml');
    const lines = result.diagnostics.map((d) => [d.severity, d.line]);
    assert.ok(
      lines.some(([s, l]) => s === 'error' && l === 6),
      JSON.stringify(result.diagnostics),
    );
    assert.ok(
      lines.some(([s, l]) => s === 'error' && l !== undefined && l >= 12),
      JSON.stringify(result.diagnostics),
    );
    assert.equal(
      factOf(sideNamed(result, 'pool', 'configmap/ingress-nginx-controller'), 'pool-idle').value.type,
      'unset',
    );
  });
});
