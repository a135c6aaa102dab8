import type { VerdictRule } from './types.js';

export const targetUnreachable: VerdictRule = {
  id: 'target-unreachable',
  verdict: 'not-this-trap',
  summary: 'Connect failures (refused, timed out) and "no live upstreams" dominate',
  apply(e) {
    const { totals } = e;
    const down = totals.connectFailures + totals.noHealthyUpstream;
    if (totals.lb5xx === 0 || totals.connectFailures < 0.5 * totals.lb5xx || down <= totals.raceEvidence)
      return null;
    return {
      code: 'target-unreachable',
      message: `${totals.connectFailures} connect failures and ${totals.noHealthyUpstream} "no live/healthy upstream" out of ${totals.lb5xx} LB-generated 5xx: the target is down, refusing or unreachable, not a closed keep-alive connection.`,
      examples: [
        ...e.pairRefs((r) => r.cause === 'connect-refused' || r.cause === 'connect-timeout', 2),
        ...e.refs(
          e.keyOf(
            (r) =>
              r.generator === 'lb' &&
              (r.cause === 'connect-refused' ||
                r.cause === 'connect-timeout' ||
                r.cause === 'no-healthy-upstream'),
          ),
        ),
      ].slice(0, 4),
    };
  },
};
