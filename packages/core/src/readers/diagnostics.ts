import type { Duration } from '../duration/duration.js';
import { type DurationSyntax, parseDuration } from '../duration/syntaxes.js';
import { isKeepaliveParityError } from '../errors.js';
import type { Fact, FactSubject, Provenance } from '../facts.js';
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

/**
 * The unresolved placeholder a configuration value holds, if any: an environment or shell
 * substitution (`${IDLE}`, `$IDLE`), a Go/Helm/Jinja template (`{{ .Values.idle }}`, `{% ... %}`),
 * a Terraform interpolation (`${var.idle}`). Such a value is not known from the file: a reader says
 * `unknown` with this as the reason, never a default.
 */
export function placeholderIn(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const match = /\$\{[^}]*\}?|\$[A-Za-z_][A-Za-z0-9_]*|\{\{.*?(\}\}|$)|\{%.*?(%\}|$)|<<.*?(>>|$)/.exec(value);
  return match?.[0];
}

/** The note an `unknown` fact carries when its value is a placeholder. */
export function placeholderNote(setting: string, value: string, placeholder: string): string {
  return `${setting} is ${JSON.stringify(value)}: ${placeholder} is substituted outside this file (environment, template or variables), so the value is not known; give the rendered file or the value itself`;
}

/** The `unknown` fact for a value that is a placeholder (see `placeholderIn`); undefined when it is not one. */
export function placeholderFact(
  subject: FactSubject,
  product: string,
  setting: string,
  provenance: Provenance,
  value: unknown,
): Fact | undefined {
  const placeholder = placeholderIn(value);
  if (!placeholder) return undefined;
  return {
    subject,
    value: { type: 'unset' },
    product,
    setting,
    provenance,
    notes: [placeholderNote(setting, String(value), placeholder)],
  };
}
