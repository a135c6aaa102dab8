import { binomialCdf, formatProbability, poissonCdf } from './stats.js';
import { isDegraded, maxHealthyHosts } from './table.js';
import type { MetricsRow } from './types.js';

/**
 * `verify`: did the LB's race-form errors go away after a change? The after-window's count is set
 * against the before-window's rate: with request counts, X ~ Binomial(after requests, before ratio);
 * without them, X ~ Poisson(before rate per minute × after minutes). The exact lower tail
 * P(X ≤ observed) is the probability of seeing so few errors had the old rate continued.
 */

/** Significance level: the fix is verified when P(X ≤ observed | old rate) is below it. */
export const VERIFY_ALPHA = 0.01;
/** Errors that remain at this share of the old rate or more are not a fix, however significant the drop. */
export const VERIFY_REMAINING_SHARE = 0.1;

export interface VerifyWindowSummary {
  readonly fromMs: number;
  readonly untilMs: number;
  readonly periods: number;
  readonly requests: number | null;
  readonly raceErrors: number;
  readonly target5xx: number | null;
  readonly degradedPeriods: number;
}

export type VerifyOutcome = 'verified' | 'remains' | 'too-little-traffic' | 'nothing-before';

export interface VerifyResult {
  readonly outcome: VerifyOutcome;
  readonly before: VerifyWindowSummary;
  readonly after: VerifyWindowSummary;
  readonly model: 'binomial-per-request' | 'poisson-per-minute' | null;
  /** Errors expected after the change had the old rate continued. */
  readonly expectedAfter: number | null;
  /** P(X ≤ after errors | old rate). */
  readonly probability: number | null;
  /** Traffic the after-window needs before zero errors would be significant (requests or minutes). */
  readonly needed: { readonly requests?: number; readonly minutes?: number } | null;
  readonly statement: string;
  readonly notes: readonly string[];
}

/** Sums the periods wholly inside [fromMs, untilMs). */
export function summarizeWindow(
  rows: readonly MetricsRow[],
  fromMs: number,
  untilMs: number,
  periodMs: number,
): VerifyWindowSummary {
  const inside = rows.filter((r) => r.tMs >= fromMs && r.tMs + periodMs <= untilMs);
  const maxHealthy = maxHealthyHosts(rows);
  let requests: number | null = null;
  let target5xx: number | null = null;
  let raceErrors = 0;
  for (const r of inside) {
    if (r.requests !== null) requests = (requests ?? 0) + r.requests;
    if (r.target5xx !== null) target5xx = (target5xx ?? 0) + r.target5xx;
    raceErrors += r.raceErrors ?? 0;
  }
  return {
    fromMs,
    untilMs,
    periods: inside.length,
    requests: requests === null ? null : Math.round(requests),
    raceErrors: Math.round(raceErrors),
    target5xx: target5xx === null ? null : Math.round(target5xx),
    degradedPeriods: inside.filter((r) => isDegraded(r, maxHealthy)).length,
  };
}

function rate(n: number, d: number, unit: string): string {
  if (unit === 'requests') return `${((1000 * n) / d).toPrecision(3)} per 1000 requests`;
  return `${(n / d).toPrecision(3)} per minute`;
}

export function verifyWindows(
  before: VerifyWindowSummary,
  after: VerifyWindowSummary,
  periodMs: number,
  alpha = VERIFY_ALPHA,
): VerifyResult {
  const notes: string[] = [];
  if (before.target5xx !== null && after.target5xx !== null && before.requests && after.requests) {
    const b = before.target5xx / before.requests;
    const a = after.target5xx / after.requests;
    if (after.target5xx > 0 && a > 2 * b) {
      notes.push(
        `target 5xx rose after the change: ${after.target5xx} (${rate(after.target5xx, after.requests, 'requests')}) against ${before.target5xx} before`,
      );
    } else notes.push(`target 5xx: ${before.target5xx} before, ${after.target5xx} after`);
  }
  if (after.degradedPeriods > 0)
    notes.push(`${after.degradedPeriods} periods after the change had unhealthy or missing hosts`);
  const base = { before, after, notes };
  if (before.raceErrors === 0) {
    return {
      ...base,
      outcome: 'nothing-before',
      model: null,
      expectedAfter: null,
      probability: null,
      needed: null,
      statement: `no LB-generated errors of the race's form before the change (${before.periods} periods): there is nothing to verify; choose a before-window that has them`,
    };
  }
  const byRequests = before.requests !== null && before.requests > 0 && after.requests !== null;
  let probability: number;
  let p0: number;
  let expected: number;
  let needed: VerifyResult['needed'];
  let oldRate: string;
  let newRate: string;
  if (byRequests) {
    const p = Math.min(1, before.raceErrors / before.requests!);
    const n = after.requests!;
    expected = p * n;
    probability = binomialCdf(Math.min(after.raceErrors, n), n, p);
    p0 = binomialCdf(0, n, p);
    needed = { requests: p >= 1 ? 1 : Math.ceil(Math.log(alpha) / Math.log1p(-p)) };
    oldRate = rate(before.raceErrors, before.requests!, 'requests');
    newRate = n > 0 ? rate(after.raceErrors, n, 'requests') : 'no requests';
  } else {
    const perMin = before.raceErrors / ((before.periods * periodMs) / 60_000);
    const minutes = (after.periods * periodMs) / 60_000;
    expected = perMin * minutes;
    probability = poissonCdf(after.raceErrors, expected);
    p0 = poissonCdf(0, expected);
    needed = { minutes: Math.ceil(Math.log(1 / alpha) / perMin) };
    oldRate = rate(before.raceErrors, (before.periods * periodMs) / 60_000, 'minutes');
    newRate = minutes > 0 ? rate(after.raceErrors, minutes, 'minutes') : 'no minutes';
  }
  const model = byRequests ? 'binomial-per-request' : 'poisson-per-minute';
  const chance = `had the old rate (${oldRate}) continued, ${after.raceErrors} or fewer errors in the after-window (${
    byRequests ? `${after.requests} requests` : `${after.periods} periods`
  }; ${expected.toFixed(1)} expected) would have probability ${formatProbability(probability)}`;
  const need = needed.requests !== undefined ? `${needed.requests} requests` : `${needed.minutes} minutes`;
  if (p0 >= alpha && after.raceErrors === 0) {
    return {
      ...base,
      outcome: 'too-little-traffic',
      model,
      expectedAfter: expected,
      probability,
      needed,
      statement: `too little traffic after the change to decide: ${chance}, not below ${alpha}. Zero errors become significant after at least ${need} at the old rate`,
    };
  }
  const reducedEnough =
    after.raceErrors === 0 || (expected > 0 && after.raceErrors / expected < VERIFY_REMAINING_SHARE);
  if (probability < alpha && reducedEnough) {
    return {
      ...base,
      outcome: 'verified',
      model,
      expectedAfter: expected,
      probability,
      needed,
      statement: `verified: ${chance} (below ${alpha})${after.raceErrors > 0 ? `; ${after.raceErrors} remain (${newRate}), under ${VERIFY_REMAINING_SHARE * 100}% of the old rate` : ''}`,
    };
  }
  return {
    ...base,
    outcome: 'remains',
    model,
    expectedAfter: expected,
    probability,
    needed,
    statement:
      probability < alpha
        ? `reduced but not fixed: ${after.raceErrors} errors remain (${newRate}, ${((100 * after.raceErrors) / expected).toFixed(0)}% of what the old rate predicts); ${chance}`
        : `not verified: the errors remain (${newRate}) at a rate the old one explains: ${chance}`,
  };
}
