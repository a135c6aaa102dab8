import { type Rule, usable } from './context.js';

/** A side whose value is unset or unverified: the hop cannot be judged (verdict `unknown`). */
export const valueUnknown: Rule = {
  id: 'value-unknown',
  severity: 'note',
  title: 'A value is unknown or unverified, so the hop cannot be judged',
  check({ hop, serverFact, clientFact }) {
    return [
      [serverFact, 'server'],
      [clientFact, 'client'],
    ]
      .filter(([f]) => !usable(f as typeof serverFact))
      .map(([fact, side]) => ({
        id: 'value-unknown' as const,
        severity: 'note' as const,
        hopIndex: hop.index,
        numbers: {},
        facts: fact ? [fact as NonNullable<typeof serverFact>] : [],
        details: {
          side: side as string,
          reason: !fact
            ? 'missing'
            : (fact as NonNullable<typeof serverFact>).value.type === 'unset'
              ? 'unset'
              : 'unverified',
        },
      }));
  },
};
