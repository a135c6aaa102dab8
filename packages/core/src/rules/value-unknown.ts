import type { Fact } from '../facts.js';
import type { Finding } from '../findings.js';
import { type Rule, usable } from './context.js';

function reasonOf(fact: Fact | undefined): 'missing' | 'unverified' | 'unset' {
  if (!fact) return 'missing';
  if (fact.provenance.kind === 'knowledge-base' && !fact.provenance.verified) return 'unverified';
  return 'unset';
}

/** A side whose value is unset or unverified: the hop cannot be judged (verdict `unknown`). */
export const valueUnknown: Rule = {
  id: 'value-unknown',
  severity: 'note',
  title: 'A value is unknown or unverified, so the hop cannot be judged',
  check({ hop, serverFact, clientFact }) {
    const findings: Finding[] = [];
    for (const [fact, side] of [
      [serverFact, 'server'],
      [clientFact, 'client'],
    ] as const) {
      if (usable(fact)) continue;
      findings.push({
        id: 'value-unknown',
        severity: 'note',
        hopIndex: hop.index,
        numbers: {},
        facts: fact ? [fact] : [],
        details: { side, reason: reasonOf(fact) },
      });
    }
    return findings;
  },
};
