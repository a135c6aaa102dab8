import { citeMinutes } from '../table.js';
import { type MetricsRule, perMinute } from './context.js';

/** The target's own 5xx track the LB's: the application is failing, not the connection. */
export const targetFailures: MetricsRule = {
  id: 'target-failures',
  title: "Target 5xx track the LB's errors",
  evaluate({ rows, totals, periodMs }) {
    const target = totals.target5xx ?? 0;
    if (target === 0) return null;
    const lb = totals.raceErrors ?? totals.lb5xx ?? 0;
    if (target * 2 < lb + target) return null;
    const periods = rows.filter((r) => (r.target5xx ?? 0) > 0);
    const peak = periods.reduce((a, b) => ((b.target5xx ?? 0) > (a.target5xx ?? 0) ? b : a));
    return {
      code: 'target-failures',
      vote: 'clear',
      message: `the targets answered ${target} 5xx themselves in ${periods.length} periods (peak ${perMinute(peak.target5xx ?? 0, periodMs)}/min at ${citeMinutes([peak])}) against ${lb} LB-generated errors: the application is failing; read its logs (periods: ${citeMinutes(periods)})`,
      periods: periods.map((r) => r.tMs),
    };
  },
};
