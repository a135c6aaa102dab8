import type { VerdictRule } from './types.js';

export const slowBackend: VerdictRule = {
  id: 'slow-backend',
  verdict: 'not-this-trap',
  summary: '504 (proxy timeouts) dominate the LB-generated 5xx',
  apply(e) {
    const { totals } = e;
    if (totals.lb504 === 0 || totals.lb504 <= totals.raceCandidates || totals.lb504 < 0.5 * totals.lb5xx)
      return null;
    return {
      code: 'slow-backend',
      message: `504 dominates: ${totals.lb504} of ${totals.lb5xx} LB-generated 5xx are timeouts (vs ${totals.raceCandidates} race-like 502s): a slow backend or a too-short response/connect timeout, not the keep-alive race.`,
      examples: e.refs(e.keyOf((r) => r.generator === 'lb' && r.status === 504)),
    };
  },
};
