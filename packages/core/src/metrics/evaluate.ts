import {
  METRICS_RULES,
  type MetricsReason,
  type QuietPeriodSignature,
  quietPeriodSignature,
} from './rules/index.js';
import { maxHealthyHosts, metricsRows, metricsTotals } from './table.js';
import {
  type MetricsInput,
  type MetricsRow,
  type MetricsTotals,
  type MetricsVerdict,
  PLATFORMS,
  type PlatformTraits,
} from './types.js';

export interface MetricsDiagnosis {
  readonly verdict: MetricsVerdict;
  readonly reasons: readonly MetricsReason[];
  readonly periodMs: number;
  readonly rows: readonly MetricsRow[];
  readonly totals: MetricsTotals;
  readonly quietPeriod: QuietPeriodSignature | null;
  readonly platforms: readonly PlatformTraits[];
  /** Series that were asked for and not found, per input. */
  readonly missing: ReadonlyArray<{ input: string; kind: string; source: string; reason: string }>;
  /** What to collect next when the verdict is inconclusive. */
  readonly next: readonly string[];
}

const NEXT_STEPS = [
  'access logs with the LB/proxy cause codes for the same minutes (`keepalive-parity diagnose` on them)',
  "the backend's keep-alive timeout against the LB's idle timeout (`keepalive-parity check`)",
  'a capture showing a FIN/RST from the backend on a reused connection',
];

/**
 * The verdict from metrics, deterministic: `keepalive-race` when the race signature holds and
 * nothing else explains the errors; `not-this-trap` when something else explains them (or there
 * are none); `inconclusive` otherwise (mixed causes, no traffic, or metrics that cannot separate).
 */
export function diagnoseMetrics(inputs: readonly MetricsInput[]): MetricsDiagnosis {
  const rows = metricsRows(inputs);
  const totals = metricsTotals(rows);
  const platforms = [...new Set(inputs.map((i) => i.platform))].map((p) => PLATFORMS[p]);
  const periodMs = Math.max(...inputs.map((i) => i.periodMs), 60_000);
  const context = { rows, totals, platforms, periodMs, maxHealthyHosts: maxHealthyHosts(rows) };
  const reasons: MetricsReason[] = [];
  for (const rule of METRICS_RULES) {
    const reason = rule.evaluate(context);
    if (reason) reasons.push(reason);
  }
  const votes = new Set(reasons.map((r) => r.vote));
  let verdict: MetricsVerdict;
  if (votes.has('inconclusive')) verdict = 'inconclusive';
  else if (votes.has('race') && !votes.has('clear')) verdict = 'keepalive-race';
  else if (votes.has('clear') && !votes.has('race')) verdict = 'not-this-trap';
  else verdict = 'inconclusive';
  if (verdict === 'inconclusive' && !votes.has('inconclusive')) {
    reasons.push({
      code: votes.has('race') ? 'mixed-causes' : 'too-few-errors',
      vote: 'inconclusive',
      message: votes.has('race')
        ? 'the race signature and another cause both hold in this window: the metrics alone cannot tell how many errors each explains'
        : `${totals.raceErrors ?? totals.lb5xx ?? 0} LB-generated errors: too few, or not separated from other causes, to judge from metrics`,
      periods: [],
    });
  }
  return {
    verdict,
    reasons,
    periodMs,
    rows,
    totals,
    quietPeriod: quietPeriodSignature(rows),
    platforms,
    missing: inputs.flatMap((i) => i.missing.map((m) => ({ input: i.name, ...m }))),
    next: verdict === 'inconclusive' ? NEXT_STEPS : [],
  };
}

/**
 * One verdict from several sources (logs and metrics): a race on one side and a clear cause on the
 * other is `inconclusive`; otherwise a decided verdict wins over `inconclusive`.
 */
export function combineVerdicts(verdicts: readonly MetricsVerdict[]): MetricsVerdict {
  const race = verdicts.includes('keepalive-race');
  const clear = verdicts.includes('not-this-trap');
  if (race && clear) return 'inconclusive';
  if (race) return 'keepalive-race';
  if (clear) return 'not-this-trap';
  return 'inconclusive';
}
