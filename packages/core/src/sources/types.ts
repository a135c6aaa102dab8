import type { DurationUnit } from '../duration/syntaxes.js';
import type { Fact } from '../facts.js';
import type { HopRole } from '../kb/index.js';
import type { SourceSpec } from './spec.js';

/**
 * The I/O a source may need, injected by the caller (the CLI) so the core stays pure.
 * Later readers add members here (live AWS calls, the probe); a source that needs a member the
 * caller did not provide fails with `KAP_SOURCE_UNAVAILABLE`.
 */
export interface SourceIo {
  getEnv?(name: string): string | undefined;
  readTextFile?(path: string): Promise<string>;
  /** The current time as ISO-8601, for provenance of measurements and live reads. */
  now?(): string;
  // biome-ignore lint/suspicious/noExplicitAny: extension point for later readers
  readonly [extension: string]: any;
}

export interface SourceRequest {
  readonly spec: SourceSpec;
  readonly role: HopRole;
  /** The flag or hops-file field it came from (`--backend`, `hops.yaml:12 server`). */
  readonly field: string;
  /** Unit of a bare number (`--backend-unit s`). */
  readonly unit?: DurationUnit | undefined;
  /** Product the value belongs to (`--backend-product gunicorn`), for fixes and unit syntax. */
  readonly product?: string | undefined;
  /** False in `assert` unless `--allow-default`: a knowledge-base default is then an error. */
  readonly allowDefault: boolean;
}

/** One side resolved from a source. A file may hold several (one per upstream). */
export interface ResolvedSide {
  readonly label: string;
  readonly product?: string | undefined;
  readonly facts: readonly Fact[];
  readonly source: string;
  /** Diagnostics that are not fatal (a directive that could not be read, an ignored value). */
  readonly diagnostics?: readonly string[] | undefined;
}

export interface SourceKindDefinition {
  readonly kind: string;
  /** Which sides of a hop this source can describe. */
  readonly roles: readonly HopRole[];
  readonly summary: string;
  readonly example: string;
  resolve(request: SourceRequest, io: SourceIo): Promise<ResolvedSide[]>;
}
