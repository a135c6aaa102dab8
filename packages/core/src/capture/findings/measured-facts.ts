import type { Fact, Provenance } from '../../facts.js';
import type { ReaderDiagnostic } from '../../readers/types.js';
import type { IdleDistribution } from './idle-stats.js';

/**
 * Facts for the rules from what a capture measured. A capture only ever shows the shorter of the
 * two timeouts on a connection (whichever fires first closes it), so:
 * - server idle closes measure the server's keep-alive (median), and prove the client held idle
 *   connections at least that long: a lower bound for the client's pool idle;
 * - client idle closes measure the client's pool idle, and only give the server a lower bound,
 *   which cannot show the rule holds: the server's value stays unknown, with what to collect.
 */
export interface SideMeasurement {
  readonly idleCloses: number;
  readonly idleCloseMs: IdleDistribution | null;
}

function ms(value: number): { type: 'duration'; ms: number; text: string } {
  return { type: 'duration', ms: Math.round(value), text: `${Number(value.toFixed(1))}ms` };
}

/** The measured median, when the side closed idle connections itself. */
function medianFact(
  subject: 'server-keepalive' | 'pool-idle',
  side: 'server' | 'client',
  measured: SideMeasurement,
  provenance: Provenance,
): Fact | null {
  if (measured.idleCloseMs === null) return null;
  const { min, median, max } = measured.idleCloseMs;
  return {
    subject,
    value: ms(median),
    provenance,
    notes: [
      `measured: median idle time at ${measured.idleCloses} ${side}-initiated close(s), spread ${min}–${max} ms`,
    ],
  };
}

export function measuredServerFact(
  measured: SideMeasurement & { readonly keptIdleAtLeastMs: number | null },
  from: string,
): Fact {
  const provenance = { kind: 'derived' as const, from };
  const fact = medianFact('server-keepalive', 'server', measured, provenance);
  if (fact) return fact;
  return {
    subject: 'server-keepalive',
    value: { type: 'unset' },
    provenance,
    notes: [
      measured.keptIdleAtLeastMs !== null
        ? `not measured: the client always closed first; the server kept idle connections at least ${measured.keptIdleAtLeastMs} ms. Capture a client that idles longer (keepalive-parity probe URL under tcpdump) to measure it`
        : 'not measured: the capture holds no idle close by this server',
    ],
  };
}

export function measuredClientFact(
  measured: SideMeasurement & { readonly heldIdleAtLeastMs: number | null },
  from: string,
): Fact {
  const provenance = { kind: 'derived' as const, from };
  const fact = medianFact('pool-idle', 'client', measured, provenance);
  if (fact) return fact;
  if (measured.heldIdleAtLeastMs !== null) {
    return {
      subject: 'pool-idle',
      value: ms(measured.heldIdleAtLeastMs),
      provenance,
      notes: [
        `lower bound: the client still held idle connections when the server closed them after ${measured.heldIdleAtLeastMs} ms, so its pool idle is at least that`,
      ],
    };
  }
  return {
    subject: 'pool-idle',
    value: { type: 'unset' },
    provenance,
    notes: ['not measured: the capture holds no idle close on this client’s connections'],
  };
}

/**
 * A lower bound can prove a violation (the pool idles at least this long) but never that the rule
 * holds: attached to the side as an error-severity diagnostic, it turns `holds` into `unknown`
 * (evaluate.ts) and leaves `violation` standing.
 */
export function lowerBoundDiagnostic(file: string, boundMs: number): ReaderDiagnostic {
  return {
    severity: 'error',
    message: `only a lower bound was measured (the client pool idle is at least ${boundMs} ms): it can show a violation, not that the rule holds; capture a client idle close to measure it`,
    file,
  };
}

/** True when the client fact is a lower bound rather than a measured median. */
export function clientIsLowerBound(
  measured: SideMeasurement & { readonly heldIdleAtLeastMs: number | null },
): boolean {
  return measured.idleCloseMs === null && measured.heldIdleAtLeastMs !== null;
}
