import type { Fact } from '../facts.js';
import type { Finding } from '../findings.js';
import { durationMs, type Rule } from './context.js';

function isMilliseconds(fact: Fact): boolean {
  return /^milli/.test(fact.unit ?? '');
}
function isSeconds(fact: Fact): boolean {
  return /^seconds/.test(fact.unit ?? '');
}

/**
 * A value that looks like it was written in the wrong unit: a Node `keepAliveTimeout` of `65`
 * (65 ms) next to a load balancer timeout in seconds, or a setting in seconds holding a number
 * that only makes sense as milliseconds.
 */
export const suspectedUnitMistake: Rule = {
  id: 'suspected-unit-mistake',
  severity: 'warning',
  title: 'A value looks like it was written in the wrong unit',
  check({ hop, serverFact, clientFact }) {
    const findings: Finding[] = [];
    const serverMs = durationMs(serverFact);
    const clientMs = durationMs(clientFact);
    for (const [fact, ms, other] of [
      [serverFact, serverMs, clientMs],
      [clientFact, clientMs, serverMs],
    ] as const) {
      if (!fact || ms === undefined) continue;
      if (isMilliseconds(fact) && ms > 0 && ms < 1000 && (other === undefined || other >= 1000)) {
        findings.push({
          id: 'suspected-unit-mistake',
          severity: 'warning',
          hopIndex: hop.index,
          numbers: { valueMs: ms, ifSecondsMs: ms * 1000 },
          facts: [fact],
          details: { writtenUnit: 'milliseconds', likelyUnit: 'seconds' },
        });
      } else if (isSeconds(fact) && ms >= 10_000_000 && (other === undefined || other < ms / 100)) {
        findings.push({
          id: 'suspected-unit-mistake',
          severity: 'warning',
          hopIndex: hop.index,
          numbers: { valueMs: ms, ifMillisecondsMs: Math.round(ms / 1000) },
          facts: [fact],
          details: { writtenUnit: 'seconds', likelyUnit: 'milliseconds' },
        });
      }
    }
    return findings;
  },
};
