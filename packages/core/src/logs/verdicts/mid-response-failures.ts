import type { VerdictRule } from './types.js';

export const midResponseFailures: VerdictRule = {
  id: 'mid-response-failures',
  verdict: null,
  summary: 'Upstream connections that closed after the response header (never the race), counted apart',
  apply(e, decided) {
    const n = e.totals.midResponse;
    if (n === 0 || (decided === 'not-this-trap' && n >= e.raceShaped)) return null;
    return {
      code: 'mid-response-failures',
      message: `${n} upstream connections closed or reset after the response header was sent (while reading the body): the target crashed mid-response there. Counted apart: the keep-alive race never does this.`,
      examples: e.refs(['event|upstream-closed-mid-response', 'mid-response']),
    };
  },
};
