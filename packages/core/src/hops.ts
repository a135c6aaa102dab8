import type { Fact, FactSubject } from './facts.js';
import type { ReaderDiagnostic } from './readers/types.js';

/** One side of a hop: the facts known about it and a label for people. */
export interface HopSide {
  /** `ALB upstream pool`, `gunicorn`, `nginx upstream app`. */
  readonly label: string;
  /** Knowledge-base product id, when known. */
  readonly product?: string | undefined;
  readonly facts: readonly Fact[];
  /** What the side's source was, as the user wrote it (`runtime:gunicorn`, `60s`). */
  readonly source?: string | undefined;
  /** What the side's reader could not read (a config that does not parse), with file:line. */
  readonly diagnostics?: readonly ReaderDiagnostic[] | undefined;
}

/**
 * A hop: a client-side pool (load balancer, proxy, HTTP client) reusing keep-alive connections to
 * a server. The rule holds per hop: `server keep-alive >= client pool idle + margin`.
 */
export interface Hop {
  readonly index: number;
  readonly name: string;
  readonly client: HopSide;
  readonly server: HopSide;
  /** Margin for this hop, in ms. */
  readonly marginMs: number;
}

export function factOf(side: HopSide, subject: FactSubject): Fact | undefined {
  return side.facts.find((f) => f.subject === subject);
}

export function factsOf(side: HopSide, subject: FactSubject): Fact[] {
  return side.facts.filter((f) => f.subject === subject);
}
