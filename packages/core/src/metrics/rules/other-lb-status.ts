import { citeMinutes } from '../table.js';
import type { MetricsRule } from './context.js';

/** 503 or 504 dominate the LB's own errors: another system (capacity, timeouts), not this race. */
export const otherLbStatus: MetricsRule = {
  id: 'other-lb-status',
  title: '503 or 504 dominate the LB-generated errors',
  evaluate({ rows, totals }) {
    const other = (totals.lb503 ?? 0) + (totals.lb504 ?? 0) + (totals.spillover ?? 0);
    const race = totals.raceErrors ?? 0;
    if (other === 0 || other <= race) return null;
    const periods = rows.filter((r) => (r.lb503 ?? 0) + (r.lb504 ?? 0) + (r.spillover ?? 0) > 0);
    const parts = [
      totals.lb503 ? `${totals.lb503} × 503` : '',
      totals.lb504 ? `${totals.lb504} × 504` : '',
      totals.spillover ? `${totals.spillover} spilled over (surge queue full)` : '',
    ].filter(Boolean);
    return {
      code: 'other-lb-status',
      vote: 'clear',
      message: `the LB generated ${parts.join(', ')} against ${race} errors of the race's form: timeouts (504) or no capacity/healthy target (503) are another problem (periods: ${citeMinutes(periods)})`,
      periods: periods.map((r) => r.tMs),
    };
  },
};
