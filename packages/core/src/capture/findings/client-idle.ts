import type { IdleDistribution } from './idle-stats.js';
import { IdleStats, round3 } from './idle-stats.js';
import type { EvidenceFindingDefinition } from './types.js';

export interface ClientMeasurement {
  /** The client's address (a pool uses many source ports). */
  readonly address: string;
  /** Client-initiated closes of idle connections (its pool idle timeout firing). */
  readonly idleCloses: number;
  readonly idleCloseMs: IdleDistribution | null;
  readonly closedWith: { readonly fin: number; readonly rst: number };
  /** Servers closed first: the client held idle connections at least this long (lower bound). */
  readonly heldIdleAtLeastMs: number | null;
  readonly exact: boolean;
  readonly histogram: readonly { fromMs: number; toMs: number; count: number }[];
}

export const clientIdleFinding: EvidenceFindingDefinition<ClientMeasurement[]> = {
  id: 'client-pool-idle-measured',
  title: 'Client pool idle, measured',
  summary:
    'The idle time before every client-initiated close of an idle connection: the proxy’s or HTTP client’s real pool idle timeout, per client address.',
  create() {
    const clients = new Map<string, { stats: IdleStats; heldAtLeast: number }>();
    const entry = (address: string) => {
      let found = clients.get(address);
      if (!found) {
        found = { stats: new IdleStats(), heldAtLeast: -1 };
        clients.set(address, found);
      }
      return found;
    };
    return {
      add(summary) {
        if (summary.idleMs === null) return;
        if (summary.kind === 'client-idle') entry(summary.clientHost).stats.add(summary.idleMs, summary.how);
        else if (summary.kind === 'server-idle') {
          const e = entry(summary.clientHost);
          e.heldAtLeast = Math.max(e.heldAtLeast, summary.idleMs);
        }
      },
      result: () =>
        [...clients.entries()]
          .sort(([a], [b]) => (a < b ? -1 : 1))
          .map(([address, { stats, heldAtLeast }]) => ({
            address,
            idleCloses: stats.count,
            idleCloseMs: stats.distribution(),
            closedWith: { fin: stats.fin, rst: stats.rst },
            heldIdleAtLeastMs: heldAtLeast >= 0 ? round3(heldAtLeast) : null,
            exact: stats.exact,
            histogram: stats.histogram(),
          })),
    };
  },
};
