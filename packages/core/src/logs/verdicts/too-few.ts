import type { VerdictRule } from './types.js';

/** One or two race-shaped lines are not a pattern: a crash or a deploy makes them too. */
export const MIN_RACE_FAILURES = 3;

export const tooFew: VerdictRule = {
  id: 'too-few',
  verdict: 'inconclusive',
  summary: 'Race-shaped failures, but too few or not idle-shaped enough to call',
  apply(e) {
    const n = Math.max(e.raceShaped, e.totals.hiddenRaces);
    if (n === 0) return null;
    const why =
      n < MIN_RACE_FAILURES
        ? `Only ${n} race-shaped failure${n === 1 ? '' : 's'} (before any response byte): too few to tell the race from a crash or a restart.`
        : e.gaps.raceKnown < MIN_RACE_FAILURES
          ? `${n} race-shaped failures, but the log gives no idle gap before them (no upstream address or request time): the message, and a per-request join to it, read the same for the race and for a backend that crashes or restarts before answering.`
          : `${n} race-shaped failures, but they do not sit after idle gaps near one threshold (${e.gaps.raceInZone} of ${e.gaps.raceKnown} with a known gap do, ${e.gaps.raceBusy} on busy connections).`;
    return {
      code: 'too-few',
      message: `${why} Collect next: a longer period of the same log; the proxy's access log and error log for the same period; a log format with upstream timing ($upstream_connect_time, $upstream_header_time, $request_time); the backend's own log for these request times (did a handler run?); or run \`keepalive-parity lab\`.`,
      examples: e.refs([...e.raceKeys, 'retried', 'event|upstream-closed-reused-connection']),
    };
  },
};
