import type { IdleDistribution } from './idle-stats.js';
import { IdleStats, round3 } from './idle-stats.js';
import type { EvidenceFindingDefinition } from './types.js';

export interface ServerMeasurement {
  /** `10.0.3.7:8080`. */
  readonly address: string;
  /** Server-initiated closes of idle connections (its keep-alive timeout firing). */
  readonly idleCloses: number;
  readonly idleCloseMs: IdleDistribution | null;
  readonly closedWith: { readonly fin: number; readonly rst: number };
  /** Clients closed first: the server kept idle connections open at least this long (lower bound). */
  readonly keptIdleAtLeastMs: number | null;
  /** False when the sample was thinned (over 100,000 closes): the median is then an estimate. */
  readonly exact: boolean;
  readonly histogram: readonly { fromMs: number; toMs: number; count: number }[];
}

export const serverKeepAliveFinding: EvidenceFindingDefinition<ServerMeasurement[]> = {
  id: 'server-keepalive-measured',
  title: 'Server keep-alive, measured',
  summary:
    'The idle time before every server-initiated close of an idle connection: the server’s real keep-alive timeout, per server address.',
  create() {
    const servers = new Map<string, { stats: IdleStats; keptAtLeast: number }>();
    const entry = (address: string) => {
      let found = servers.get(address);
      if (!found) {
        found = { stats: new IdleStats(), keptAtLeast: -1 };
        servers.set(address, found);
      }
      return found;
    };
    return {
      add(summary) {
        if (summary.idleMs === null) return;
        if (summary.kind === 'server-idle') entry(summary.server).stats.add(summary.idleMs, summary.how);
        else if (summary.kind === 'client-idle') {
          const e = entry(summary.server);
          e.keptAtLeast = Math.max(e.keptAtLeast, summary.idleMs);
        }
      },
      result: () =>
        [...servers.entries()]
          .sort(([a], [b]) => (a < b ? -1 : 1))
          .map(([address, { stats, keptAtLeast }]) => ({
            address,
            idleCloses: stats.count,
            idleCloseMs: stats.distribution(),
            closedWith: { fin: stats.fin, rst: stats.rst },
            keptIdleAtLeastMs: keptAtLeast >= 0 ? round3(keptAtLeast) : null,
            exact: stats.exact,
            histogram: stats.histogram(),
          })),
    };
  },
};
