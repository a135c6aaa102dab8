import type { Fact } from '../facts.js';
import type { HopRole } from '../kb/index.js';

/** Text in, facts out: every config reader is a pure function of a file's text. */
export interface ReaderInput {
  readonly text: string;
  /** The file's name as shown in provenance (`nginx.conf`, `k8s/deploy.yaml`, `(stdin)`). */
  readonly file: string;
  /** Other files the reader may need (nginx `include`): resolved by the caller, keyed by path. */
  readonly includes?: ReadonlyMap<string, string> | undefined;
}

export interface ReaderDiagnostic {
  readonly severity: 'error' | 'warning';
  readonly message: string;
  readonly file: string;
  readonly line?: number | undefined;
  readonly field?: string | undefined;
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
  read(input: ReaderInput): ReaderResult;
}
