import { durationMs, MIN_SAFE_HEADROOM_MS, type Rule } from './context.js';
import { lowerPoolFix, raiseServerFix } from './fixes.js';

/**
 * Equal values, or less than 1 s of real headroom, are not enough even when a small `--margin`
 * lets the inequality pass: timer granularity and scheduling jitter eat a sub-second margin.
 */
export const marginTooThin: Rule = {
  id: 'margin-too-thin',
  severity: 'error',
  title:
    'Equal values, or less than 1 s between the server keep-alive and the client idle timeout, are not enough',
  check({ hop, serverFact, clientFact, marginMs }) {
    const serverMs = durationMs(serverFact);
    const clientMs = durationMs(clientFact);
    if (serverMs === undefined || clientMs === undefined) return [];
    if (serverMs < clientMs + marginMs) return []; // the parity rule already reports it
    const headroomMs = serverMs - clientMs;
    if (headroomMs >= MIN_SAFE_HEADROOM_MS) return [];
    return [
      {
        id: 'margin-too-thin',
        severity: 'error',
        hopIndex: hop.index,
        numbers: {
          serverKeepAliveMs: serverMs,
          clientIdleMs: clientMs,
          headroomMs,
          minimumHeadroomMs: MIN_SAFE_HEADROOM_MS,
          marginMs,
        },
        facts: [serverFact!, clientFact!],
        fixes: [
          raiseServerFix(hop.server, clientMs + Math.max(marginMs, MIN_SAFE_HEADROOM_MS)),
          lowerPoolFix(hop.client, serverMs - Math.max(marginMs, MIN_SAFE_HEADROOM_MS)),
        ],
      },
    ];
  },
};
