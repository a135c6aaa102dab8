import type { Finding } from '../findings.js';
import { factsOf } from '../hops.js';
import { type Rule, usable } from './context.js';

/**
 * The idle rule makes the race rare, not impossible: max requests per connection, a connection
 * lifetime and a delayed close also end connections. Shown as notes when known.
 */
export const otherConnectionLimits: Rule = {
  id: 'other-connection-limits',
  severity: 'note',
  title:
    'Other limits also close connections: max requests per connection, connection lifetime, delayed close',
  check({ hop }) {
    const findings: Finding[] = [];
    for (const [sideName, side] of [
      ['server', hop.server],
      ['client', hop.client],
    ] as const) {
      for (const subject of [
        'max-requests-per-connection',
        'connection-lifetime',
        'keepalive-close-delay',
      ] as const) {
        for (const fact of factsOf(side, subject)) {
          if (!usable(fact) || fact.value.type === 'unbounded' || fact.value.type === 'disabled') continue;
          const numbers: Record<string, number> =
            fact.value.type === 'count'
              ? { count: fact.value.count }
              : fact.value.type === 'duration'
                ? { valueMs: fact.value.ms }
                : {};
          findings.push({
            id: 'other-connection-limits',
            severity: 'note',
            hopIndex: hop.index,
            numbers,
            facts: [fact],
            details: { side: sideName, subject },
          });
        }
      }
    }
    return findings;
  },
};
