import type { MetricsRow, MetricsTotals, PlatformTraits } from '../types.js';

/** What every metrics rule sees. */
export interface MetricsRuleContext {
  readonly rows: readonly MetricsRow[];
  readonly totals: MetricsTotals;
  readonly platforms: readonly PlatformTraits[];
  readonly periodMs: number;
  /** The most healthy hosts any period had (to see hosts leaving), null when not read. */
  readonly maxHealthyHosts: number | null;
}

/**
 * How a reason weighs: `race` points at the keep-alive race, `clear` explains the errors by
 * something else (or finds none), `inconclusive` blocks a verdict either way, `info` only informs.
 */
export type MetricsVote = 'race' | 'clear' | 'inconclusive' | 'info';

export interface MetricsReason {
  /** The rule's stable id. */
  readonly code: string;
  readonly vote: MetricsVote;
  readonly message: string;
  /** Periods (epoch ms) the reason cites. */
  readonly periods: readonly number[];
}

export interface MetricsRule {
  readonly id: string;
  readonly title: string;
  evaluate(context: MetricsRuleContext): MetricsReason | null;
}

/** Below this many LB errors of the race's form, no rule accuses or clears on them alone. */
export const MIN_RACE_ERRORS = 3;

export function perMinute(count: number, periodMs: number): string {
  const perMin = (count * 60_000) / periodMs;
  return Number.isInteger(perMin) ? String(perMin) : perMin.toFixed(1);
}
