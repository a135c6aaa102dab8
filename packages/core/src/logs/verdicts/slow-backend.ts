import type { VerdictRule } from './types.js';

export const slowBackend: VerdictRule = {
  id: 'slow-backend',
  verdict: 'not-this-trap',
  summary: '504 (proxy timeouts) dominate the LB-generated 5xx',
  apply(e) {
    const { totals } = e;
    // A connect timeout is an unreachable target (target-unreachable), not a slow one.
    const slow = e.rows
      .filter((r) => r.generator === 'lb' && r.status === 504 && r.cause !== 'connect-timeout')
      .reduce((s, r) => s + r.count, 0);
    if (slow === 0 || slow <= totals.raceCandidates || slow < 0.5 * totals.lb5xx) return null;
    return {
      code: 'slow-backend',
      message: `504 dominates: ${slow} of ${totals.lb5xx} LB-generated 5xx are response timeouts (vs ${totals.raceCandidates} race-like 502s): a slow backend or a too-short response timeout, not the keep-alive race.`,
      examples: e.refs(
        e.keyOf((r) => r.generator === 'lb' && r.status === 504 && r.cause !== 'connect-timeout'),
      ),
    };
  },
};
