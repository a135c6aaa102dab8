import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { isAlive, type ProcessGroup } from '../src/lab/processes.js';
import { parseJson, runCli } from './cli-helpers.js';
import { startPrometheus } from './metrics-helpers/prometheus.js';
import { requireBinaries } from './support/binaries.js';
import { tempDir, testProcessGroup } from './support/servers.js';

/**
 * The Envoy, Istio, ingress-nginx and Traefik mappings through a real Prometheus: a Node server on
 * 127.0.0.1 exposes series named and labelled as each exporter names them (the proxies themselves are
 * not installed here), a real Prometheus scrapes it every second, and `diagnose prom:` reads them back
 * over the HTTP API. No chance is involved: the counters are set, then scraped.
 */

type Series = Map<string, number>; // 'name{labels}' → value

function exposition(series: Series): string {
  const types = new Set<string>();
  const lines: string[] = [];
  for (const [key, value] of series) {
    const name = key.split('{')[0]!;
    if (!types.has(name)) {
      types.add(name);
      lines.push(
        `# TYPE ${name} ${/_total$|_rq$|_active_rq$|_fail$|_timeout$|_requests$/.test(name) ? 'counter' : 'gauge'}`,
      );
    }
    lines.push(`${key} ${value}`);
  }
  return `${lines.join('\n')}\n`;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const iso = (ms: number) => new Date(ms).toISOString();

const PROGRAMS = requireBinaries('prometheus');

describe('prom: Envoy, Istio, ingress-nginx and Traefik series through a real Prometheus', PROGRAMS, () => {
  const series: Series = new Map();
  let exporter: Server;
  let group: ProcessGroup;
  let dir: { path: string; remove(): Promise<void> };
  let promUrl = '';
  let since = 0;
  let until = 0;

  before(async () => {
    // Present from the start (at 0), as each exporter publishes them.
    const base: Array<[string, number]> = [
      ['envoy_cluster_upstream_rq_total{envoy_cluster_name="svc"}', 0],
      ['envoy_cluster_upstream_cx_destroy_remote_with_active_rq{envoy_cluster_name="svc"}', 0],
      ['envoy_cluster_upstream_rq_timeout{envoy_cluster_name="svc"}', 0],
      ['envoy_cluster_upstream_cx_connect_fail{envoy_cluster_name="svc"}', 0],
      ['envoy_cluster_membership_healthy{envoy_cluster_name="svc"}', 3],
      [
        'istio_requests_total{reporter="source",destination_service="api",response_code="200",response_flags="-"}',
        0,
      ],
      [
        'istio_requests_total{reporter="destination",destination_service="api",response_code="200",response_flags="-"}',
        0,
      ],
      ['nginx_ingress_controller_requests{ingress="shop",status="200"}', 0],
      ['traefik_service_requests_total{service="web@docker",code="200"}', 0],
      ['traefik_service_server_up{service="web@docker",url="http://10.0.0.1:80"}', 1],
    ];
    for (const [k, v] of base) series.set(k, v);
    exporter = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
      res.end(exposition(series));
    });
    await new Promise<void>((r) => exporter.listen(0, '127.0.0.1', () => r()));
    const exporterPort = (exporter.address() as AddressInfo).port;
    dir = await tempDir('kap-exporters-');
    group = testProcessGroup();
    promUrl = await startPrometheus(group, join(dir.path, 'prometheus'), 'synthetic', exporterPort);
    await sleep(1500);
    since = Date.now();
    // Traffic: Envoy closes under active requests; Istio sees UC (a series born now); ingress-nginx and
    // Traefik see 5xx they cannot attribute.
    series.set('envoy_cluster_upstream_rq_total{envoy_cluster_name="svc"}', 200);
    series.set('envoy_cluster_upstream_cx_destroy_remote_with_active_rq{envoy_cluster_name="svc"}', 7);
    series.set(
      'istio_requests_total{reporter="source",destination_service="api",response_code="200",response_flags="-"}',
      190,
    );
    series.set(
      'istio_requests_total{reporter="source",destination_service="api",response_code="503",response_flags="UC"}',
      6,
    );
    series.set(
      'istio_requests_total{reporter="destination",destination_service="api",response_code="200",response_flags="-"}',
      190,
    );
    series.set('nginx_ingress_controller_requests{ingress="shop",status="200"}', 95);
    series.set('nginx_ingress_controller_requests{ingress="shop",status="502"}', 5);
    series.set('traefik_service_requests_total{service="web@docker",code="200"}', 96);
    series.set('traefik_service_requests_total{service="web@docker",code="502"}', 4);
    await sleep(3500);
    until = Date.now();
  });
  after(async () => {
    const pids = group?.all.map((p) => p.pid) ?? [];
    await group?.stopAll();
    await new Promise<void>((r) => (exporter ? exporter.close(() => r()) : r()));
    await dir?.remove();
    for (const pid of pids) assert.equal(isAlive(pid), false);
  });

  const diagnose = (selector: string) =>
    runCli([
      'diagnose',
      `prom:${promUrl}#${selector}`,
      '--since',
      iso(since - 2000),
      '--until',
      iso(until),
      '--period',
      '1s',
      '--json',
    ]);

  it('Envoy: upstream_cx_destroy_remote_with_active_rq → keepalive-race; target 5xx not read', async () => {
    const result = await diagnose('{envoy_cluster_name="svc"}');
    assert.equal(result.code, 1, result.stderr + result.stdout);
    const doc = parseJson(result);
    assert.equal(doc.metrics.platforms[0].id, 'envoy');
    assert.equal(doc.metrics.totals.raceErrors, 7);
    assert.equal(doc.metrics.totals.requests, 200);
    assert.equal(doc.metrics.totals.target5xx, null);
    assert.match(
      doc.metrics.reasons.find((r: any) => r.code === 'race-signature').message,
      /target 5xx were not read/,
    );
  });

  it('Istio: response_flags="UC" (a series born in the window) → keepalive-race, counted from its first value', async () => {
    const result = await diagnose('{destination_service="api"}');
    assert.equal(result.code, 1, result.stderr + result.stdout);
    const doc = parseJson(result);
    assert.equal(doc.metrics.platforms[0].id, 'istio');
    assert.equal(doc.metrics.totals.raceErrors, 6);
    assert.equal(doc.metrics.totals.requests, 196);
    assert.equal(doc.metrics.totals.target5xx, 0);
  });

  it('ingress-nginx and Traefik: 5xx of either origin → inconclusive (cannot-separate), naming the access log', async () => {
    for (const [selector, platform, hint] of [
      ['{ingress="shop"}', 'ingress-nginx', /\$upstream_status/],
      ['{service="web@docker"}', 'traefik', /OriginStatus/],
    ] as const) {
      const result = await diagnose(selector);
      assert.equal(result.code, 0, result.stderr + result.stdout);
      const doc = parseJson(result);
      assert.equal(doc.metrics.platforms[0].id, platform);
      assert.equal(doc.verdict, 'inconclusive');
      const reason = doc.metrics.reasons.find((r: any) => r.code === 'cannot-separate');
      assert.match(reason.message, hint);
    }
  });

  it('a selector with no series of a known exporter is an input error (exit 2)', async () => {
    const result = await runCli([
      'diagnose',
      `prom:${promUrl}#{job="nothing-here"}`,
      '--since',
      iso(since),
      '--until',
      iso(until),
    ]);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /no series of a known exporter under \{job="nothing-here"\}/);
  });
});
