import type { DurationUnit } from '../duration/syntaxes.js';
import type { Fact } from '../facts.js';
import type { HopRole } from '../kb/index.js';
import type { ReaderDiagnostic } from '../readers/types.js';
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
  /** All of standard input as text (`nginx:-`). */
  readStdin?(): Promise<string>;
  /** Files under a folder (recursive, sorted), or null when `path` is not a folder. */
  listFolder?(path: string): Promise<string[] | null>;
  /** Files matching a glob (`conf.d/*.conf`), relative patterns resolved against `baseDir`; sorted. */
  expandGlob?(pattern: string, baseDir: string): Promise<string[]>;
  /** GET a URL and return the body (Envoy admin `/config_dump`). */
  fetchText?(url: string): Promise<string>;
  /** HCL text → its JSON form (@cdktf/hcl2json); throws a KeepaliveParityError naming the file on bad HCL. */
  parseHcl?(text: string, file: string): Promise<unknown>;
  /** TOML text → plain data (smol-toml); throws a KeepaliveParityError naming file and line. */
  parseToml?(text: string, file: string): Promise<unknown>;
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
  /**
   * Diagnostics that are not fatal (a directive that could not be read, an ignored value). A reader
   * diagnostic keeps its file:line; `check` shows each as a `config-unreadable` finding, and an
   * error-severity one makes the hop's verdict `unknown` rather than `holds`.
   */
  readonly diagnostics?: readonly (string | ReaderDiagnostic)[] | undefined;
}

export interface SourceKindDefinition {
  readonly kind: string;
  /** Which sides of a hop this source can describe. */
  readonly roles: readonly HopRole[];
  readonly summary: string;
  readonly example: string;
  resolve(request: SourceRequest, io: SourceIo): Promise<ResolvedSide[]>;
}
