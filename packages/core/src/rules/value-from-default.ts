import { type Rule, usable } from './context.js';

/** Defaults change between versions and differ between the two sides: say so wherever one is used. */
export const valueFromDefault: Rule = {
  id: 'value-from-default',
  severity: 'warning',
  title: 'A value came from a default, not from configuration',
  check({ hop, serverFact, clientFact }) {
    return [clientFact, serverFact]
      .filter((f) => usable(f) && f.isDefault === true)
      .map((fact) => ({
        id: 'value-from-default' as const,
        severity: 'warning' as const,
        hopIndex: hop.index,
        numbers: (fact!.value.type === 'duration' ? { valueMs: fact!.value.ms } : {}) as Record<
          string,
          number
        >,
        facts: [fact!],
        details: { side: fact === serverFact ? 'server' : 'client' },
      }));
  },
};
