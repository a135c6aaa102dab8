import { usageError } from '../../errors.js';
import type { FormatRenderer } from './types.js';

export type { FormatInput, FormatRenderer } from './types.js';

/** A `--format` in the registry: its id and summary, and its renderer, loaded when it is asked for. */
export interface FormatEntry {
  readonly id: string;
  /** The renderer module's own summary (test/pipeline-formats.test.ts checks they agree). */
  readonly summary: string;
  load(): Promise<FormatRenderer>;
}

/**
 * The one registry of pipeline formats for `--format` (check, assert, scan). A renderer is loaded
 * only when its format is asked for: `check` and `assert` print text or JSON far more often, and
 * their start-up path carries no renderer (issue 12, scripts/bundle-cli.mjs).
 */
export const FORMATS: readonly FormatEntry[] = [
  {
    id: 'sarif',
    summary: 'SARIF 2.1.0 (GitHub code scanning, upload-sarif)',
    load: () => import('./sarif.js').then((m) => m.sarifRenderer),
  },
  {
    id: 'junit',
    summary: 'JUnit XML: one testcase per hop (violation = failure, unknown = error)',
    load: () => import('./junit.js').then((m) => m.junitRenderer),
  },
  {
    id: 'github',
    summary: 'GitHub Actions annotations (::error file=...,line=...::)',
    load: () => import('./github.js').then((m) => m.githubRenderer),
  },
];

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
): { kind: 'text' } | { kind: 'json' } | { kind: 'renderer'; renderer: FormatEntry } {
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
