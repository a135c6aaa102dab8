import type { VerdictRule } from './types.js';

export const no5xx: VerdictRule = {
  id: 'no-5xx',
  verdict: 'not-this-trap',
  summary: 'No 5xx, no hidden (retried) race and no upstream failure: nothing to explain',
  apply(e) {
    const { totals } = e;
    if (totals.fiveXx > 0 || totals.hiddenRaces > 0 || totals.midResponse > 0) return null;
    const races = totals.upstreamErrors['upstream-closed-reused-connection'] ?? 0;
    return {
      code: 'no-5xx',
      message: `No 5xx in ${totals.requests} requests${races > 0 ? '' : ' and no upstream connection errors'}: nothing to explain.`,
      examples: [],
    };
  },
};
