import { evaluateHop, type Verdict } from '../../evaluate.js';
import type { Hop } from '../../hops.js';
import { IdleStats, round3 } from './idle-stats.js';
import {
  clientIsLowerBound,
  lowerBoundDiagnostic,
  measuredClientFact,
  measuredServerFact,
} from './measured-facts.js';
import type { EvidenceFindingDefinition } from './types.js';

export interface HopEntry {
  /** Client address (host) → server address (host:port). */
  readonly client: string;
  readonly server: string;
  readonly serverKeepAliveMs: number | null;
  readonly clientIdleMs: number | null;
  readonly marginMs: number;
  readonly verdict: Verdict;
  /** Ids of the rules that fired (as in `check --json`). */
  readonly findings: readonly string[];
  /** How each value was obtained (measured, lower bound, not measured). */
  readonly notes: readonly string[];
}

/** The rule of `check` (packages/core rules, via evaluateHop) on the two values measured per hop. */
export const hopVerdictFinding: EvidenceFindingDefinition<HopEntry[]> = {
  id: 'hop-verdict',
  title: 'Hop verdict from the measured values',
  summary: 'server keep-alive >= client pool idle + margin, judged by the same rules and margin as check.',
  create(options) {
    const pairs = new Map<
      string,
      { client: string; server: string; serverIdle: IdleStats; clientIdle: IdleStats }
    >();
    return {
      add(summary) {
        if (summary.idleMs === null || (summary.kind !== 'server-idle' && summary.kind !== 'client-idle'))
          return;
        const key = `${summary.clientHost}>${summary.server}`;
        let pair = pairs.get(key);
        if (!pair) {
          pair = {
            client: summary.clientHost,
            server: summary.server,
            serverIdle: new IdleStats(),
            clientIdle: new IdleStats(),
          };
          pairs.set(key, pair);
        }
        (summary.kind === 'server-idle' ? pair.serverIdle : pair.clientIdle).add(summary.idleMs, summary.how);
      },
      result: () =>
        [...pairs.values()]
          .sort((a, b) =>
            a.client === b.client ? (a.server < b.server ? -1 : 1) : a.client < b.client ? -1 : 1,
          )
          .map((pair, index) => {
            const from = `packet capture, ${pair.client} → ${pair.server}`;
            const serverFact = measuredServerFact(
              {
                idleCloses: pair.serverIdle.count,
                idleCloseMs: pair.serverIdle.distribution(),
                keptIdleAtLeastMs: pair.clientIdle.count > 0 ? round3(pair.clientIdle.max) : null,
              },
              from,
            );
            const clientMeasured = {
              idleCloses: pair.clientIdle.count,
              idleCloseMs: pair.clientIdle.distribution(),
              heldIdleAtLeastMs: pair.serverIdle.count > 0 ? round3(pair.serverIdle.max) : null,
            };
            const clientFact = measuredClientFact(clientMeasured, from);
            const clientDiagnostics = clientIsLowerBound(clientMeasured)
              ? [lowerBoundDiagnostic('capture', clientMeasured.heldIdleAtLeastMs ?? 0)]
              : undefined;
            const hop: Hop = {
              index,
              name: `${pair.client} → ${pair.server}`,
              client: {
                label: pair.client,
                facts: [clientFact],
                source: 'capture',
                diagnostics: clientDiagnostics,
              },
              server: { label: pair.server, facts: [serverFact], source: 'capture' },
              marginMs: options.marginMs,
            };
            const evaluation = evaluateHop(hop);
            return {
              client: pair.client,
              server: pair.server,
              serverKeepAliveMs: evaluation.serverKeepAliveMs,
              clientIdleMs: evaluation.clientIdleMs,
              marginMs: options.marginMs,
              verdict: evaluation.verdict,
              findings: [...new Set(evaluation.findings.map((f) => f.id))],
              notes: [...(clientFact.notes ?? []), ...(serverFact.notes ?? [])],
            };
          }),
    };
  },
};
