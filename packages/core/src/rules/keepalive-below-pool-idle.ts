import { durationMs, type Rule } from './context.js';
import { lowerPoolFix, raiseServerFix } from './fixes.js';

/** The parity inequality: server keep-alive >= client pool idle + margin. */
export const keepaliveBelowPoolIdle: Rule = {
  id: 'keepalive-below-pool-idle',
  severity: 'error',
  title: 'The server keep-alive must be at least the client pool idle timeout plus the margin',
  check({ hop, serverFact, clientFact, marginMs }) {
    const serverMs = durationMs(serverFact);
    const clientMs = durationMs(clientFact);
    if (serverMs === undefined || clientMs === undefined) return [];
    const requiredMs = clientMs + marginMs;
    if (serverMs >= requiredMs) return [];
    return [
      {
        id: 'keepalive-below-pool-idle',
        severity: 'error',
        hopIndex: hop.index,
        numbers: {
          serverKeepAliveMs: serverMs,
          clientIdleMs: clientMs,
          marginMs,
          requiredMs,
          shortByMs: requiredMs - serverMs,
        },
        facts: [serverFact!, clientFact!],
        fixes: [raiseServerFix(hop.server, requiredMs), lowerPoolFix(hop.client, serverMs - marginMs)],
      },
    ];
  },
};
