import type { VerdictRule } from './types.js';

export const generatorUnknown: VerdictRule = {
  id: 'generator-unknown',
  verdict: 'inconclusive',
  summary: 'The log cannot say who generated the 5xx (nginx `combined` without its error log)',
  apply(e) {
    const { totals } = e;
    if (totals.unknown5xx === 0 || totals.lb5xx > 0) return null;
    const haveErrorLog = Object.keys(e.p.errorLogSpans).length > 0;
    return {
      code: 'generator-unknown',
      message: `${totals.unknown5xx} 5xx, but this log format does not say whether the proxy or the target generated them (nginx "combined" has no upstream fields)${haveErrorLog ? ', and the error log given does not reach back to them' : ''}. Pass the error.log that covers the same period (every 5xx then gets a generator per request), or add $upstream_status $upstream_addr $upstream_connect_time $upstream_header_time to the log_format.`,
      examples: e.refs(e.keyOf((r) => r.generator === 'unknown')),
    };
  },
};
