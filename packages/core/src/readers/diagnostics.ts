import type { Duration } from '../duration/duration.js';
import { type DurationSyntax, parseDuration } from '../duration/syntaxes.js';
import { isKeepaliveParityError } from '../errors.js';
import type { ReaderDiagnostic } from './types.js';

/** Where a reader found a value: file, line and the setting's name. */
export interface ReadLocation {
  readonly file: string;
  readonly line?: number | undefined;
  readonly field: string;
}

/**
 * Runs a parse of a value read from a config file. A value the parser refuses becomes a
 * diagnostic with file:line and field, and `undefined`: a reader never throws on a bad file.
 */
export function orDiagnostic<T>(
  parse: () => T,
  where: ReadLocation,
  diagnostics: ReaderDiagnostic[],
): T | undefined {
  try {
    return parse();
  } catch (error) {
    if (!isKeepaliveParityError(error)) throw error;
    diagnostics.push({
      severity: 'error',
      message: error.message,
      file: where.file,
      line: where.line,
      field: where.field,
    });
    return undefined;
  }
}

/** A duration in the syntax the file uses, or a diagnostic naming file:line and the setting. */
export function durationOrDiagnostic(
  text: string,
  syntax: DurationSyntax,
  where: ReadLocation,
  diagnostics: ReaderDiagnostic[],
): Duration | undefined {
  return orDiagnostic(() => parseDuration(text, { syntax, location: where }), where, diagnostics);
}
