import { MIN_RACE_FAILURES } from './too-few.js';
import type { VerdictRule } from './types.js';

export const raceLikely: VerdictRule = {
  id: 'race-likely',
  verdict: 'keepalive-race',
  summary: 'Several cause-less LB 502s after idle gaps near one threshold (ALB, Classic ELB, Traefik)',
  apply(e) {
    const { totals } = e;
    if (totals.raceCandidates < MIN_RACE_FAILURES || e.raceSignature > 0) return null;
    // A cause-less 502 is only race-shaped through its idle gap: without known gaps, nothing here
    // tells the race from any other LB-generated 502.
    if (e.gaps.raceKnown < MIN_RACE_FAILURES || !e.gapsSupportRace) return null;
    return {
      code: 'race-likely',
      message: `${totals.raceCandidates} LB-generated 502s with target 5xx ${totals.target5xx === 0 ? 'zero' : `only ${totals.target5xx}`}${e.gaps.raceKnown > 0 ? `, ${e.gaps.raceInZone} of ${e.gaps.raceKnown} after idle gaps at or above ${e.gaps.zoneFromMs} ms` : ''}: the keep-alive race's signature. This format has no cause field, so a refused connect cannot be ruled out from the log alone (on ALB, check that TargetConnectionErrorCount stays at zero).`,
      examples: e.refs(e.raceKeys),
    };
  },
};
