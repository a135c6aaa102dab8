import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CLOUDWATCH_ACTIONS } from '../src/metrics/cloudwatch.js';
import {
  type CloudWatchServer,
  type FakeMetric,
  startCloudWatchServer,
} from './aws-helpers/cloudwatch-server.js';
import { awsTestEnv } from './aws-helpers/elbv2-server.js';
import { parseJson, runCli } from './cli-helpers.js';

/** cloudwatch: inputs through the real AWS SDK against a local endpoint speaking CloudWatch's AWS JSON 1.0 protocol. */

const MIN = 60_000;
const T0 = Math.floor(Date.now() / MIN) * MIN - 3 * 3600_000;
const MINUTES = 60;
const ALB = 'AWS/ApplicationELB';
const SINCE = new Date(T0).toISOString();
const UNTIL = new Date(T0 + MINUTES * MIN).toISOString();

function series(f: (i: number) => number): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (let i = 0; i < MINUTES; i++) {
    const v = f(i);
    if (v !== 0) out.push([T0 + i * MIN, v]); // CloudWatch publishes count metrics only for non-zero periods
  }
  return out;
}

function alb(
  name: string,
  counts: Partial<Record<string, (i: number) => number>>,
  hosts: { healthy: (i: number) => number; unhealthy: (i: number) => number },
): FakeMetric[] {
  const lb = `app/${name}/50dc6c495c0c9188`;
  const tg = `targetgroup/${name}-tg/943f017f100becff`;
  const gauge = (f: (i: number) => number) =>
    Array.from({ length: MINUTES }, (_, i) => [T0 + i * MIN, f(i)] as [number, number]);
  return [
    ...Object.entries(counts).map(([metric, f]) => ({
      namespace: ALB,
      name: metric,
      dimensions: { LoadBalancer: lb },
      points: series(f!),
    })),
    {
      namespace: ALB,
      name: 'HealthyHostCount',
      dimensions: { TargetGroup: tg, LoadBalancer: lb },
      points: gauge(hosts.healthy),
    },
    {
      namespace: ALB,
      name: 'UnHealthyHostCount',
      dimensions: { TargetGroup: tg, LoadBalancer: lb },
      points: gauge(hosts.unhealthy),
    },
    {
      namespace: ALB,
      name: 'RequestCount',
      dimensions: { TargetGroup: tg, LoadBalancer: lb },
      points: series(counts.RequestCount!),
    },
  ];
}

const healthy = { healthy: () => 2, unhealthy: () => 0 };
// Traffic: quiet minutes (even) 20 requests, busy minutes (odd) 400.
const traffic = (i: number) => (i % 2 ? 400 : 20);

const FLEET: FakeMetric[] = [
  // The race: ELB 502s, mostly in quiet minutes; target 5xx zero; hosts healthy.
  ...alb(
    'web',
    {
      RequestCount: traffic,
      HTTPCode_ELB_502_Count: (i) => (i % 2 ? (i % 10 === 1 ? 1 : 0) : 2),
      HTTPCode_ELB_5XX_Count: (i) => (i % 2 ? (i % 10 === 1 ? 1 : 0) : 2),
    },
    healthy,
  ),
  // Target failures: the target's own 5xx carry the LB's 5xx.
  ...alb(
    'api',
    {
      RequestCount: traffic,
      HTTPCode_Target_5XX_Count: (i) => (i % 3 === 0 ? 6 : 0),
      HTTPCode_ELB_502_Count: (i) => (i === 7 ? 1 : 0),
    },
    healthy,
  ),
  // Draining: 502s at the minutes a deploy took hosts out of service.
  ...alb(
    'deploy',
    {
      RequestCount: traffic,
      HTTPCode_ELB_502_Count: (i) => (i >= 30 && i < 36 ? 8 : 0),
      HTTPCode_ELB_5XX_Count: (i) => (i >= 30 && i < 36 ? 8 : 0),
    },
    { healthy: (i) => (i >= 30 && i < 36 ? 1 : 3), unhealthy: (i) => (i >= 30 && i < 36 ? 2 : 0) },
  ),
  // Verify: 502s for the first half hour (quiet traffic), none after the change at minute 30.
  ...alb('fixed', { RequestCount: () => 100, HTTPCode_ELB_502_Count: (i) => (i < 30 ? 3 : 0) }, healthy),
];

describe('cloudwatch: metrics through the real SDK (AWS JSON 1.0) against a local CloudWatch endpoint', () => {
  let server: CloudWatchServer;
  let dir: string;
  before(async () => {
    server = await startCloudWatchServer(FLEET, {
      listPageSize: 2,
      datapointsPerPage: 50,
      forbidden: ['TargetConnectionErrorCount'],
    });
    dir = await mkdtemp(join(tmpdir(), 'kap-cw-'));
  });
  after(async () => {
    await server?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });
  const env = () => awsTestEnv(undefined, { AWS_ENDPOINT_URL_CLOUDWATCH: server.url });

  it('race: ELB 502 with target 5xx at zero and healthy hosts → keepalive-race (exit 1), through pagination and throttling', async () => {
    server.calls.length = 0;
    server.throttle('ListMetrics', 2);
    server.throttle('GetMetricData', 1);
    const html = join(dir, 'web.html');
    const result = await runCli(
      ['diagnose', 'cloudwatch:alb:web', '--since', SINCE, '--until', UNTIL, '--json', '--html', html],
      { env: env() },
    );
    assert.equal(result.code, 1, result.stderr);
    const doc = parseJson(result);
    assert.equal(doc.schemaVersion, 1);
    assert.equal(doc.verdict, 'keepalive-race');
    const m = doc.metrics;
    assert.equal(m.totals.requests, 30 * 20 + 30 * 400);
    assert.equal(m.totals.raceErrors, 30 * 2 + 6);
    assert.equal(m.totals.target5xx, 0);
    assert.match(
      m.reasons.find((r: any) => r.code === 'race-signature').message,
      /66 of 66 .*\(peak 2\/min at /,
    );
    // Quiet minutes: 60 of 600 requests; busy: 6 of 12000. P(X ≥ 60 | Binomial(66, 600/12600)) is astronomically small.
    assert.equal(m.quietPeriod.confidence, 'high');
    assert.equal(m.periodMs, 60_000);
    // The forbidden metric is reported missing, never read as zero.
    assert.deepEqual(
      m.missing.map((x: any) => [x.kind, x.reason]),
      [['connectionErrors', 'CloudWatch answered StatusCode Forbidden']],
    );
    // Paged and throttled calls were retried by the SDK; every call signed and read-only.
    const actions = server.calls.map((c) => c.action);
    assert.ok(actions.filter((a) => a === 'ListMetrics').length >= 2 + 3, actions.join(','));
    assert.ok(
      server.calls.some((c) => c.action === 'GetMetricData' && c.body.NextToken),
      'GetMetricData paged',
    );
    assert.ok(
      server.calls.some((c) => c.action === 'ListMetrics' && c.body.NextToken),
      'ListMetrics paged',
    );
    assert.ok(server.calls.every((c) => c.signed));
    assert.ok(actions.every((a) => (CLOUDWATCH_ACTIONS as readonly string[]).includes(a)));
    assert.doesNotMatch(result.stdout + result.stderr, /test-secret-not-real|AKIDEXAMPLETESTONLY/);
    const page = await readFile(html, 'utf8');
    assert.match(page, /id="kap-metrics"/);
    assert.match(page, /uPlot/);
  });

  it('target failures: target 5xx tracking the LB errors → not-this-trap (exit 0), human view cites the minutes', async () => {
    const result = await runCli(['diagnose', 'cloudwatch:alb:api', '--since', SINCE, '--until', UNTIL], {
      env: env(),
    });
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /NOT THIS TRAP \(metrics\)/);
    assert.match(
      result.stdout,
      /\[target-failures\] the targets answered 120 5xx themselves in 20 periods \(peak 6\/min/,
    );
  });

  it('draining: 502s at the minutes hosts were unhealthy → not-this-trap (draining)', async () => {
    const result = await runCli(
      ['diagnose', 'cloudwatch:alb:deploy', '--since', SINCE, '--until', UNTIL, '--json'],
      { env: env() },
    );
    assert.equal(result.code, 0, result.stderr);
    const doc = parseJson(result);
    assert.equal(doc.verdict, 'not-this-trap');
    assert.deepEqual(
      doc.metrics.reasons.filter((r: any) => r.vote !== 'info').map((r: any) => r.code),
      ['draining'],
    );
    assert.match(doc.metrics.reasons[0].message, /48 of 48 .* 6 periods with unhealthy hosts \(up to 2\)/);
  });

  it('no traffic: a Classic ELB with no datapoints → inconclusive (no-traffic), by name and by ARN', async () => {
    for (const input of [
      'cloudwatch:elb:idle-classic',
      'cloudwatch:elb:arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/idle-classic',
    ]) {
      const result = await runCli(['diagnose', input, '--since', SINCE, '--until', UNTIL, '--json'], {
        env: env(),
      });
      assert.equal(result.code, 0, result.stderr);
      const doc = parseJson(result);
      assert.equal(doc.verdict, 'inconclusive');
      assert.equal(doc.metrics.reasons[0].code, 'no-traffic');
      assert.match(doc.metrics.inputs[0].resource, /AWS\/ELB LoadBalancerName=idle-classic/);
    }
  });

  it('unknown ALB name → exit 2 naming it; --endpoint-url works as the override', async () => {
    const result = await runCli(
      ['diagnose', 'cloudwatch:alb:nope', '--endpoint-url', server.url, '--since', SINCE, '--until', UNTIL],
      {
        env: awsTestEnv(undefined),
      },
    );
    assert.equal(result.code, 2);
    assert.match(result.stderr, /no AWS\/ApplicationELB RequestCount for a load balancer named "nope"/);
  });

  it('verify: 502s before the change, none after → exit 0 with the exact binomial probability', async () => {
    const change = new Date(T0 + 30 * MIN).toISOString();
    const result = await runCli(
      ['verify', '--change-at', change, '--since', SINCE, '--until', UNTIL, 'cloudwatch:alb:fixed', '--json'],
      { env: env() },
    );
    assert.equal(result.code, 0, result.stderr);
    const doc = parseJson(result);
    assert.equal(doc.verdict, 'verified');
    const r = doc.sources[0].result;
    assert.equal(r.before.raceErrors, 90);
    assert.equal(r.after.requests, 3000);
    // Old ratio 90/3000 = 0.03; P(X = 0 | Binomial(3000, 0.03)) = 0.97^3000.
    assert.ok(Math.abs(r.probability - 0.97 ** 3000) <= 1e-9 * 0.97 ** 3000);
  });

  it('the code can send only read-only CloudWatch calls', () => {
    const source = readFileSync(new URL('../src/metrics/cloudwatch.ts', import.meta.url), 'utf8');
    const sent = [...source.matchAll(/new sdk\.(\w+)Command\(/g)].map((m) => m[1]);
    assert.deepEqual([...new Set(sent)].sort(), [...CLOUDWATCH_ACTIONS].sort());
    for (const action of CLOUDWATCH_ACTIONS) assert.match(action, /^(List|Get|Describe)/);
  });
});
