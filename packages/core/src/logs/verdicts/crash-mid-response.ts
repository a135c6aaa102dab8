import type { VerdictRule } from './types.js';

export const crashMidResponse: VerdictRule = {
  id: 'crash-mid-response',
  verdict: 'not-this-trap',
  summary:
    'Upstream connections closed after the response header (mid-body) are as many as the race-shaped failures',
  apply(e) {
    const { totals } = e;
    const n = totals.midResponse;
    if (n === 0 || n < e.raceShaped) return null;
    return {
      code: 'crash-mid-response',
      message: `${n} upstream connections closed or reset after the response header was sent (nginx "while reading upstream", readv(), a truncated response), against ${e.raceShaped} race-shaped failures: the target crashed or was killed while sending bodies. The keep-alive race happens before any response byte and never produces these.`,
      examples: e.refs([
        'event|upstream-closed-mid-response',
        'mid-response',
        ...e.keyOf((r) => r.cause === 'upstream-closed-mid-response'),
      ]),
    };
  },
};
