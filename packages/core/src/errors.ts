/**
 * Typed errors with stable codes (undici-style). The core never decides exit codes: the CLI entry
 * maps `code` to an exit status. Every error names the input it refused.
 */
export type ErrorCode =
  /** A duration text could not be parsed (bad syntax, negative, overflow, empty, unit missing). */
  | 'KAP_DURATION_INVALID'
  /** A source locator (`kind:locator`) is malformed or names an unknown kind. */
  | 'KAP_SOURCE_INVALID'
  /** A source could not produce the value it was asked for (unset env var, unknown product). */
  | 'KAP_SOURCE_UNAVAILABLE'
  /** A hops file or other structured input is malformed. */
  | 'KAP_INPUT_INVALID'
  /** Command-line usage error. */
  | 'KAP_USAGE';

export interface ErrorLocation {
  /** File name, or a pseudo-name such as `--backend` or `env:KEEP_ALIVE_TIMEOUT`. */
  readonly file?: string;
  readonly line?: number;
  readonly column?: number;
  /** The field, flag or setting the value was read for. */
  readonly field?: string;
}

export class KeepaliveParityError extends Error {
  readonly code: ErrorCode;
  readonly location: ErrorLocation | undefined;

  constructor(code: ErrorCode, message: string, location?: ErrorLocation) {
    super(message);
    this.name = 'KeepaliveParityError';
    this.code = code;
    this.location = location;
  }
}

/** Formats `file:line:column (field)` for messages; empty when nothing is known. */
export function formatLocation(location: ErrorLocation | undefined): string {
  if (!location) return '';
  let where = location.file ?? '';
  if (location.line !== undefined) where += `:${location.line}`;
  if (location.line !== undefined && location.column !== undefined) where += `:${location.column}`;
  if (location.field) where += where ? ` (${location.field})` : location.field;
  return where;
}

export function isKeepaliveParityError(error: unknown): error is KeepaliveParityError {
  return error instanceof KeepaliveParityError;
}
