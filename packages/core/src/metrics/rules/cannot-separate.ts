import type { MetricsRule } from './context.js';

/** The platform's metrics count 5xx without saying who generated them. */
export const cannotSeparate: MetricsRule = {
  id: 'cannot-separate',
  title: "The platform's metrics cannot separate LB- from target-generated errors",
  evaluate({ platforms, totals, rows }) {
    const blind = platforms.filter((p) => p.cannotSeparate !== null);
    if (blind.length === 0 || totals.raceErrors !== null || (totals.any5xx ?? 0) === 0) return null;
    const with5xx = rows.filter((r) => (r.any5xx ?? 0) > 0);
    return {
      code: 'cannot-separate',
      vote: 'inconclusive',
      message: `${totals.any5xx} 5xx in ${with5xx.length} periods, but ${blind.map((p) => p.displayName).join(' and ')} metrics do not say whether the proxy or the target generated them. ${blind.map((p) => p.cannotSeparate).join(' ')}`,
      periods: with5xx.map((r) => r.tMs),
    };
  },
};
