import { factOf } from '../hops.js';
import { durationMs, type Rule } from './context.js';

/**
 * Node's `headersTimeout` (time allowed for a request's headers, counted from the connection's
 * start on some versions) must be above `keepAliveTimeout`, or it closes idle keep-alive
 * sockets early (nodejs/node#27363) and brings the race back after `keepAliveTimeout` was raised.
 */
export const headersTimeoutNotAboveKeepalive: Rule = {
  id: 'headers-timeout-not-above-keepalive',
  severity: 'warning',
  title: "Node's headersTimeout must be above keepAliveTimeout",
  check({ hop, serverFact }) {
    const keepAliveMs = durationMs(serverFact);
    const headers = factOf(hop.server, 'headers-timeout');
    const headersMs = durationMs(headers);
    if (keepAliveMs === undefined || headersMs === undefined || headersMs === 0 || headersMs > keepAliveMs)
      return [];
    return [
      {
        id: 'headers-timeout-not-above-keepalive',
        severity: 'warning',
        hopIndex: hop.index,
        numbers: {
          headersTimeoutMs: headersMs,
          serverKeepAliveMs: keepAliveMs,
          suggestedHeadersTimeoutMs: keepAliveMs + 1000,
        },
        facts: [headers!, serverFact!],
      },
    ];
  },
};
