import type { VerdictRule } from './types.js';

export const clustered: VerdictRule = {
  id: 'clustered',
  verdict: 'inconclusive',
  summary: '≥80 % of the LB 5xx fall within two minutes of a log spanning ≥30 minutes (deploy, draining)',
  apply(e) {
    if (e.clusteredBest === null) return null;
    return {
      code: 'clustered',
      message: `${e.clusteredBest} of ${e.totals.lb5xx} LB-generated 5xx fall within two minutes of a ${Math.round(e.spanMs / 60_000)}-minute log: that looks like a deploy, draining or deregistration, not the idle race (which is spread out). Check the deploy history for that moment.`,
      examples: e.refs(e.keyOf((r) => r.generator === 'lb')),
    };
  },
};
