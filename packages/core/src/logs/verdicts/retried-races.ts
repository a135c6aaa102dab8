import type { VerdictRule } from './types.js';

export const retriedRaces: VerdictRule = {
  id: 'retried-races',
  verdict: null,
  summary: 'Upstream failures the proxy retried and hid from clients',
  apply(e) {
    const n = e.totals.hiddenRaces;
    if (n === 0 || e.totals.fiveXx === 0) return null;
    return {
      code: 'retried-races',
      message: `${n} upstream connection failures were retried and answered normally (nginx error.log race lines or \`$upstream_status\` like "502, 200"): the race happens, the retry hides it.`,
      examples: e.refs(['retried', 'event|upstream-closed-reused-connection']),
    };
  },
};
