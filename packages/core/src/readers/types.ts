import type { Fact } from '../facts.js';
import type { HopRole } from '../kb/index.js';

/** Text in, facts out: every config reader is a pure function of a file's text. */
export interface ReaderInput {
  readonly text: string;
  /** The file's name as shown in provenance (`nginx.conf`, `k8s/deploy.yaml`, `(stdin)`). */
  readonly file: string;
  /** Other files the reader may need (nginx `include`): resolved by the caller, keyed by path. */
  readonly includes?: ReadonlyMap<string, string> | undefined;
  /**
   * What each include pattern matched, keyed by `includeKey(file, pattern)`: the files, sorted, as
   * keys of `includes`. A pattern absent here was not expanded (the caller could not glob).
   */
  readonly includeMatches?: ReadonlyMap<string, readonly string[]> | undefined;
  /** Product version when the caller knows it (`nginx@1.30.0`): defaults that changed between versions. */
  readonly version?: string | undefined;
  /** A structured form of `text` the caller parsed for the reader (HCL → JSON, see `ConfigReader.preparse`). */
  readonly parsed?: unknown;
}

export interface ReaderDiagnostic {
  readonly severity: 'error' | 'warning';
  readonly message: string;
  readonly file: string;
  readonly line?: number | undefined;
  readonly field?: string | undefined;
  /** The side (by name) the problem is about; absent: the whole file, every side. */
  readonly side?: string | undefined;
}

/** One side a file describes: an nginx upstream, an HAProxy backend, a gunicorn command line. */
export interface ReadSide {
  readonly role: HopRole;
  /** Name inside the file (`upstream app`, `backend be`, `cluster svc`, container name). */
  readonly name: string;
  readonly label: string;
  readonly product?: string | undefined;
  readonly facts: readonly Fact[];
  /** Addresses or names this side routes to or listens on, for pairing sides in `scan`. */
  readonly targets?: readonly string[] | undefined;
}

export interface ReaderResult {
  readonly sides: readonly ReadSide[];
  /** A file that does not parse is a diagnostic with file:line, never a thrown error. */
  readonly diagnostics: readonly ReaderDiagnostic[];
}

export interface ConfigReader {
  /** Also the source kind: `nginx` → `nginx:PATH`. */
  readonly id: string;
  readonly summary: string;
  readonly roles: readonly HopRole[];
  /** For `scan`: does this file look like one this reader understands? */
  detect?(file: string, text: string): boolean;
  /**
   * Paths or globs this file pulls in (nginx `include`), relative paths resolved against the file's
   * folder by the caller, which reads them and passes them back in `ReaderInput.includes`.
   */
  includes?(file: string, text: string): string[];
  /**
   * The caller parses some files into `ReaderInput.parsed` first, with a parser the pure core does
   * not carry: `hcl` for `.tf` files (HCL → JSON), `toml` for `.toml` files.
   */
  readonly preparse?: 'hcl' | 'toml' | undefined;
  /** The locator may be an http(s) URL (Envoy admin `/config_dump`), fetched by the caller. */
  readonly readsUrls?: boolean | undefined;
  /** File names to take when the source is a folder (`k8s:manifests/`); default: every file. */
  readonly folderFiles?: RegExp | undefined;
  read(input: ReaderInput): ReaderResult;
  /** Several files at once (a folder): a reader that joins across files (k8s ConfigMaps) sets this. */
  readMany?(inputs: readonly ReaderInput[]): ReaderResult;
}

/** Key of `ReaderInput.includeMatches`: the including file and the pattern as written. */
export function includeKey(file: string, pattern: string): string {
  return `${file}\u0000${pattern}`;
}

/** Marks the diagnostics added since `from` as being about the side `name` (see `ReaderDiagnostic.side`). */
export function tagDiagnostics(diagnostics: ReaderDiagnostic[], from: number, name: string): void {
  for (let i = from; i < diagnostics.length; i++) {
    const d = diagnostics[i]!;
    if (d.side === undefined) diagnostics[i] = { ...d, side: name };
  }
}
