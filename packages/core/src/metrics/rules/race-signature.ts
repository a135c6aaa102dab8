import { citeMinutes, isDegraded } from '../table.js';
import { type MetricsRule, MIN_RACE_ERRORS, perMinute } from './context.js';

/**
 * The playbook's first signal: the LB's own errors of the race's form (ALB 502, HAProxy response
 * errors, Envoy remote close with an active request) in periods where the target's 5xx are zero and
 * every host is healthy.
 */
export const raceSignature: MetricsRule = {
  id: 'race-signature',
  title: 'LB-generated errors while target 5xx stay at zero and hosts are healthy',
  evaluate({ rows, totals, maxHealthyHosts, periodMs }) {
    const all = totals.raceErrors ?? 0;
    if (all === 0) return null;
    const clean = rows.filter(
      (r) => (r.raceErrors ?? 0) > 0 && (r.target5xx ?? 0) === 0 && !isDegraded(r, maxHealthyHosts),
    );
    const inClean = clean.reduce((s, r) => s + (r.raceErrors ?? 0), 0);
    if (inClean < MIN_RACE_ERRORS || inClean * 2 < all) return null;
    const peak = clean.reduce((a, b) => ((b.raceErrors ?? 0) > (a.raceErrors ?? 0) ? b : a));
    const targetNote =
      totals.target5xx === null ? 'target 5xx were not read' : 'the target answered no 5xx in those periods';
    return {
      code: 'race-signature',
      vote: 'race',
      message: `${inClean} of ${all} LB-generated errors of the race's form fell in ${clean.length} periods where ${targetNote} and no host was unhealthy (peak ${perMinute(peak.raceErrors ?? 0, periodMs)}/min at ${citeMinutes([peak])}; periods: ${citeMinutes(clean)})`,
      periods: clean.map((r) => r.tMs),
    };
  },
};
