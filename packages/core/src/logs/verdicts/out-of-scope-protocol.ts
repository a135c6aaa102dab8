import type { VerdictRule } from './types.js';

export const outOfScopeProtocol: VerdictRule = {
  id: 'out-of-scope-protocol',
  verdict: 'not-this-trap',
  summary: 'Half or more of the LB 5xx are on gRPC / HTTP/2 target connections',
  apply(e) {
    const { totals } = e;
    if (totals.lb5xx === 0 || totals.outOfScopeLb5xx < 0.5 * totals.lb5xx) return null;
    return {
      code: 'out-of-scope-protocol',
      message: `${totals.outOfScopeLb5xx} of ${totals.lb5xx} LB-generated 5xx are on gRPC/HTTP/2 target connections: those use one long-lived multiplexed connection (GOAWAY, stream limits), outside this HTTP/1.1 keep-alive trap.`,
      examples: e.refs(e.keyOf((r) => r.generator === 'lb')),
    };
  },
};
