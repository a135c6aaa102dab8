import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  binomialCdf,
  binomialSf,
  diagnoseMetrics,
  METRICS_RULES,
  type MetricKind,
  type MetricsInput,
  type MetricsPlatform,
  metricsRows,
  poissonCdf,
  poissonSf,
  quietPeriodSignature,
  summarizeWindow,
  verifyWindows,
} from '../src/index.js';

/** Metrics verdict rules and verify's statistics, on series with known answers (hand-computed). */

const T0 = Date.UTC(2026, 11, 1, 10, 0, 0);
const MIN = 60_000;

function input(
  platform: MetricsPlatform,
  minutes: number,
  series: Partial<Record<MetricKind, (i: number) => number>>,
): MetricsInput {
  return {
    name: `test:${platform}`,
    platform,
    resource: 'test',
    periodMs: MIN,
    fromMs: T0,
    untilMs: T0 + minutes * MIN,
    series: Object.entries(series).map(([kind, f]) => ({
      kind: kind as MetricKind,
      source: kind,
      points: Array.from({ length: minutes }, (_, i) => ({ tMs: T0 + i * MIN, value: f!(i) })),
    })),
    missing: [],
    notes: [],
  };
}

const close = (actual: number, expected: number, rel = 1e-9) =>
  assert.ok(Math.abs(actual - expected) <= rel * Math.abs(expected), `${actual} vs ${expected}`);

describe('exact tails against hand-computed values', () => {
  it('Poisson', () => {
    close(poissonCdf(0, 2), Math.exp(-2)); // e^-2
    close(poissonCdf(2, 3), 8.5 * Math.exp(-3)); // e^-3 (1 + 3 + 9/2)
    close(poissonSf(5, 1), 0.003659846827343771); // 1 − e^-1 (1 + 1 + 1/2 + 1/6 + 1/24)
    close(poissonCdf(25, 30), 0.2083573646673329); // Σ_{k≤25} e^-30 30^k / k! (Python, exact factorials)
    assert.equal(poissonSf(0, 5), 1);
  });
  it('binomial', () => {
    close(binomialCdf(0, 10, 0.1), 0.9 ** 10);
    close(binomialCdf(1, 10, 0.1), 0.9 ** 10 + 10 * 0.1 * 0.9 ** 9);
    close(binomialSf(3, 5, 0.5), 16 / 32); // (C(5,3) + C(5,4) + C(5,5)) / 2^5
    close(binomialSf(8, 10, 0.2), 7.792640000000004e-5); // Σ_{k≥8} C(10,k) 0.2^k 0.8^(10-k)
    close(binomialCdf(0, 2000, 0.005), 0.995 ** 2000, 1e-9); // 4.4275e-5
  });
});

describe('metrics verdict rules', () => {
  it('every rule has a section in docs/metrics.md', async () => {
    const { readFileSync } = await import('node:fs');
    const doc = readFileSync(new URL('../../../docs/metrics.md', import.meta.url), 'utf8');
    for (const rule of METRICS_RULES) assert.match(doc, new RegExp(`### \`${rule.id}\``), rule.id);
  });

  it('ALB: LB 502s, target 5xx zero, hosts healthy → keepalive-race citing counts per minute', () => {
    const d = diagnoseMetrics([
      input('alb', 30, {
        requests: (i) => (i % 2 ? 600 : 60),
        raceErrors: (i) => (i % 2 ? 1 : 3),
        target5xx: () => 0,
        healthyHosts: () => 3,
        unhealthyHosts: () => 0,
      }),
    ]);
    assert.equal(d.verdict, 'keepalive-race');
    const race = d.reasons.find((r) => r.code === 'race-signature')!;
    assert.match(race.message, /60 of 60 LB-generated errors/);
    assert.match(race.message, /peak 3\/min at 10:00/);
    // Quiet minutes: 45 errors / 900 requests; busy: 15 / 9000 → P(X ≥ 45 | Bin(60, 0.0909)) tiny.
    assert.equal(d.quietPeriod?.confidence, 'high');
    assert.equal(d.quietPeriod?.quietErrors, 45);
  });

  it('target 5xx tracking LB 5xx → not-this-trap (target-failures)', () => {
    const d = diagnoseMetrics([
      input('alb', 10, { requests: () => 100, raceErrors: (i) => (i < 2 ? 1 : 0), target5xx: () => 5 }),
    ]);
    assert.equal(d.verdict, 'not-this-trap');
    assert.ok(d.reasons.some((r) => r.code === 'target-failures'));
  });

  it('unhealthy hosts in the same minutes → not-this-trap (draining)', () => {
    const d = diagnoseMetrics([
      input('alb', 10, {
        requests: () => 100,
        raceErrors: (i) => (i >= 5 && i < 8 ? 10 : 0),
        target5xx: () => 0,
        healthyHosts: (i) => (i >= 5 && i < 8 ? 1 : 3),
        unhealthyHosts: (i) => (i >= 5 && i < 8 ? 2 : 0),
      }),
    ]);
    assert.equal(d.verdict, 'not-this-trap');
    assert.deepEqual(
      d.reasons.map((r) => r.code),
      ['draining'],
    );
  });

  it('504 dominant → not-this-trap; no traffic → inconclusive; Traefik 5xx → inconclusive naming the access log', () => {
    assert.equal(
      diagnoseMetrics([
        input('alb', 5, { requests: () => 10, raceErrors: (i) => (i < 2 ? 1 : 0), lb504: () => 5 }),
      ]).verdict,
      'not-this-trap',
    );
    const none = diagnoseMetrics([input('alb', 5, { requests: () => 0, raceErrors: () => 0 })]);
    assert.equal(none.verdict, 'inconclusive');
    assert.equal(none.reasons[0]?.code, 'no-traffic');
    const traefik = diagnoseMetrics([input('traefik', 5, { requests: () => 10, any5xx: () => 2 })]);
    assert.equal(traefik.verdict, 'inconclusive');
    assert.match(traefik.reasons[0]!.message, /OriginStatus/);
  });

  it('missing kinds stay null; CloudWatch-style gaps in a read series are 0', () => {
    const i = input('alb', 3, { requests: () => 5 });
    const rows = metricsRows([
      { ...i, series: [...i.series, { kind: 'raceErrors', source: 'x', points: [] }] },
    ]);
    assert.equal(rows.length, 3);
    assert.equal(rows[0]!.raceErrors, 0);
    assert.equal(rows[0]!.target5xx, null);
  });

  it('quiet-period: no signature when the ratio is flat', () => {
    const s = quietPeriodSignature(
      Array.from({ length: 10 }, (_, i) => ({ requests: i % 2 ? 1000 : 100, raceErrors: i % 2 ? 10 : 1 })),
    );
    assert.equal(s?.confidence, 'low');
  });
});

describe('verify statistics', () => {
  const rows = (n: number, f: (i: number) => [number, number]) =>
    metricsRows([input('alb', n, { requests: (i) => f(i)[0], raceErrors: (i) => f(i)[1] })]);

  it('binomial per request: 50 in 10000 before, 0 in 2000 after → P = 0.995^2000 = 4.43e-5, verified', () => {
    const r = rows(20, (i) => (i < 10 ? [1000, 5] : [200, 0]));
    const result = verifyWindows(
      summarizeWindow(r, T0, T0 + 10 * MIN, MIN),
      summarizeWindow(r, T0 + 10 * MIN, T0 + 20 * MIN, MIN),
      MIN,
    );
    assert.equal(result.outcome, 'verified');
    assert.equal(result.model, 'binomial-per-request');
    close(result.probability!, 4.427529784808308e-5, 1e-9);
    assert.equal(result.needed?.requests, 919); // ⌈ln 0.01 / ln 0.995⌉
    assert.match(result.statement, /probability 4\.4e-5/);
  });

  it('too little traffic: 0 in 500 after → P = 0.995^500 = 0.0816 ≥ 0.01, says 919 requests are needed', () => {
    const r = rows(20, (i) => (i < 10 ? [1000, 5] : [50, 0]));
    const result = verifyWindows(
      summarizeWindow(r, T0, T0 + 10 * MIN, MIN),
      summarizeWindow(r, T0 + 10 * MIN, T0 + 20 * MIN, MIN),
      MIN,
    );
    assert.equal(result.outcome, 'too-little-traffic');
    close(result.probability!, 0.08157186144027832, 1e-9);
    assert.match(result.statement, /at least 919 requests/);
  });

  it('Poisson per minute when requests are unknown: 30 in 60 min, then 25 in 60 min → P(X ≤ 25 | 30) = 0.208, remains', () => {
    const r = metricsRows([
      input('alb', 120, { raceErrors: (i) => (i < 60 ? (i < 30 ? 1 : 0) : i < 85 ? 1 : 0) }),
    ]);
    const result = verifyWindows(
      summarizeWindow(r, T0, T0 + 60 * MIN, MIN),
      summarizeWindow(r, T0 + 60 * MIN, T0 + 120 * MIN, MIN),
      MIN,
    );
    assert.equal(result.model, 'poisson-per-minute');
    assert.equal(result.outcome, 'remains');
    close(result.probability!, 0.2083573646673329, 1e-9);
    assert.equal(result.needed?.minutes, 10); // ⌈ln 100 / 0.5⌉
  });
});
