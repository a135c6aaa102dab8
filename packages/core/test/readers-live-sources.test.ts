import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  type LiveLoadBalancerRead,
  liveLoadBalancerSides,
  parseSource,
  resolveSource,
} from '../src/index.js';

const READ: LiveLoadBalancerRead = {
  service: 'elasticloadbalancing',
  region: 'eu-west-1',
  readAt: '2026-01-01T00:00:00.000Z',
  loadBalancers: [
    {
      id: 'arn:aws:elasticloadbalancing:eu-west-1:1:loadbalancer/app/web/1',
      name: 'web',
      type: 'application',
      attributes: { 'idle_timeout.timeout_seconds': '120', 'client_keep_alive.seconds': '600' },
    },
    {
      id: 'arn:aws:elasticloadbalancing:eu-west-1:1:loadbalancer/net/edge/2',
      name: 'edge',
      type: 'network',
      attributes: {},
    },
    {
      id: 'arn:aws:elasticloadbalancing:eu-west-1:1:loadbalancer/app/odd/3',
      name: 'odd',
      type: 'application',
      attributes: { 'idle_timeout.timeout_seconds': 'sixty' },
    },
    {
      id: 'arn:aws:elasticloadbalancing:eu-west-1:1:loadbalancer/app/bare/4',
      name: 'bare',
      type: 'application',
      attributes: {},
    },
  ],
};

function request(raw: string, role: 'pool' | 'server' = 'pool') {
  return { spec: parseSource(raw), role, field: '--lb' } as const;
}

describe('live load balancer mapping (pure) and cloud: platform values', () => {
  it('maps idle_timeout.timeout_seconds (a string of seconds) to the pool idle, with live provenance', () => {
    const [web] = liveLoadBalancerSides(
      { ...READ, loadBalancers: [READ.loadBalancers[0]!] },
      request('alb:web'),
      false,
    );
    const fact = web!.facts[0]!;
    assert.equal(fact.value.type === 'duration' && fact.value.ms, 120_000);
    assert.deepEqual(fact.provenance, {
      kind: 'live-api',
      service: 'elasticloadbalancing (eu-west-1)',
      resource: READ.loadBalancers[0]!.id,
      readAt: '2026-01-01T00:00:00.000Z',
    });
    // As the server side of the client → ALB hop, client_keep_alive.seconds is a connection lifetime.
    const [server] = liveLoadBalancerSides(
      { ...READ, loadBalancers: [READ.loadBalancers[0]!] },
      request('alb:web', 'server'),
      false,
    );
    assert.deepEqual(
      server!.facts.map((f) => [f.subject, f.value.type === 'duration' ? f.value.ms : f.value.type]),
      [
        ['server-keepalive', 120_000],
        ['connection-lifetime', 600_000],
      ],
    );
  });

  it('alb:all keeps Application Load Balancers only; odd attribute values are diagnostics; a missing one falls back to the default', () => {
    const sides = liveLoadBalancerSides(READ, request('alb:all'), false);
    assert.deepEqual(
      sides.map((s) => s.label),
      ['ALB web', 'ALB odd', 'ALB bare'],
    );
    assert.equal(sides[1]!.facts[0]!.value.type, 'unset');
    assert.match(String(sides[1]!.diagnostics?.[0]), /not a whole number of seconds/);
    assert.equal(sides[2]!.facts[0]!.isDefault, true);
    // A single NLB asked for by name: an out-of-scope side (the NLB product), no facts.
    const [nlb] = liveLoadBalancerSides(
      { ...READ, loadBalancers: [READ.loadBalancers[1]!] },
      request('alb:edge'),
      false,
    );
    assert.equal(nlb!.product, 'aws-nlb');
  });

  it('cloud:gcp and cloud:cloudflare are fixed platform values (facts, not defaults); cloud:cloudfront is a default', async () => {
    const io = {};
    const gcp = await resolveSource({ ...request('cloud:gcp'), allowDefault: false }, io);
    assert.equal(gcp[0]!.facts[0]!.value.type === 'duration' && gcp[0]!.facts[0]!.value.ms, 600_000);
    assert.equal(gcp[0]!.facts[0]!.isDefault, false);
    const cf = await resolveSource({ ...request('cloud:cloudflare'), allowDefault: false }, io);
    assert.equal(cf[0]!.facts[0]!.value.type === 'duration' && cf[0]!.facts[0]!.value.ms, 900_000);
    await assert.rejects(
      resolveSource({ ...request('cloud:cloudfront'), allowDefault: false }, io),
      /--allow-default/,
    );
    await assert.rejects(
      resolveSource({ ...request('cloud:nginx'), allowDefault: true }, io),
      /not a managed load balancer/,
    );
  });
});
