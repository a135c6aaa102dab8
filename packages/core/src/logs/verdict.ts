import {
  type Example,
  fineLowerMs,
  GAP_BUCKET_EDGES_MS,
  type GapBucketCounts,
  type LineRef,
  type LogVerdict,
  type MalformedSample,
  type PartialAnalysis,
  parseCountKey,
} from './analysis.js';
import type { CauseCode, Generator } from './types.js';

/** Turns merged aggregates into the diagnosis: counts, verdict with reasons, idle gaps, estimate. */

export interface CountRow {
  readonly generator: Generator;
  readonly status: number | null;
  readonly cause: CauseCode | null;
  readonly count: number;
}

export interface Reason {
  /** Stable id of the rule that produced it (`race-signature`, `target-failures`, `slow-backend`, ...). */
  readonly code: string;
  readonly message: string;
  readonly examples: readonly LineRef[];
}

export interface IdleGapBucket {
  readonly fromMs: number | null;
  readonly toMs: number | null;
  readonly label: string;
  readonly requests: number;
  readonly raceCandidates: number;
  readonly lb5xx: number;
  /** raceCandidates / requests, null when the bucket is empty. */
  readonly raceRate: number | null;
}

export interface KeepAliveEstimate {
  readonly ms: number;
  readonly confidence: 'high' | 'medium' | 'low';
  readonly statement: string;
}

export interface MinutePoint {
  readonly minuteStartMs: number;
  readonly requests: number;
  readonly lb5xx: number;
  readonly target5xx: number;
  readonly raceCandidates: number;
  readonly upstreamErrors: number;
}

export interface Totals {
  readonly requests: number;
  readonly fiveXx: number;
  readonly lb5xx: number;
  readonly target5xx: number;
  readonly unknown5xx: number;
  /** LB-generated 502 without another cause, or any "closed reused connection" (Envoy 503 UC). */
  readonly raceCandidates: number;
  /** Of those, the ones whose format names the cause (`upstream-closed-reused-connection`). */
  readonly raceEvidence: number;
  readonly lb502: number;
  readonly lb503: number;
  readonly lb504: number;
  readonly connectFailures: number;
  readonly noHealthyUpstream: number;
  readonly outOfScopeLb5xx: number;
  readonly upstreamErrors: Readonly<Record<string, number>>;
  readonly retriedUpstreamErrors: number;
  /** Races that were retried and hidden from clients (error-log race lines with no 502). */
  readonly hiddenRaces: number;
}

export interface Diagnosis {
  readonly formats: ReadonlyArray<{ id: string; lines: number }>;
  readonly lines: number;
  readonly requests: number;
  /** Requests by status class (`2xx`, `4xx`, `5xx`, `none`). */
  readonly statusClasses: Readonly<Record<string, number>>;
  readonly skippedLines: number;
  readonly outsideWindowLines: number;
  readonly malformedLines: number;
  readonly malformedSamples: readonly MalformedSample[];
  readonly counts: readonly CountRow[];
  readonly totals: Totals;
  readonly verdict: LogVerdict;
  readonly reasons: readonly Reason[];
  readonly idleGaps: {
    readonly buckets: readonly IdleGapBucket[];
    readonly perTarget: ReadonlyArray<{ target: string; buckets: readonly IdleGapBucket[] }>;
  };
  readonly estimatedBackendKeepAliveMs: number | null;
  readonly keepAliveEstimate: KeepAliveEstimate | null;
  readonly perMinute: readonly MinutePoint[];
  /** LB race-candidate rate in the quieter half of the minutes against the busier half. */
  readonly quietVsBusy: {
    quietRate: number;
    busyRate: number;
    quietMinutes: number;
    busyMinutes: number;
  } | null;
  readonly examples: ReadonlyArray<Example & { key: string }>;
  readonly timeRange: { firstMs: number; lastMs: number } | null;
  readonly truncatedInputs: ReadonlyArray<{ file: string; reason: string }>;
  readonly unreadableInputs: ReadonlyArray<{ file: string; reason: string }>;
}

function bucketLabel(i: number): { fromMs: number | null; toMs: number | null; label: string } {
  if (i === 0) return { fromMs: null, toMs: 0, label: 'busy (<0)' };
  const from = GAP_BUCKET_EDGES_MS[i - 1]!;
  const to = GAP_BUCKET_EDGES_MS[i] ?? null;
  const fmt = (ms: number) => (ms >= 1000 ? `${ms / 1000}s` : `${ms}ms`);
  return { fromMs: from, toMs: to, label: to === null ? `≥${fmt(from)}` : `${fmt(from)}–${fmt(to)}` };
}

function toBuckets(counts: readonly GapBucketCounts[]): IdleGapBucket[] {
  return counts.map((c, i) => ({
    ...bucketLabel(i),
    requests: c[0],
    raceCandidates: c[1],
    lb5xx: c[2],
    raceRate: c[0] === 0 ? null : c[1] / c[0],
  }));
}

function pct(n: number, d: number): string {
  if (d === 0) return '0%';
  const v = (100 * n) / d;
  return `${v >= 10 || v === 0 ? v.toFixed(0) : v.toFixed(1)}%`;
}

function binomialLogLikelihood(failures: number, trials: number): number {
  if (trials <= 0 || failures <= 0 || failures >= trials) return 0;
  const rate = failures / trials;
  return failures * Math.log(rate) + (trials - failures) * Math.log(1 - rate);
}

/** Estimates the backend keep-alive from where the LB-generated 502s begin on the idle-gap axis. */
export function estimateKeepAlive(p: PartialAnalysis): KeepAliveEstimate | null {
  const race = Object.entries(p.raceGapFine)
    .map(([k, v]) => [Number(k), v] as const)
    .sort((a, b) => a[0] - b[0]);
  const n = race.reduce((s, [, v]) => s + v, 0);
  if (n < 3) return null;
  // The onset: the change point of the failure rate along the gap axis, i.e. the edge whose
  // two-rate (below / at-or-above) binomial model explains the data best. A stray early failure
  // barely moves it.
  const all = Object.entries(p.allGapFine)
    .map(([k, v]) => [Number(k), v] as const)
    .sort((a, b) => a[0] - b[0]);
  const totalRequests = all.reduce((s, [, v]) => s + v, 0);
  let index = race[0]![0];
  let bestScore = Number.NEGATIVE_INFINITY;
  for (const [candidate] of race) {
    const requestsBelow = all.filter(([k]) => k < candidate).reduce((s, [, v]) => s + v, 0);
    const racesBelow = race.filter(([k]) => k < candidate).reduce((s, [, v]) => s + v, 0);
    const requestsAbove = totalRequests - requestsBelow;
    const score =
      binomialLogLikelihood(racesBelow, requestsBelow) + binomialLogLikelihood(n - racesBelow, requestsAbove);
    if (score > bestScore) {
      bestScore = score;
      index = candidate;
    }
  }
  const ms = Math.round(fineLowerMs(index));
  const upper = ms * 1.25 + 50;
  const near = race.filter(([k]) => fineLowerMs(k) <= upper).reduce((s, [, v]) => s + v, 0);
  const concentration = near / n;
  // Traffic with shorter gaps that did not fail supports the estimate (the pool reused fine below it).
  const below = Object.entries(p.allGapFine)
    .filter(([k]) => fineLowerMs(Number(k)) < ms * 0.9)
    .reduce((s, [, v]) => s + v, 0);
  const belowFailures = race.filter(([k]) => fineLowerMs(k) < ms * 0.9).reduce((s, [, v]) => s + v, 0);
  let confidence: KeepAliveEstimate['confidence'] = 'low';
  if (n >= 20 && concentration >= 0.8 && below >= 20) confidence = 'high';
  else if (n >= 5 && concentration >= 0.6 && below >= 5) confidence = 'medium';
  const statement =
    `${n} LB-generated 502s had a measurable idle gap; ${pct(near, n)} of them fall between ${ms} ms and ${Math.round(upper)} ms, ` +
    `while ${below} requests with shorter gaps saw ${belowFailures} such failures. ` +
    `The backend probably closes idle connections after about ${ms} ms (${confidence} confidence; ` +
    'the gap is measured per target from the proxy log, so it includes the proxy’s own latency).';
  return { ms, confidence, statement };
}

function refs(p: PartialAnalysis, keys: string[], max = 3): LineRef[] {
  const out: LineRef[] = [];
  for (const k of keys) {
    for (const e of p.examples[k] ?? []) {
      if (out.length < max) out.push({ file: e.file, line: e.line });
    }
  }
  return out;
}

function exampleKeys(p: PartialAnalysis, test: (row: ReturnType<typeof parseCountKey>) => boolean): string[] {
  return Object.keys(p.counts5xx)
    .filter((k) => test(parseCountKey(k)))
    .sort((a, b) => (p.counts5xx[b] ?? 0) - (p.counts5xx[a] ?? 0));
}

export function diagnose(p: PartialAnalysis): Diagnosis {
  const counts: CountRow[] = Object.entries(p.counts5xx)
    .map(([k, count]) => ({ ...parseCountKey(k), count }))
    .sort((a, b) => b.count - a.count);
  // Without any request line (only error logs), the upstream-error events are the evidence.
  const eventsOnly = p.requests === 0 && Object.keys(p.upstreamErrors).length > 0;
  const rows: CountRow[] = eventsOnly
    ? Object.entries(p.upstreamErrors).map(([cause, count]) => ({
        generator: 'lb' as const,
        status:
          cause === 'response-timeout' || cause === 'connect-timeout'
            ? 504
            : cause === 'client-aborted'
              ? 499
              : 502,
        cause: cause as CauseCode,
        count,
      }))
    : counts;
  const sum = (test: (r: CountRow) => boolean) => rows.filter(test).reduce((s, r) => s + r.count, 0);
  const is5xx = (r: CountRow) => r.status !== null && r.status >= 500;
  const lb = (r: CountRow) => r.generator === 'lb' && is5xx(r);
  const raceCand = (r: CountRow) =>
    lb(r) &&
    (r.cause === 'upstream-closed-reused-connection' ||
      (r.status === 502 && (r.cause === 'unknown' || r.cause === null)));
  const raceEvidence = sum((r) => lb(r) && r.cause === 'upstream-closed-reused-connection');
  // Formats that log the cause in a separate error log (Caddy, nginx without upstream timing): a
  // connect failure in the error log explains one of the access log's cause-less 502s.
  const causeless502 = eventsOnly
    ? 0
    : sum((r) => lb(r) && r.status === 502 && (r.cause === 'unknown' || r.cause === null));
  const eventConnect = eventsOnly
    ? 0
    : (p.upstreamErrors['connect-refused'] ?? 0) + (p.upstreamErrors['connect-timeout'] ?? 0);
  const connectFromEvents = Math.min(eventConnect, causeless502);
  const raceCandidates = sum(raceCand) - connectFromEvents;
  const lb5xx = sum(lb);
  const target5xx = sum((r) => is5xx(r) && r.generator === 'target');
  const unknown5xx = sum((r) => is5xx(r) && r.generator === 'unknown');
  const fiveXx = sum(is5xx);
  const lb503 = sum((r) => lb(r) && r.status === 503 && r.cause !== 'upstream-closed-reused-connection');
  const lb504 = sum((r) => lb(r) && r.status === 504);
  const lb502 = sum((r) => lb(r) && r.status === 502);
  const connectFailures =
    sum((r) => lb(r) && (r.cause === 'connect-refused' || r.cause === 'connect-timeout')) + connectFromEvents;
  const noHealthyUpstream = sum((r) => lb(r) && r.cause === 'no-healthy-upstream');
  const capacity = lb503 + sum((r) => lb(r) && r.cause === 'no-healthy-upstream' && r.status !== 503);
  const eventRaces = p.upstreamErrors['upstream-closed-reused-connection'] ?? 0;
  const accessRaceEvidence = eventsOnly ? 0 : raceCandidates;
  const hiddenRaces = eventsOnly
    ? 0
    : Math.max(p.retriedUpstreamErrors, p.requests > 0 ? Math.max(0, eventRaces - accessRaceEvidence) : 0);
  const totals: Totals = {
    requests: p.requests,
    fiveXx,
    lb5xx,
    target5xx,
    unknown5xx,
    raceCandidates,
    raceEvidence,
    lb502,
    lb503,
    lb504,
    connectFailures,
    noHealthyUpstream,
    outOfScopeLb5xx: p.outOfScopeLb5xx,
    upstreamErrors: p.upstreamErrors,
    retriedUpstreamErrors: p.retriedUpstreamErrors,
    hiddenRaces,
  };

  const keyOf = (test: (r: ReturnType<typeof parseCountKey>) => boolean) =>
    eventsOnly
      ? Object.keys(p.upstreamErrors)
          .filter((c) => test({ generator: 'lb', status: 502, cause: c as CauseCode }))
          .map((c) => `event|${c}`)
      : exampleKeys(p, test);
  const raceKeys = keyOf((r) => raceCand({ ...r, count: 0 }));
  const eventRaceKeys = ['event|upstream-closed-reused-connection'];
  const reasons: Reason[] = [];
  const support: Reason[] = [];
  let verdict: LogVerdict = 'inconclusive';
  const estimate = estimateKeepAlive(p);
  // The race needs an idle connection: failures on most back-to-back requests point elsewhere.
  const shortGapRequests = (p.gapBuckets[0]?.[0] ?? 0) + (p.gapBuckets[1]?.[0] ?? 0);
  const shortGapFailures = (p.gapBuckets[0]?.[1] ?? 0) + (p.gapBuckets[1]?.[1] ?? 0);
  const failsWhenBusy = shortGapRequests >= 5 && shortGapFailures >= 0.5 * shortGapRequests;
  const span = p.firstTimeMs !== null && p.lastTimeMs !== null ? p.lastTimeMs - p.firstTimeMs : 0;

  // Supporting observations, attached to whatever the verdict is.
  if (hiddenRaces > 0) {
    support.push({
      code: 'retried-races',
      message: `${hiddenRaces} upstream connection failures were retried and answered normally (nginx error.log race lines or \`$upstream_status\` like "502, 200"): the race happens, the retry hides it.`,
      examples: refs(p, ['retried', ...eventRaceKeys]),
    });
  }
  const minutes = Object.entries(p.minutes)
    .map(([k, m]) => ({ minuteStartMs: Number(k) * 60_000, ...m }))
    .sort((a, b) => a.minuteStartMs - b.minuteStartMs);
  let quietVsBusy: Diagnosis['quietVsBusy'] = null;
  if (minutes.length >= 4 && raceCandidates > 0) {
    const sorted = [...minutes].sort((a, b) => a.requests - b.requests);
    const half = Math.floor(sorted.length / 2);
    const quiet = sorted.slice(0, half);
    const busy = sorted.slice(half);
    const rate = (ms: typeof minutes) => {
      const req = ms.reduce((s, m) => s + m.requests, 0);
      return req === 0 ? 0 : ms.reduce((s, m) => s + m.raceCandidates, 0) / req;
    };
    quietVsBusy = {
      quietRate: rate(quiet),
      busyRate: rate(busy),
      quietMinutes: quiet.length,
      busyMinutes: busy.length,
    };
  }
  if (estimate !== null) {
    support.push({ code: 'idle-gap-estimate', message: estimate.statement, examples: [] });
  }
  if (quietVsBusy !== null && quietVsBusy.quietRate > quietVsBusy.busyRate) {
    support.push({
      code: 'quiet-periods',
      message: `LB 502s per request are higher in quiet minutes (${pct(quietVsBusy.quietRate * 1e6, 1e6)}) than in busy ones (${pct(quietVsBusy.busyRate * 1e6, 1e6)}), as the race predicts: idle connections live longer when traffic is low.`,
      examples: [],
    });
  }
  // Errors bunched at one moment of a long log look like a deploy or draining.
  let clustered = false;
  if (lb5xx >= 10 && span >= 30 * 60_000) {
    let best = 0;
    for (let i = 0; i < minutes.length; i++) {
      let s = minutes[i]!.lb5xx;
      const next = minutes[i + 1];
      if (next !== undefined && next.minuteStartMs - minutes[i]!.minuteStartMs === 60_000) s += next.lb5xx;
      best = Math.max(best, s);
    }
    clustered = best >= 0.8 * lb5xx;
    if (clustered) {
      reasons.push({
        code: 'clustered',
        message: `${best} of ${lb5xx} LB-generated 5xx fall within two minutes of a ${Math.round(span / 60_000)}-minute log: that looks like a deploy, draining or deregistration, not the idle race (which is spread out).`,
        examples: refs(
          p,
          keyOf((r) => r.generator === 'lb'),
        ),
      });
    }
  }

  if (fiveXx === 0) {
    if (hiddenRaces > 0) {
      verdict = 'keepalive-race';
      reasons.push({
        code: 'race-retried-only',
        message: `No 5xx reached clients in ${p.requests} requests, but ${hiddenRaces} upstream connections closed under a request and were retried: the keep-alive race is present and masked by retries.`,
        examples: refs(p, ['retried', ...eventRaceKeys]),
      });
    } else {
      verdict = 'not-this-trap';
      reasons.push({
        code: 'no-5xx',
        message: `No 5xx in ${p.requests} requests${eventRaces > 0 ? '' : ' and no upstream connection errors'}: nothing to explain.`,
        examples: [],
      });
    }
  } else if (lb5xx === 0 && unknown5xx === 0) {
    verdict = 'not-this-trap';
    reasons.push({
      code: 'target-failures',
      message: `All ${target5xx} 5xx were generated by the target (its own status), none by the LB/proxy: a real application failure, not the keep-alive race.`,
      examples: refs(
        p,
        keyOf((r) => r.generator === 'target'),
      ),
    });
  } else if (lb5xx === 0 && unknown5xx > 0) {
    verdict = eventRaces > 0 ? 'keepalive-race' : 'inconclusive';
    reasons.push({
      code: 'generator-unknown',
      message: `${unknown5xx} 5xx, but this log format does not say whether the proxy or the target generated them (nginx "combined" has no upstream fields). Add $upstream_status $upstream_addr $upstream_connect_time $upstream_header_time to the log_format, or pass the error.log too.`,
      examples: refs(
        p,
        keyOf((r) => r.generator === 'unknown'),
      ),
    });
    if (eventRaces > 0) {
      reasons.push({
        code: 'race-signature',
        message: `The error log has ${eventRaces} "upstream closed the connection under a request" lines (prematurely closed / errno 104 / errno 32): the race's signature.`,
        examples: refs(p, eventRaceKeys),
      });
    }
  } else if (p.outOfScopeLb5xx >= 0.5 * lb5xx) {
    verdict = 'not-this-trap';
    reasons.push({
      code: 'out-of-scope-protocol',
      message: `${p.outOfScopeLb5xx} of ${lb5xx} LB-generated 5xx are on gRPC/HTTP/2 target connections: those use one long-lived multiplexed connection (GOAWAY, stream limits), outside this HTTP/1.1 keep-alive trap.`,
      examples: refs(
        p,
        keyOf((r) => r.generator === 'lb'),
      ),
    });
  } else if (lb504 > raceCandidates && lb504 >= 0.5 * lb5xx) {
    verdict = 'not-this-trap';
    reasons.push({
      code: 'slow-backend',
      message: `504 dominates: ${lb504} of ${lb5xx} LB-generated 5xx are timeouts (vs ${raceCandidates} race-like 502s): a slow backend or a too-short response/connect timeout, not the keep-alive race.`,
      examples: refs(
        p,
        keyOf((r) => r.generator === 'lb' && r.status === 504),
      ),
    });
  } else if (connectFailures >= 0.5 * lb5xx && connectFailures > raceEvidence) {
    verdict = 'not-this-trap';
    reasons.push({
      code: 'target-unreachable',
      message: `${connectFailures} connect failures and ${noHealthyUpstream} "no live/healthy upstream" out of ${lb5xx} LB-generated 5xx: the target is down, refusing or unreachable, not a closed keep-alive connection.`,
      examples: refs(
        p,
        keyOf(
          (r) =>
            r.generator === 'lb' &&
            (r.cause === 'connect-refused' ||
              r.cause === 'connect-timeout' ||
              r.cause === 'no-healthy-upstream'),
        ),
      ),
    });
  } else if (capacity > raceCandidates && capacity >= 0.5 * lb5xx) {
    verdict = 'not-this-trap';
    reasons.push({
      code: 'capacity',
      message: `503 / no healthy target dominates: ${capacity} of ${lb5xx} LB-generated 5xx (${noHealthyUpstream} with no healthy/registered target, ${connectFailures} connect failures): capacity or missing targets, not the keep-alive race.`,
      examples: refs(
        p,
        keyOf((r) => r.generator === 'lb' && (r.status === 503 || r.cause === 'no-healthy-upstream')),
      ),
    });
  } else if (target5xx > raceCandidates) {
    verdict = 'not-this-trap';
    reasons.push({
      code: 'target-failures',
      message: `The target generated ${target5xx} 5xx against ${raceCandidates} LB-generated 502s: the target's own failures dominate (real target errors, or 502s that follow crashes).`,
      examples: refs(
        p,
        keyOf((r) => r.generator === 'target'),
      ),
    });
  } else if (raceCandidates > 0 && target5xx >= Math.max(2, 0.25 * raceCandidates)) {
    verdict = 'inconclusive';
    reasons.push({
      code: 'mixed',
      message: `${raceCandidates} LB-generated 502s but also ${target5xx} target 5xx: the target is failing too, so the race cannot be told apart from crashes. Fix the target errors and look again.`,
      examples: [
        ...refs(p, raceKeys, 2),
        ...refs(
          p,
          keyOf((r) => r.generator === 'target'),
          1,
        ),
      ],
    });
  } else if (clustered) {
    verdict = 'inconclusive';
  } else if (failsWhenBusy) {
    verdict = 'not-this-trap';
    reasons.push({
      code: 'fails-regardless-of-idle',
      message: `${shortGapFailures} of ${shortGapRequests} requests that followed another within 100 ms failed like this: connections fail whether or not they sat idle, so this is a misconfiguration (e.g. TLS/mTLS or protocol mismatch, a backend that closes every connection), not the idle keep-alive race.`,
      examples: refs(p, raceKeys),
    });
  } else if (raceCandidates > 0) {
    const evidence = raceEvidence + (eventsOnly ? 0 : Math.min(eventRaces, raceCandidates));
    const targetNote = `target 5xx ${target5xx === 0 ? 'zero' : `only ${target5xx}`}`;
    if (evidence > 0) {
      verdict = 'keepalive-race';
      reasons.push({
        code: 'race-signature',
        message: `${raceCandidates} ${eventsOnly ? 'upstream errors in the error log' : 'LB-generated 502s'} (${raceEvidence} logged with the "upstream closed a reused connection" signature${eventRaces > 0 && !eventsOnly ? `, ${eventRaces} matching error-log lines` : ''}) with ${targetNote}: the backend closed pooled keep-alive connections the proxy was reusing.`,
        examples: refs(p, [...raceKeys, ...eventRaceKeys]),
      });
    } else if (raceCandidates >= 3) {
      verdict = 'keepalive-race';
      reasons.push({
        code: 'race-likely',
        message: `${raceCandidates} LB-generated 502s with ${targetNote}: the keep-alive race's signature. This format has no cause field, so a refused connect cannot be ruled out from the log alone (on ALB, check that TargetConnectionErrorCount stays at zero).`,
        examples: refs(p, raceKeys),
      });
    } else {
      verdict = 'inconclusive';
      reasons.push({
        code: 'too-few',
        message: `Only ${raceCandidates} LB-generated 502 without a cause field: too few to call.`,
        examples: refs(p, raceKeys),
      });
    }
  } else {
    verdict = 'inconclusive';
    reasons.push({
      code: 'other-5xx',
      message: `${lb5xx} LB-generated 5xx that fit none of the known patterns (race-like 502, 503 capacity, 504 timeout, connect failure).`,
      examples: refs(
        p,
        keyOf((r) => r.generator === 'lb'),
      ),
    });
  }
  if (p.malformedLines > 0) {
    support.push({
      code: 'malformed-lines',
      message: `${p.malformedLines} of ${p.lines} lines could not be parsed and were skipped (samples listed).`,
      examples: p.malformedSamples.slice(0, 3).map((s) => ({ file: s.file, line: s.line })),
    });
  }
  for (const t of p.truncatedInputs) {
    support.push({
      code: 'truncated-input',
      message: `${t.file}: ${t.reason}; the lines read before it are counted.`,
      examples: [],
    });
  }

  const perTarget = Object.entries(p.targetGaps)
    .map(([target, buckets]) => ({
      target,
      buckets: toBuckets(buckets),
      total: buckets.reduce((s, c) => s + c[0], 0),
    }))
    .sort((a, b) => b.total - a.total)
    .slice(0, 20)
    .map(({ target, buckets }) => ({ target, buckets }));
  const examples = Object.entries(p.examples).flatMap(([key, list]) => list.map((e) => ({ key, ...e })));
  return {
    formats: Object.entries(p.formats).map(([id, lines]) => ({ id, lines })),
    lines: p.lines,
    requests: p.requests,
    statusClasses: p.statusClasses,
    skippedLines: p.skippedLines,
    outsideWindowLines: p.outsideWindow,
    malformedLines: p.malformedLines,
    malformedSamples: p.malformedSamples,
    counts,
    totals,
    verdict,
    reasons: [...reasons, ...support],
    idleGaps: { buckets: toBuckets(p.gapBuckets), perTarget },
    estimatedBackendKeepAliveMs: estimate?.ms ?? null,
    keepAliveEstimate: estimate,
    perMinute: minutes,
    quietVsBusy,
    examples,
    timeRange:
      p.firstTimeMs !== null && p.lastTimeMs !== null
        ? { firstMs: p.firstTimeMs, lastMs: p.lastTimeMs }
        : null,
    truncatedInputs: p.truncatedInputs,
    unreadableInputs: p.unreadableInputs,
  };
}
