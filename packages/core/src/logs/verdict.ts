import {
  type Example,
  fineLowerMs,
  GAP_BUCKET_EDGES_MS,
  type GapBucketCounts,
  type LogVerdict,
  type MalformedSample,
  type PartialAnalysis,
  parseCountKey,
} from './analysis.js';
import { buildEvidence } from './verdicts/evidence.js';
import {
  type CountRow,
  type JoinSummary,
  type KeepAliveEstimate,
  type QuietVsBusy,
  type Reason,
  type Totals,
  VERDICT_FINDINGS,
  VERDICT_RULES,
} from './verdicts/index.js';
import { pct } from './verdicts/util.js';

export type {
  CountRow,
  JoinSummary,
  KeepAliveEstimate,
  QuietVsBusy,
  Reason,
  Totals,
} from './verdicts/index.js';
export { VERDICT_FINDINGS, VERDICT_RULES } from './verdicts/index.js';

/**
 * Turns merged aggregates into the diagnosis: counts corrected by the per-request join, idle gaps,
 * the keep-alive estimate, and the verdict from the rule registry (logs/verdicts/, one file per rule).
 */

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

export interface MinutePoint {
  readonly minuteStartMs: number;
  readonly requests: number;
  readonly lb5xx: number;
  readonly target5xx: number;
  readonly raceCandidates: number;
  readonly upstreamErrors: number;
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
  readonly quietVsBusy: QuietVsBusy | null;
  readonly examples: ReadonlyArray<Example & { key: string }>;
  readonly timeRange: { firstMs: number; lastMs: number } | null;
  readonly truncatedInputs: ReadonlyArray<{ file: string; reason: string }>;
  readonly unreadableInputs: ReadonlyArray<{ file: string; reason: string }>;
  /** Failures by phase (`connect`, `send-request`, `read-header`, `read-body`), when the logs say it. */
  readonly phases: Readonly<Record<string, number>>;
  /** The per-request join of error-log events to access-log lines. */
  readonly join: JoinSummary;
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

export function diagnose(p: PartialAnalysis): Diagnosis {
  const estimate = estimateKeepAlive(p);
  const requestFormats = Object.keys(p.requestFormats).filter((f) => (p.requestFormats[f] ?? 0) > 0);
  const e = buildEvidence(p, estimate, requestFormats);
  let verdict: LogVerdict = 'inconclusive';
  const reasons: Reason[] = [];
  for (const rule of VERDICT_RULES) {
    const reason = rule.apply(e, null);
    if (reason !== null) {
      verdict = rule.verdict ?? 'inconclusive';
      reasons.push(reason);
      break;
    }
  }
  for (const finding of VERDICT_FINDINGS) {
    const reason = finding.apply(e, verdict);
    if (reason !== null) reasons.push(reason);
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
  const minutes = Object.entries(p.minutes)
    .map(([k, m]) => ({ minuteStartMs: Number(k) * 60_000, ...m }))
    .sort((a, b) => a.minuteStartMs - b.minuteStartMs);
  const examples = Object.entries(p.examples).flatMap(([key, list]) => list.map((x) => ({ key, ...x })));
  return {
    formats: Object.entries(p.formats).map(([id, lines]) => ({ id, lines })),
    lines: p.lines,
    requests: p.requests,
    statusClasses: p.statusClasses,
    skippedLines: p.skippedLines,
    outsideWindowLines: p.outsideWindow,
    malformedLines: p.malformedLines,
    malformedSamples: p.malformedSamples,
    counts: e.eventsOnly
      ? Object.entries(p.counts5xx)
          .map(([k, count]) => ({ ...parseCountKey(k), count }))
          .sort((a, b) => b.count - a.count)
      : e.rows,
    totals: e.totals,
    verdict,
    reasons: reasons.map((r) => ({
      ...r,
      examples: r.examples.filter(
        (x, i) => r.examples.findIndex((y) => y.file === x.file && y.line === x.line) === i,
      ),
    })),
    idleGaps: { buckets: toBuckets(p.gapBuckets), perTarget },
    estimatedBackendKeepAliveMs: estimate?.ms ?? null,
    keepAliveEstimate: estimate,
    perMinute: minutes,
    quietVsBusy: e.quietVsBusy,
    examples,
    timeRange:
      p.firstTimeMs !== null && p.lastTimeMs !== null
        ? { firstMs: p.firstTimeMs, lastMs: p.lastTimeMs }
        : null,
    truncatedInputs: p.truncatedInputs,
    unreadableInputs: p.unreadableInputs,
    phases: p.phases,
    join: e.joinSummary,
  };
}
