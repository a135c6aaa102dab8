import type { VerdictRule } from './types.js';

export const capacity: VerdictRule = {
  id: 'capacity',
  verdict: 'not-this-trap',
  summary: '503 or "no healthy upstream" dominates (Envoy `UC` 503 excluded)',
  apply(e) {
    const { totals } = e;
    const cap =
      totals.lb503 +
      e.rows
        .filter((r) => r.generator === 'lb' && r.cause === 'no-healthy-upstream' && r.status !== 503)
        .reduce((s, r) => s + r.count, 0);
    if (cap === 0 || cap <= totals.raceCandidates || cap < 0.5 * totals.lb5xx) return null;
    return {
      code: 'capacity',
      message: `503 / no healthy target dominates: ${cap} of ${totals.lb5xx} LB-generated 5xx (${totals.noHealthyUpstream} with no healthy/registered target, ${totals.connectFailures} connect failures): capacity or missing targets, not the keep-alive race.`,
      examples: e.refs(
        e.keyOf((r) => r.generator === 'lb' && (r.status === 503 || r.cause === 'no-healthy-upstream')),
      ),
    };
  },
};
