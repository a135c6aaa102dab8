import { type Rule, usable } from './context.js';

/** A server that closes after every response (or a client that never reuses) cannot race. */
export const keepaliveDisabled: Rule = {
  id: 'keepalive-disabled',
  severity: 'note',
  title: 'Keep-alive is off on one side: connections are not reused, so this race cannot happen',
  check({ hop, serverFact, clientFact }) {
    return [
      [serverFact, 'server'],
      [clientFact, 'client'],
    ]
      .filter(
        ([f]) =>
          usable(f as typeof serverFact) && (f as NonNullable<typeof serverFact>).value.type === 'disabled',
      )
      .map(([fact, side]) => ({
        id: 'keepalive-disabled' as const,
        severity: 'note' as const,
        hopIndex: hop.index,
        numbers: {},
        facts: [fact as NonNullable<typeof serverFact>],
        details: { side: side as string },
      }));
  },
};
