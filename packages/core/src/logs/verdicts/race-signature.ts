import { MIN_RACE_FAILURES } from './too-few.js';
import type { VerdictRule } from './types.js';

export const raceSignature: VerdictRule = {
  id: 'race-signature',
  verdict: 'keepalive-race',
  summary:
    'Several LB-generated failures before any response byte, named as such by the log or the joined error log, after idle gaps near one threshold',
  apply(e) {
    const { totals, joinSummary } = e;
    if (e.raceShaped < MIN_RACE_FAILURES || e.raceSignature === 0) return null;
    // Where the log gives idle gaps they must agree. Without them the message alone cannot tell the
    // race from a backend that crashes or restarts before answering ("EOF", "prematurely closed" read
    // the same): then the failures must be joined request by request to the access log's 502s.
    if (e.gaps.raceKnown >= MIN_RACE_FAILURES) {
      if (!e.gapsSupportRace) return null;
    } else if (joinSummary.joinedRaceShaped < MIN_RACE_FAILURES) return null;
    const targetNote = `target 5xx ${totals.target5xx === 0 ? 'zero' : `${totals.target5xx}, not tracking them`}`;
    const joinNote =
      joinSummary.joinedRaceShaped > 0
        ? `; ${joinSummary.joinedRaceShaped} of them joined request by request to their error-log line, which says the upstream closed before the response header`
        : '';
    const gapNote =
      e.gaps.raceKnown > 0
        ? `; ${e.gaps.raceInZone} of ${e.gaps.raceKnown} with a known idle gap sit at or above ${e.gaps.zoneFromMs} ms and ${e.gaps.raceBusy} on busy connections`
        : '; the log has no idle gaps to check (no target address or request time), so the per-request join decides';
    return {
      code: 'race-signature',
      message: `${e.raceShaped} ${e.eventsOnly ? 'upstream errors in the error log' : 'LB-generated failures before any response byte'} (${totals.raceEvidence} logged with the "upstream closed a reused connection" signature${joinNote}${gapNote}), ${targetNote}: the backend closed pooled keep-alive connections the proxy was reusing.`,
      examples: [
        ...e.pairRefs(
          (_r, events) => events.some((ev) => ev.cause === 'upstream-closed-reused-connection'),
          2,
        ),
        ...e.refs([...e.raceKeys, 'event|upstream-closed-reused-connection']),
      ].slice(0, 5),
    };
  },
};
