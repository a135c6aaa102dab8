import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  albClassificationSql,
  type CauseCode,
  diagnose,
  type Generator,
  LOG_FORMATS,
  LogAnalyzer,
  type LogRecord,
  mergePartials,
} from '../src/index.js';

/** The verdict rules and the idle-gap correlation, on synthetic records with known answers. */

const FORMAT = LOG_FORMATS.find((f) => f.id === 'alb')!;
const T0 = Date.UTC(2026, 10, 24, 8, 0, 0);

interface Spec {
  timeMs: number;
  status: number;
  generator?: Generator;
  cause?: CauseCode | null;
  target?: string;
  requestMs?: number;
  kind?: LogRecord['kind'];
  protocol?: string;
  retriedUpstreamError?: boolean;
}

function record(s: Spec): LogRecord {
  return {
    kind: s.kind,
    timeMs: s.timeMs,
    status: s.status,
    targetStatus: s.generator === 'target' || s.status < 500 ? s.status : null,
    generator: s.generator ?? (s.status >= 500 ? 'lb' : 'target'),
    cause: s.cause ?? null,
    target: s.target ?? '10.0.0.1:80',
    requestMs: s.requestMs ?? 2,
    protocol: s.protocol,
    retriedUpstreamError: s.retriedUpstreamError,
  };
}

function analyze(specs: Spec[], file = 'test.log') {
  const a = new LogAnalyzer();
  a.beginInput(file, FORMAT);
  specs.forEach((s, i) => {
    a.addRecord(record(s), i + 1, `line ${i + 1}`);
  });
  return a.toPartial();
}

/** Steady traffic every `everyMs` for `count` requests, starting at `fromMs`. */
function traffic(fromMs: number, count: number, everyMs: number, status = 200): Spec[] {
  return Array.from({ length: count }, (_, i) => ({ timeMs: fromMs + i * everyMs, status }));
}

/** A request after an idle gap of `gapMs` following the previous one (which finished at `afterMs`). */
function afterGap(afterMs: number, gapMs: number, s: Omit<Spec, 'timeMs'>): Spec {
  return { ...s, timeMs: afterMs + gapMs + (s.requestMs ?? 2) };
}

function raceScenario(): Spec[] {
  const specs: Spec[] = [];
  let t = T0;
  for (let round = 0; round < 10; round++) {
    for (const s of traffic(t, 5, 50)) specs.push(s);
    t += 4 * 50;
    // quiet for ~1.3 s, then the next request hits the closed connection
    const failed = afterGap(t, 1300 + round * 5, { status: 502, cause: 'upstream-closed-reused-connection' });
    specs.push(failed);
    t = failed.timeMs + 20;
  }
  return specs;
}

describe('diagnose: verdict rules', () => {
  it('LB 502s on reused connections, target 5xx zero → keepalive-race, with an idle-gap estimate', () => {
    const d = diagnose(analyze(raceScenario()));
    assert.equal(d.verdict, 'keepalive-race');
    assert.equal(d.reasons[0]!.code, 'race-signature');
    assert.ok(d.reasons[0]!.message.includes('10 LB-generated failures before any response byte'));
    assert.ok(d.reasons[0]!.message.includes('10 of 10 with a known idle gap'), d.reasons[0]!.message);
    assert.ok(d.reasons[0]!.examples.length > 0 && d.reasons[0]!.examples[0]!.file === 'test.log');
    assert.equal(d.totals.raceCandidates, 10);
    const bucket = d.idleGaps.buckets.find((b) => b.label === '1s–2s')!;
    assert.equal(bucket.raceCandidates, 10);
    assert.equal(bucket.raceRate, 1);
    const fast = d.idleGaps.buckets.find((b) => b.label === '0ms–100ms')!;
    assert.equal(fast.raceCandidates, 0);
    assert.ok(fast.requests >= 40);
    assert.ok(d.estimatedBackendKeepAliveMs !== null);
    assert.ok(
      Math.abs(d.estimatedBackendKeepAliveMs - 1300) <= 0.06 * 1300,
      String(d.estimatedBackendKeepAliveMs),
    );
    assert.equal(d.keepAliveEstimate?.confidence, 'medium');
  });

  it('Envoy 503 UC counts as the race, not as capacity', () => {
    const specs = [
      ...traffic(T0, 20, 100),
      ...[1, 2, 3].map((i) => ({
        timeMs: T0 + 3000 + i * 1500,
        status: 503,
        cause: 'upstream-closed-reused-connection' as const,
      })),
    ];
    const d = diagnose(analyze(specs));
    assert.equal(d.verdict, 'keepalive-race');
    assert.equal(d.totals.lb503, 0);
  });

  it('target 5xx only → not-this-trap (target failures)', () => {
    const specs = [
      ...traffic(T0, 20, 100),
      ...traffic(T0 + 5000, 5, 100, 500).map((s) => ({ ...s, generator: 'target' as const })),
    ];
    const d = diagnose(analyze(specs));
    assert.equal(d.verdict, 'not-this-trap');
    assert.equal(d.reasons[0]!.code, 'target-failures');
  });

  it('504 dominant → not-this-trap (slow backend)', () => {
    const specs = [
      ...traffic(T0, 20, 100),
      ...traffic(T0 + 5000, 6, 100, 504).map((s) => ({ ...s, cause: 'response-timeout' as const })),
      { timeMs: T0 + 9000, status: 502, cause: 'unknown' as const },
    ];
    const d = diagnose(analyze(specs));
    assert.equal(d.verdict, 'not-this-trap');
    assert.equal(d.reasons[0]!.code, 'slow-backend');
  });

  it('503 dominant (no healthy target) → not-this-trap (capacity)', () => {
    const specs = traffic(T0, 6, 100, 503).map((s) => ({ ...s, cause: 'no-healthy-upstream' as const }));
    assert.equal(diagnose(analyze(specs)).reasons[0]!.code, 'capacity');
  });

  it('502 connect refused dominant → not-this-trap (target unreachable)', () => {
    const specs = traffic(T0, 6, 100, 502).map((s) => ({ ...s, cause: 'connect-refused' as const }));
    const d = diagnose(analyze(specs));
    assert.equal(d.verdict, 'not-this-trap');
    assert.equal(d.reasons[0]!.code, 'target-unreachable');
  });

  it('ALB-style 502 without a cause: ≥3 after idle gaps near one threshold → race likely; fewer, or no known gaps → inconclusive', () => {
    const idleShaped = raceScenario().map((s) =>
      s.status === 502 ? { ...s, cause: 'unknown' as const } : s,
    );
    assert.equal(diagnose(analyze(idleShaped)).reasons[0]!.code, 'race-likely');
    const three = traffic(T0, 3, 5000, 502).map((s) => ({ ...s, cause: 'unknown' as const }));
    // Three cause-less 502s with no request before them: no idle gap is known, so nothing tells
    // them from any other LB-generated 502.
    assert.equal(diagnose(analyze(three)).verdict, 'inconclusive');
    assert.equal(diagnose(analyze(three.slice(0, 2))).verdict, 'inconclusive');
  });

  it('gRPC targets → out of scope', () => {
    const specs = traffic(T0, 5, 1000, 502).map((s) => ({
      ...s,
      cause: 'unknown' as const,
      protocol: 'grpc',
    }));
    assert.equal(diagnose(analyze(specs)).reasons[0]!.code, 'out-of-scope-protocol');
  });

  it('race-like 502s plus many target 5xx → inconclusive (mixed)', () => {
    const specs = [
      ...traffic(T0, 10, 3000, 502).map((s) => ({
        ...s,
        cause: 'upstream-closed-reused-connection' as const,
      })),
      ...traffic(T0 + 1000, 4, 3000, 500).map((s) => ({ ...s, generator: 'target' as const })),
    ];
    assert.equal(diagnose(analyze(specs)).reasons[0]!.code, 'mixed');
  });

  it('502s bunched in two minutes of a long log → clustered (deploy/draining)', () => {
    const specs = [
      ...traffic(T0, 60, 60_000),
      ...traffic(T0 + 30 * 60_000, 20, 1000, 502).map((s) => ({ ...s, cause: 'unknown' as const })),
    ].sort((a, b) => a.timeMs - b.timeMs);
    const d = diagnose(analyze(specs));
    assert.equal(d.verdict, 'inconclusive');
    assert.equal(d.reasons[0]!.code, 'clustered');
  });

  it('502s on back-to-back requests too (every connection fails) → not-this-trap, not idle-related', () => {
    const specs = traffic(T0, 20, 30, 503).map((s) => ({
      ...s,
      cause: 'upstream-closed-reused-connection' as const,
    }));
    const d = diagnose(analyze(specs));
    assert.equal(d.verdict, 'not-this-trap');
    assert.equal(d.reasons[0]!.code, 'fails-regardless-of-idle');
  });

  it('no 5xx but 3 retried upstream errors → keepalive-race (masked by retries); 1 alone → too few', () => {
    const retried = [1, 2, 3].map((i) => ({
      timeMs: T0 + 5000 * i,
      status: 200,
      retriedUpstreamError: true,
    }));
    const d = diagnose(analyze([...traffic(T0, 10, 100), ...retried]));
    assert.equal(d.verdict, 'keepalive-race');
    assert.equal(d.reasons[0]!.code, 'race-retried-only');
    const one = diagnose(analyze([...traffic(T0, 10, 100), retried[0]!]));
    assert.equal(one.verdict, 'inconclusive');
    assert.equal(one.reasons[0]!.code, 'too-few');
  });

  it('no 5xx at all → not-this-trap', () => {
    const d = diagnose(analyze(traffic(T0, 10, 100)));
    assert.equal(d.verdict, 'not-this-trap');
    assert.equal(d.reasons[0]!.code, 'no-5xx');
  });

  it('only an error log with race lines → inconclusive: the message alone cannot tell the race from a crash before the header', () => {
    const specs = [1, 2, 3].map((i) => ({
      timeMs: T0 + i * 1000,
      status: 502,
      kind: 'upstream-error' as const,
      cause: 'upstream-closed-reused-connection' as const,
    }));
    const d = diagnose(analyze(specs, 'error.log'));
    assert.equal(d.verdict, 'inconclusive');
    assert.equal(d.reasons[0]!.code, 'too-few');
    assert.match(d.reasons[0]!.message, /no idle gap/);
    assert.equal(d.requests, 0);
    assert.deepEqual(d.reasons[0]!.examples[0], { file: 'error.log', line: 1 });
  });

  it('error-log race lines beyond the access log’s 502s count as hidden (retried) races', () => {
    const a = analyze([...traffic(T0, 10, 100)], 'access.log');
    const b = analyze(
      [1, 2, 3].map((i) => ({
        timeMs: T0 + i * 100,
        status: 502,
        kind: 'upstream-error' as const,
        cause: 'upstream-closed-reused-connection' as const,
      })),
      'error.log',
    );
    const d = diagnose(mergePartials(a, b));
    assert.equal(d.totals.hiddenRaces, 3);
    assert.equal(d.verdict, 'keepalive-race');
  });

  it('records outside --since/--until are not analysed', () => {
    const a = new LogAnalyzer({ sinceMs: T0 + 1000, untilMs: T0 + 2000 });
    a.beginInput('w.log', FORMAT);
    traffic(T0, 30, 100).forEach((s, i) => {
      a.addRecord(record(s), i + 1, '');
    });
    const p = a.toPartial();
    assert.equal(p.requests, 10);
    assert.equal(p.outsideWindow, 20);
  });
});

describe('diagnose: merging partial results', () => {
  it('splitting the input among analyzers gives the same counts and verdict (property)', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            dt: fc.integer({ min: 0, max: 5000 }),
            status: fc.constantFrom(200, 200, 200, 500, 502, 503, 504),
            cause: fc.constantFrom<CauseCode | null>(
              null,
              'unknown',
              'upstream-closed-reused-connection',
              'connect-refused',
            ),
          }),
          { minLength: 1, maxLength: 60 },
        ),
        fc.integer({ min: 0, max: 60 }),
        (steps, cut) => {
          let t = T0;
          const specs: Spec[] = steps.map((s) => {
            t += s.dt;
            return {
              timeMs: t,
              status: s.status,
              cause: s.status >= 500 ? s.cause : null,
              target: `t${s.dt % 3}`,
            };
          });
          const whole = diagnose(analyze(specs));
          const k = Math.min(cut, specs.length);
          const merged = diagnose(mergePartials(analyze(specs.slice(0, k)), analyze(specs.slice(k))));
          assert.deepEqual(
            merged.counts
              .map((c) => ({ ...c }))
              .sort((x, y) => JSON.stringify(x).localeCompare(JSON.stringify(y))),
            whole.counts
              .map((c) => ({ ...c }))
              .sort((x, y) => JSON.stringify(x).localeCompare(JSON.stringify(y))),
          );
          // The verdict weighs idle gaps, and the first gap of each part is lost at the cut (as
          // with byte ranges): the verdicts must agree whenever the gaps do.
          if (JSON.stringify(merged.idleGaps) === JSON.stringify(whole.idleGaps))
            assert.equal(merged.verdict, whole.verdict);
          assert.deepEqual(merged.perMinute, whole.perMinute);
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('--emit-sql', () => {
  it('writes each flavour with the same rules; duckdb includes a view over the given paths', () => {
    const athena = albClassificationSql({ flavour: 'athena', sinceIso: '2026-01-01T00:00:00.000Z' });
    assert.match(athena, /FROM alb_access_logs/);
    assert.match(athena, /time_ms >= 1767225600000 \/\* 2026-01-01T00:00:00.000Z \*\//);
    assert.match(athena, /'no-healthy-upstream'/);
    const duck = albClassificationSql({ flavour: 'duckdb', paths: ["it's/*.log"] });
    assert.match(duck, /read_csv\(\['it''s\/\*\.log'\]/);
    assert.match(duck, /CREATE OR REPLACE VIEW alb_access_logs/);
  });
});
