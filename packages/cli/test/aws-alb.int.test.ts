import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { arnOf, awsTestEnv, type Elbv2Server, startElbv2Server } from './aws-helpers/elbv2-server.js';
import { parseJson, runCli } from './cli-helpers.js';

const FLEET = [
  {
    name: 'web',
    attributes: {
      'idle_timeout.timeout_seconds': '120',
      'client_keep_alive.seconds': '3600',
      'routing.http2.enabled': 'true',
    },
  },
  { name: 'api', attributes: { 'idle_timeout.timeout_seconds': '60' } },
  {
    name: 'edge-nlb',
    type: 'network' as const,
    attributes: { 'load_balancing.cross_zone.enabled': 'false' },
  },
  { name: 'batch', attributes: { 'idle_timeout.timeout_seconds': '4000' } },
  { name: 'short', attributes: { 'idle_timeout.timeout_seconds': '30' } },
];

const CLASSIC = [
  { name: 'old-web', idleTimeoutSeconds: 300 },
  { name: 'old-api', idleTimeoutSeconds: 60 },
  { name: 'old-batch', idleTimeoutSeconds: 3600 },
];

describe('alb: live AWS reads through the real SDK against a local ELBv2 Query API', () => {
  let server: Elbv2Server;
  before(async () => {
    server = await startElbv2Server(FLEET, { pageSize: 2, classic: CLASSIC });
  });
  after(async () => {
    await server?.close();
  });

  it('found: check --lb alb:NAME --backend 65s reads idle_timeout live and evaluates it (--json)', async () => {
    server.requests.length = 0;
    const result = await runCli(['check', '--lb', 'alb:web', '--backend', '65s', '--json'], {
      env: awsTestEnv(server.url),
    });
    assert.equal(result.code, 1, result.stderr);
    const doc = parseJson(result);
    assert.equal(doc.verdict, 'violation');
    const hop = doc.hops[0];
    assert.equal(hop.clientIdleMs, 120_000);
    const fact = hop.client.facts.find((f: any) => f.subject === 'pool-idle');
    assert.equal(fact.setting, 'idle_timeout.timeout_seconds');
    assert.equal(fact.provenance.kind, 'live-api');
    assert.equal(fact.provenance.resource, arnOf(FLEET[0]!));
    assert.equal(fact.provenance.endpoint, server.url);
    assert.match(fact.provenance.readAt, /^\d{4}-\d\d-\d\dT/);
    // client_keep_alive.seconds is reported, not used for the upstream hop.
    assert.match(fact.notes.join(' '), /client_keep_alive\.seconds = 3600 s is the client-side/);
    assert.equal(hop.client.facts.filter((f: any) => f.subject === 'connection-lifetime').length, 0);
    assert.deepEqual(
      server.requests.map((r) => [
        r.action,
        r.params['Names.member.1'] ?? r.params.LoadBalancerArn,
        r.signed,
      ]),
      [
        ['DescribeLoadBalancers', 'web', true],
        ['DescribeLoadBalancerAttributes', arnOf(FLEET[0]!), true],
      ],
    );
    // Never print credentials.
    assert.doesNotMatch(result.stdout + result.stderr, /test-secret-not-real|AKIDEXAMPLETESTONLY/);
  });

  it('holds when the backend outlives the ALB; --endpoint-url works as the override too; by ARN', async () => {
    const env = awsTestEnv(undefined);
    const result = await runCli(
      [
        'check',
        '--lb',
        `alb:${arnOf(FLEET[1]!)}`,
        '--backend',
        '65s',
        '--endpoint-url',
        server.url,
        '--json',
      ],
      { env },
    );
    assert.equal(result.code, 0, result.stderr);
    const doc = parseJson(result);
    assert.equal(doc.verdict, 'holds');
    assert.equal(doc.hops[0].clientIdleMs, 60_000);
  });

  it('not found: exit 2 with a clear message', async () => {
    const result = await runCli(['check', '--lb', 'alb:nope', '--backend', '65s'], {
      env: awsTestEnv(server.url),
    });
    assert.equal(result.code, 2);
    assert.match(result.stderr, /alb:nope: no such load balancer/);
  });

  it('access denied: exit 2 naming the missing IAM action', async () => {
    const denying = await startElbv2Server(FLEET);
    try {
      denying.deny('DescribeLoadBalancerAttributes');
      const result = await runCli(['check', '--lb', 'alb:web', '--backend', '65s'], {
        env: awsTestEnv(denying.url),
      });
      assert.equal(result.code, 2);
      assert.match(result.stderr, /access denied.*elasticloadbalancing:DescribeLoadBalancerAttributes/);
    } finally {
      await denying.close();
    }
  });

  it('throttled then succeeded: the SDK retries and the value is read', async () => {
    const throttling = await startElbv2Server(FLEET);
    try {
      throttling.throttle('DescribeLoadBalancers', 2);
      const result = await runCli(['check', '--lb', 'alb:api', '--backend', '65s', '--json'], {
        env: awsTestEnv(throttling.url),
      });
      assert.equal(result.code, 0, result.stderr);
      assert.equal(parseJson(result).hops[0].clientIdleMs, 60_000);
      assert.equal(throttling.requests.filter((r) => r.action === 'DescribeLoadBalancers').length, 3);
    } finally {
      await throttling.close();
    }
  });

  it('throttled for good: exit 2 saying so after the retries', async () => {
    const throttling = await startElbv2Server(FLEET);
    try {
      throttling.throttle('DescribeLoadBalancers', 100);
      const result = await runCli(['check', '--lb', 'alb:api', '--backend', '65s'], {
        env: awsTestEnv(throttling.url),
      });
      assert.equal(result.code, 2);
      assert.match(result.stderr, /throttled by AWS after 4 attempts/);
    } finally {
      await throttling.close();
    }
  });

  it('alb:all walks every page and checks every ALB (NLBs skipped), one hop each', async () => {
    server.requests.length = 0;
    const result = await runCli(['check', '--lb', 'alb:all', '--backend', '65s', '--json'], {
      env: awsTestEnv(server.url),
    });
    assert.equal(result.code, 1, result.stderr);
    const doc = parseJson(result);
    assert.deepEqual(
      doc.hops.map((h: any) => [h.client.label, h.clientIdleMs, h.verdict]),
      [
        ['ALB web', 120_000, 'violation'],
        ['ALB api', 60_000, 'holds'],
        ['ALB batch', 4_000_000, 'violation'],
        ['ALB short', 30_000, 'holds'],
      ],
    );
    const pages = server.requests.filter((r) => r.action === 'DescribeLoadBalancers');
    assert.equal(pages.length, 3, 'five load balancers at two per page');
    assert.equal(pages[0]!.params.Marker, undefined);
    assert.ok(pages[1]!.params.Marker);
    // No attribute read for the NLB.
    assert.equal(server.requests.filter((r) => r.action === 'DescribeLoadBalancerAttributes').length, 4);
  });

  it('no credentials: exit 2 with what to set (never reaching for instance metadata)', async () => {
    const result = await runCli(['check', '--lb', 'alb:web', '--backend', '65s'], {
      env: awsTestEnv(server.url, { AWS_ACCESS_KEY_ID: '', AWS_SECRET_ACCESS_KEY: '' }),
      timeoutMs: 30_000,
    });
    assert.equal(result.code, 2);
    assert.match(result.stderr, /no AWS credentials found/);
  });

  it('assert --lb alb:NAME is a deploy-time guard: exit 1 when the backend is too short, 0 when it fits', async () => {
    const fails = await runCli(['assert', '--lb', 'alb:web', '--backend', '65s'], {
      env: awsTestEnv(server.url),
    });
    assert.equal(fails.code, 1, fails.stderr);
    const passes = await runCli(['assert', '--lb', 'alb:web', '--backend', '130s'], {
      env: awsTestEnv(server.url),
    });
    assert.equal(passes.code, 0, passes.stderr + passes.stdout);
  });

  it('elb:NAME (Classic, API 2012-06-01) reads ConnectionSettings.IdleTimeout through the same signed SDK path', async () => {
    server.requests.length = 0;
    const result = await runCli(['check', '--lb', 'elb:old-web', '--backend', '65s', '--json'], {
      env: awsTestEnv(server.url),
    });
    assert.equal(result.code, 1, result.stderr);
    const hop = parseJson(result).hops[0];
    assert.equal(hop.clientIdleMs, 300_000);
    assert.equal(hop.client.label, 'Classic ELB old-web');
    const fact = hop.client.facts.find((f: any) => f.subject === 'pool-idle');
    assert.equal(fact.setting, 'ConnectionSettings.IdleTimeout');
    assert.equal(fact.provenance.kind, 'live-api');
    assert.deepEqual(
      server.requests.map((r) => [r.params.Version, r.action, r.signed]),
      [
        ['2012-06-01', 'DescribeLoadBalancers', true],
        ['2012-06-01', 'DescribeLoadBalancerAttributes', true],
      ],
    );
    const missing = await runCli(['check', '--lb', 'elb:nope', '--backend', '65s'], {
      env: awsTestEnv(server.url),
    });
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /elb:nope: no such load balancer/);
  });

  it('elb:all walks the Classic pages', async () => {
    const result = await runCli(['check', '--lb', 'elb:all', '--backend', '65s', '--json'], {
      env: awsTestEnv(server.url),
    });
    assert.equal(result.code, 1, result.stderr);
    assert.deepEqual(
      parseJson(result).hops.map((h: any) => [h.client.label, h.clientIdleMs]),
      [
        ['Classic ELB old-web', 300_000],
        ['Classic ELB old-api', 60_000],
        ['Classic ELB old-batch', 3_600_000],
      ],
    );
  });
});
