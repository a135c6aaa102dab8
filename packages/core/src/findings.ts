import type { Fact } from './facts.js';

export type Severity = 'error' | 'warning' | 'note';

/** Stable kebab-case rule ids; each has a page at docs/rules/<id>.md. */
export type RuleId =
  | 'keepalive-below-pool-idle'
  | 'margin-too-thin'
  | 'unbounded-pool-bounded-server'
  | 'value-from-default'
  | 'suspected-unit-mistake'
  | 'headers-timeout-not-above-keepalive'
  | 'other-connection-limits'
  | 'keepalive-disabled'
  | 'value-unknown'
  | 'out-of-scope'
  | 'config-unreadable';

/** One way to make a hop hold, written for the product involved. */
export interface Fix {
  readonly side: 'server' | 'client';
  readonly action: 'raise-server-keepalive' | 'lower-pool-idle';
  /** Target value: at least this (raise) or at most this (lower). */
  readonly targetMs: number | null;
  readonly product?: string | undefined;
  readonly setting?: string | undefined;
  /** Ready-to-use configuration or command. */
  readonly text: string;
  /** False when the product cannot be set that way (fixed platform value, below its minimum). */
  readonly possible: boolean;
  readonly reason?: string | undefined;
}

/** A finding is data; text is rendered from it (see messages.ts). */
export interface Finding {
  readonly id: RuleId;
  readonly severity: Severity;
  readonly hopIndex: number;
  /** Numbers behind the finding; durations are integers in fields named `...Ms`. */
  readonly numbers: Readonly<Record<string, number>>;
  /** The facts the finding is about. */
  readonly facts: readonly Fact[];
  readonly fixes?: readonly Fix[] | undefined;
  /** Free details that the message renderer uses (product names, settings). */
  readonly details?: Readonly<Record<string, string>> | undefined;
}
