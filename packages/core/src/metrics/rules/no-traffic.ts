import type { MetricsRule } from './context.js';

/** No requests and no errors in the window: there is nothing to judge. */
export const noTraffic: MetricsRule = {
  id: 'no-traffic',
  title: 'No traffic in the window',
  evaluate({ totals }) {
    const errors =
      (totals.raceErrors ?? 0) + (totals.lb5xx ?? 0) + (totals.target5xx ?? 0) + (totals.any5xx ?? 0);
    if ((totals.requests ?? 0) > 0 || errors > 0) return null;
    return {
      code: 'no-traffic',
      vote: 'inconclusive',
      message: `no requests and no errors in ${totals.minutes} periods${totals.requests === null ? ' (no request count was read)' : ''}: widen --since/--until to a window with traffic`,
      periods: [],
    };
  },
};
