import type { VerdictRule } from './types.js';

/** "One cause hides another": the race verdict plus the target's own, unrelated errors. */
export const independentTargetErrors: VerdictRule = {
  id: 'independent-target-errors',
  verdict: null,
  summary: 'With a race verdict: target 5xx that do not track the race failures, a second problem',
  apply(e, decided) {
    if (decided !== 'keepalive-race' || e.totals.target5xx === 0) return null;
    const { targetKnown, targetInZone } = e.gaps;
    return {
      code: 'independent-target-errors',
      message: `Second finding: the target also generated ${e.totals.target5xx} 5xx of its own${targetKnown > 0 ? ` (${targetInZone} of ${targetKnown} with a known gap sit where the race failures sit; the rest came on busy connections)` : ''}. They do not track the race failures: a separate application problem that remains after the keep-alive fix.`,
      examples: e.refs(e.keyOf((r) => r.generator === 'target')),
    };
  },
};
