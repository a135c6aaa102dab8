import { MIN_RACE_FAILURES } from './too-few.js';
import type { VerdictRule } from './types.js';

export const raceRetriedOnly: VerdictRule = {
  id: 'race-retried-only',
  verdict: 'keepalive-race',
  summary: 'No 5xx reached clients, but several race-shaped upstream failures were retried and hidden',
  apply(e) {
    const { totals } = e;
    if (totals.fiveXx > 0 || totals.hiddenRaces < MIN_RACE_FAILURES) return null;
    return {
      code: 'race-retried-only',
      message: `No 5xx reached clients in ${totals.requests} requests, but ${totals.hiddenRaces} upstream connections closed under a request before any response byte and were retried: the keep-alive race is present and masked by retries.`,
      examples: [
        ...e.pairRefs((r) => r.retried === true, 2),
        ...e.refs(['retried', 'event|upstream-closed-reused-connection']),
      ].slice(0, 4),
    };
  },
};
