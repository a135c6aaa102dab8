import type { RaceRecord, TimelineEvent } from '../connection.js';
import { round3 } from './idle-stats.js';
import { type EvidenceFindingDefinition, isoMicros } from './types.js';

/** Races listed in full; beyond this they are counted only. */
const MAX_LISTED = 1000;

export interface RaceEntry {
  /** `client:port>server:port`. */
  readonly connection: string;
  readonly server: string;
  readonly requestAt: string;
  readonly idleBeforeRequestMs: number | null;
  readonly serverFinBeforeRequestMs: number | null;
  /** `rst`: the server reset the request; `fin-then-rst`: FIN crossed the request, then RST; `response`: it answered anyway; `nothing-captured`. */
  readonly answer: RaceRecord['answer'];
  readonly requestsBefore: number;
}

export interface RaceResult {
  readonly total: number;
  readonly listed: readonly RaceEntry[];
  /** Packets of the first race's connection (when the tracker kept timelines). */
  readonly timeline: {
    readonly connection: string;
    readonly events: readonly (TimelineEvent & { at: string })[];
  } | null;
}

export const raceFinding: EvidenceFindingDefinition<RaceResult> = {
  id: 'keepalive-race',
  title: 'The race: a request crossed the server’s idle close',
  summary:
    'The client (the proxy) sent request bytes after the server’s FIN on an idle connection, or the server answered a request on a reused idle connection with RST.',
  create() {
    let total = 0;
    const listed: RaceEntry[] = [];
    let timeline: RaceResult['timeline'] = null;
    return {
      add(summary) {
        for (const race of summary.races) {
          total++;
          if (listed.length < MAX_LISTED)
            listed.push({
              connection: race.connection,
              server: race.server,
              requestAt: isoMicros(race.requestAtUs),
              idleBeforeRequestMs:
                race.idleBeforeRequestMs === null ? null : round3(race.idleBeforeRequestMs),
              serverFinBeforeRequestMs:
                race.serverFinBeforeRequestMs === null ? null : round3(race.serverFinBeforeRequestMs),
              answer: race.answer,
              requestsBefore: race.requestsBefore,
            });
          if (timeline === null && race.timeline)
            timeline = {
              connection: race.connection,
              events: race.timeline.map((e) => ({ ...e, at: isoMicros(e.timeUs) })),
            };
        }
      },
      result: () => ({
        total,
        listed: [...listed].sort((a, b) =>
          a.requestAt < b.requestAt ? -1 : a.requestAt > b.requestAt ? 1 : 0,
        ),
        timeline,
      }),
    };
  },
};
