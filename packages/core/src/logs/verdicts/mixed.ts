import type { VerdictRule } from './types.js';

export const mixed: VerdictRule = {
  id: 'mixed',
  verdict: 'inconclusive',
  summary: 'Race-like LB 502s and target 5xx that cannot be told apart',
  apply(e) {
    const { totals } = e;
    if (totals.raceCandidates === 0 || totals.target5xx < Math.max(2, 0.25 * totals.raceCandidates))
      return null;
    if (e.raceSignature > 0 && e.gapsSupportRace && e.targetIndependent) return null; // the race rules decide
    return {
      code: 'mixed',
      message: `${totals.raceCandidates} LB-generated 502s but also ${totals.target5xx} target 5xx, and the idle gaps do not separate them (the 502s do not sit apart after idle gaps near one threshold): the race cannot be told apart from crashes. Fix the target errors and look again, or give the proxy's error log and a log format with upstream timing.`,
      examples: [
        ...e.refs(e.raceKeys, 2),
        ...e.refs(
          e.keyOf((r) => r.generator === 'target'),
          1,
        ),
      ],
    };
  },
};
