import { binomialSf, formatProbability } from '../stats.js';
import { type MetricsRule, MIN_RACE_ERRORS } from './context.js';

/**
 * The race's traffic signature: per request it is more frequent when traffic is low (pooled
 * connections sit idle long enough to reach the backend's keep-alive). Periods with traffic are
 * split at the median request count into a quiet and a busy half; if the error ratio were the same
 * per request in both, the quiet half's share of the errors would be Binomial(E, quiet requests /
 * all requests). The exact upper tail of that is the stated probability.
 */
export interface QuietPeriodSignature {
  readonly quietPeriods: number;
  readonly busyPeriods: number;
  readonly quietRequests: number;
  readonly busyRequests: number;
  readonly quietErrors: number;
  readonly busyErrors: number;
  readonly quietRatio: number;
  readonly busyRatio: number;
  /** P(quiet errors ≥ observed | same ratio in both halves). */
  readonly pValue: number;
  readonly confidence: 'high' | 'medium' | 'low';
}

export function quietPeriodSignature(
  rows: ReadonlyArray<{ requests: number | null; raceErrors: number | null }>,
): QuietPeriodSignature | null {
  const busy = rows.filter((r) => (r.requests ?? 0) > 0 && r.raceErrors !== null);
  if (busy.length < 4) return null;
  const sorted = [...busy].sort((a, b) => a.requests! - b.requests!);
  const half = Math.floor(sorted.length / 2);
  const quiet = sorted.slice(0, half);
  const loud = sorted.slice(sorted.length - half);
  const sum = (xs: typeof sorted, f: (r: (typeof sorted)[number]) => number) =>
    xs.reduce((s, r) => s + f(r), 0);
  const quietRequests = sum(quiet, (r) => r.requests!);
  const busyRequests = sum(loud, (r) => r.requests!);
  const quietErrors = Math.round(sum(quiet, (r) => r.raceErrors!));
  const busyErrors = Math.round(sum(loud, (r) => r.raceErrors!));
  const errors = quietErrors + busyErrors;
  if (errors < MIN_RACE_ERRORS || quietRequests === busyRequests) return null;
  const pValue = binomialSf(quietErrors, errors, quietRequests / (quietRequests + busyRequests));
  const quietRatio = quietErrors / quietRequests;
  const busyRatio = busyErrors / busyRequests;
  const confidence =
    quietRatio > busyRatio && pValue < 0.001
      ? 'high'
      : quietRatio > busyRatio && pValue < 0.05
        ? 'medium'
        : 'low';
  return {
    quietPeriods: quiet.length,
    busyPeriods: loud.length,
    quietRequests,
    busyRequests,
    quietErrors,
    busyErrors,
    quietRatio,
    busyRatio,
    pValue,
    confidence,
  };
}

function pct(x: number): string {
  return `${(100 * x).toFixed(x >= 0.1 ? 0 : 2)}%`;
}

export const quietPeriod: MetricsRule = {
  id: 'quiet-period',
  title: 'LB error ratio per request against the request rate',
  evaluate({ rows }) {
    const s = quietPeriodSignature(rows);
    if (!s) return null;
    const seen = s.quietRatio > s.busyRatio;
    return {
      code: 'quiet-period',
      vote: 'info',
      message: `LB error ratio ${pct(s.quietRatio)} of requests in the ${s.quietPeriods} quietest periods (${s.quietErrors}/${s.quietRequests}) against ${pct(s.busyRatio)} in the ${s.busyPeriods} busiest (${s.busyErrors}/${s.busyRequests}): ${
        seen
          ? `higher when traffic is low, as the race is; chance of a split at least this lopsided with equal ratios ${formatProbability(s.pValue)} (confidence ${s.confidence})`
          : 'not higher when traffic is low (the race usually is)'
      }`,
      periods: [],
    };
  },
};
