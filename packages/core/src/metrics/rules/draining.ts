import { citeMinutes, isDegraded } from '../table.js';
import type { MetricsRule } from './context.js';

/** The LB's errors come in periods with unhealthy or leaving hosts: a deploy or draining. */
export const draining: MetricsRule = {
  id: 'draining',
  title: 'LB errors coincide with unhealthy or leaving hosts',
  evaluate({ rows, totals, maxHealthyHosts }) {
    const all = totals.raceErrors ?? totals.lb5xx ?? 0;
    if (all === 0) return null;
    const degraded = rows.filter((r) => isDegraded(r, maxHealthyHosts) && (r.raceErrors ?? r.lb5xx ?? 0) > 0);
    const inDegraded = degraded.reduce((s, r) => s + (r.raceErrors ?? r.lb5xx ?? 0), 0);
    if (inDegraded * 2 < all) return null;
    return {
      code: 'draining',
      vote: 'clear',
      message: `${inDegraded} of ${all} LB-generated errors fell in ${degraded.length} periods with unhealthy hosts (up to ${totals.maxUnhealthyHosts ?? 0}) or fewer healthy hosts than the usual ${maxHealthyHosts ?? '?'}: a deploy, scaling or failing health checks; check deregistration delay and the targets' shutdown (periods: ${citeMinutes(degraded)})`,
      periods: degraded.map((r) => r.tMs),
    };
  },
};
