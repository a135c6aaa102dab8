import type { Fact } from '../facts.js';
import type { Finding } from '../findings.js';
import type { Hop } from '../hops.js';

export const DEFAULT_MARGIN_MS = 5000;
/** Below this much real headroom the margin is flagged as not enough, whatever `--margin` says. */
export const MIN_SAFE_HEADROOM_MS = 1000;

/** What a rule sees: the hop and its two primary facts, already picked. */
export interface RuleContext {
  readonly hop: Hop;
  readonly serverFact: Fact | undefined;
  readonly clientFact: Fact | undefined;
  readonly marginMs: number;
}

export interface Rule {
  readonly id: Finding['id'];
  readonly severity: Finding['severity'];
  /** One line for docs and `--help`. */
  readonly title: string;
  check(context: RuleContext): Finding[];
}

export function usable(fact: Fact | undefined): fact is Fact {
  if (!fact) return false;
  if (fact.provenance.kind === 'knowledge-base' && !fact.provenance.verified) return false;
  return fact.value.type !== 'unset';
}

export function durationMs(fact: Fact | undefined): number | undefined {
  return usable(fact) && fact.value.type === 'duration' ? fact.value.ms : undefined;
}
