import type { VerdictRule } from './types.js';

export const idleGapEstimate: VerdictRule = {
  id: 'idle-gap-estimate',
  verdict: null,
  summary: "The backend's keep-alive estimated from where the failures begin on the idle-gap axis",
  apply(e) {
    return e.estimate === null
      ? null
      : { code: 'idle-gap-estimate', message: e.estimate.statement, examples: [] };
  },
};
