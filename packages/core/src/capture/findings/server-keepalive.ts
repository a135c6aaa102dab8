import { type AddressIdleCloses, idleClosesByAddress } from './idle-stats.js';
import type { EvidenceFindingDefinition } from './types.js';

export interface ServerMeasurement extends Omit<AddressIdleCloses, 'boundMs'> {
  /** `10.0.3.7:8080`; `idleCloses`: server-initiated closes of idle connections. */
  readonly address: string;
  /** Clients closed first: the server kept idle connections open at least this long (lower bound). */
  readonly keptIdleAtLeastMs: number | null;
}

export const serverKeepAliveFinding: EvidenceFindingDefinition<ServerMeasurement[]> = {
  id: 'server-keepalive-measured',
  title: 'Server keep-alive, measured',
  summary:
    'The idle time before every server-initiated close of an idle connection: the server’s real keep-alive timeout, per server address.',
  create() {
    const closes = idleClosesByAddress('server-idle', (s) => s.server);
    return {
      add: closes.add,
      result: () => closes.result().map(({ boundMs, ...rest }) => ({ ...rest, keptIdleAtLeastMs: boundMs })),
    };
  },
};
