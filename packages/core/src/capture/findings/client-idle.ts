import { type AddressIdleCloses, idleClosesByAddress } from './idle-stats.js';
import type { EvidenceFindingDefinition } from './types.js';

export interface ClientMeasurement extends Omit<AddressIdleCloses, 'boundMs'> {
  /** The client's address (a pool uses many source ports); `idleCloses`: client-initiated closes. */
  readonly address: string;
  /** Servers closed first: the client held idle connections at least this long (lower bound). */
  readonly heldIdleAtLeastMs: number | null;
}

export const clientIdleFinding: EvidenceFindingDefinition<ClientMeasurement[]> = {
  id: 'client-pool-idle-measured',
  title: 'Client pool idle, measured',
  summary:
    'The idle time before every client-initiated close of an idle connection: the proxy’s or HTTP client’s real pool idle timeout, per client address.',
  create() {
    const closes = idleClosesByAddress('client-idle', (s) => s.clientHost);
    return {
      add: closes.add,
      result: () => closes.result().map(({ boundMs, ...rest }) => ({ ...rest, heldIdleAtLeastMs: boundMs })),
    };
  },
};
