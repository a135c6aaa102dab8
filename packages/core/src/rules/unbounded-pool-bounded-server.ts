import { durationMs, type Rule, usable } from './context.js';
import { lowerPoolFix } from './fixes.js';

/** A pool that never expires idle connections will outlive any bounded server keep-alive. */
export const unboundedPoolBoundedServer: Rule = {
  id: 'unbounded-pool-bounded-server',
  severity: 'error',
  title: 'A client pool with no idle expiry against a server with a bounded keep-alive always races',
  check({ hop, serverFact, clientFact, marginMs }) {
    const serverMs = durationMs(serverFact);
    if (serverMs === undefined || !usable(clientFact) || clientFact.value.type !== 'unbounded') return [];
    return [
      {
        id: 'unbounded-pool-bounded-server',
        severity: 'error',
        hopIndex: hop.index,
        numbers: { serverKeepAliveMs: serverMs, marginMs },
        facts: [serverFact!, clientFact],
        fixes: [lowerPoolFix(hop.client, serverMs - marginMs)],
      },
    ];
  },
};
