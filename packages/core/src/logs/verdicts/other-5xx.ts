import type { VerdictRule } from './types.js';

export const other5xx: VerdictRule = {
  id: 'other-5xx',
  verdict: 'inconclusive',
  summary: 'LB-generated 5xx that fit none of the known patterns',
  apply(e) {
    return {
      code: 'other-5xx',
      message: `${e.totals.lb5xx} LB-generated 5xx that fit none of the known patterns (race-like 502, 503 capacity, 504 timeout, connect failure).`,
      examples: e.refs(e.keyOf((r) => r.generator === 'lb')),
    };
  },
};
