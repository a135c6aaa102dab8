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
    // The idle gaps decide. Without them nothing tells the race from a backend that crashes or
    // restarts before answering: the message ("EOF", "prematurely closed", Apache AH01102) and a
    // per-request join to it (which shows only that the failure came before the response header,
    // not that no handler ran) read the same for both. Then `too-few` says what to collect.
    if (e.gaps.raceKnown < MIN_RACE_FAILURES || !e.gapsSupportRace) return null;
    const targetNote = `target 5xx ${totals.target5xx === 0 ? 'zero' : `${totals.target5xx}, not tracking them`}`;
    const joinNote =
      joinSummary.joinedRaceShaped > 0
        ? `; ${joinSummary.joinedRaceShaped} of them joined request by request to their error-log line, which says the upstream closed before the response header`
        : '';
    const gapNote = `; ${e.gaps.raceInZone} of ${e.gaps.raceKnown} with a known idle gap sit at or above ${e.gaps.zoneFromMs} ms and ${e.gaps.raceBusy} on busy connections`;
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
