import type { MetricsRule } from './context.js';

/** Traffic and not one LB-generated error: nothing for the race to explain. */
export const noLbErrors: MetricsRule = {
  id: 'no-lb-errors',
  title: 'Traffic without LB-generated errors',
  evaluate({ totals }) {
    if ((totals.requests ?? 0) === 0 || totals.raceErrors === null) return null;
    if (totals.raceErrors > 0 || (totals.lb5xx ?? 0) > 0) return null;
    return {
      code: 'no-lb-errors',
      vote: 'clear',
      message: `${totals.requests} requests in ${totals.minutes} periods and no LB-generated error${totals.target5xx ? ` (${totals.target5xx} target 5xx)` : ''}`,
      periods: [],
    };
  },
};
