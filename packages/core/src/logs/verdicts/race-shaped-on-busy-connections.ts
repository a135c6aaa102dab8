import type { VerdictRule } from './types.js';

/** Share of requests with a known gap that were not busy, below which "busy" says nothing. */
const MIN_IDLE_TRAFFIC_SHARE = 0.1;

export const raceShapedOnBusyConnections: VerdictRule = {
  id: 'race-shaped-on-busy-connections',
  verdict: 'not-this-trap',
  summary: 'Race-shaped failures (before any response byte) mostly on connections that were busy, not idle',
  apply(e) {
    const { raceKnown, raceBusy, shortGapRequests } = e.gaps;
    const known = Object.values(e.p.allGapFine).reduce((s, v) => s + v, 0) + (e.p.gapBuckets[0]?.[0] ?? 0);
    const idleShare = known === 0 ? 0 : (known - shortGapRequests) / known;
    if (raceBusy < 2 || raceBusy < 0.5 * raceKnown || idleShare < MIN_IDLE_TRAFFIC_SHARE) return null;
    return {
      code: 'race-shaped-on-busy-connections',
      message: `${raceBusy} of ${raceKnown} failures before the response header came less than 100 ms after the previous request to the same target, although ${Math.round(idleShare * 100)}% of the traffic came after longer pauses: the connection was busy, not idle, so the backend did not close it for idleness. The target crashed or closed the connection while handling the request (check its logs and restarts at these times).`,
      examples: [
        ...e.pairRefs((r) => r.gapMs !== undefined && r.gapMs < 100, 2),
        ...e.refs(e.raceKeys, 2),
      ].slice(0, 4),
    };
  },
};
