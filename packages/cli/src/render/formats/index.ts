import { usageError } from '../../errors.js';
import { githubRenderer } from './github.js';
import { junitRenderer } from './junit.js';
import { sarifRenderer } from './sarif.js';
import type { FormatRenderer } from './types.js';

export type { FormatInput, FormatRenderer } from './types.js';

/** The one registry of pipeline formats for `--format` (check, assert, scan). */
export const FORMATS: readonly FormatRenderer[] = [sarifRenderer, junitRenderer, githubRenderer];

/** `--format` values: text (default), json (= --json), then the registry's. */
export const FORMAT_IDS = ['text', 'json', ...FORMATS.map((f) => f.id)] as const;

export const FORMAT_HELP = FORMATS.map((f) => `${f.id} (${f.summary})`).join(', ');

/**
 * The output a command was asked for: `text`, `json` or a pipeline renderer. Throws a usage error
 * for an unknown format.
 */
export function outputFormat(
  command: string,
  values: { json?: boolean; format?: string },
): { kind: 'text' } | { kind: 'json' } | { kind: 'renderer'; renderer: FormatRenderer } {
  const format = values.format ?? (values.json ? 'json' : 'text');
  if (values.json && values.format !== undefined && values.format !== 'json')
    throw usageError(`${command}: --json and --format ${values.format} cannot be combined`);
  if (format === 'text') return { kind: 'text' };
  if (format === 'json') return { kind: 'json' };
  const renderer = FORMATS.find((f) => f.id === format);
  if (!renderer)
    throw usageError(
      `${command}: --format must be one of ${FORMAT_IDS.join(', ')} (got ${JSON.stringify(format)})`,
    );
  return { kind: 'renderer', renderer };
}
