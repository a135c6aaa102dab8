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

/**
 * Marks our errors across copies of this module (undici's `Symbol.for('undici.error...')` pattern):
 * the CLI's start-up bundle carries its own copy of the engine, and an error thrown by a command
 * loaded outside it must still be recognised as ours (issue 12).
 */
const ERROR_BRAND: unique symbol = Symbol.for('keepalive-parity.error') as never;

export class KeepaliveParityError extends Error {
  readonly [ERROR_BRAND] = true;
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
  return (
    typeof error === 'object' &&
    error !== null &&
    (error as { [ERROR_BRAND]?: unknown })[ERROR_BRAND] === true
  );
}
