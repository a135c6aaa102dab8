import { isAbsolute, relative, resolve, sep } from 'node:path';
import type { Evaluation, Fact, Finding, HopEvaluation } from '@keepalive-parity/core';

/** What a pipeline format renders: one command's evaluation and where its files are. */
export interface FormatInput {
  /** `check`, `assert` or `scan`. */
  readonly command: string;
  readonly evaluation: Evaluation;
  /** The folder the facts' relative file paths are relative to (scan: its root; else the cwd). */
  readonly baseDir: string;
  /** The working directory: written paths are relative to it (a CI checkout root). */
  readonly cwd: string;
}

/** A pipeline output format (`--format ID`): one file each, one registry (./index.ts). */
export interface FormatRenderer {
  readonly id: string;
  readonly summary: string;
  render(input: FormatInput): string;
}

/** A place in a file, as a pipeline format writes it: a path relative to the cwd, with `/`. */
export interface FileLocation {
  readonly file: string;
  readonly line: number | undefined;
  readonly fact: Fact;
}

function factLocation(fact: Fact, input: FormatInput): FileLocation | undefined {
  const p = fact.provenance;
  if (p.kind !== 'file' || !p.file || p.file === '(command line)' || p.file === '-') return undefined;
  const absolute = isAbsolute(p.file) ? p.file : resolve(input.baseDir, p.file);
  const path = relative(input.cwd, absolute).split(sep).join('/');
  return { file: path, line: p.line !== undefined && p.line >= 1 ? p.line : undefined, fact };
}

/**
 * Where a finding is, in its facts' order (the server side first, then the client side): the first
 * is the primary location, the others related ones. Facts not read from a file (command line,
 * live API, default) have none.
 */
export function findingLocations(finding: Finding, input: FormatInput): FileLocation[] {
  const seen = new Set<string>();
  const out: FileLocation[] = [];
  for (const fact of finding.facts) {
    const location = factLocation(fact, input);
    if (!location) continue;
    const key = `${location.file}:${location.line ?? ''}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(location);
  }
  return out;
}

/** The fixes a user can apply, as text. */
export function fixTexts(finding: Finding): string[] {
  return (finding.fixes ?? []).filter((f) => f.possible).map((f) => f.text);
}

export function hopTitle(hop: HopEvaluation): string {
  return `hop ${hop.hop.index + 1}: ${hop.hop.name}`;
}

/** The project's repository (SARIF informationUri); rule pages live under docs/rules/ there. */
export const REPOSITORY_URL = 'https://github.com/keepalive-parity/keepalive-parity';

/** The page of a rule on the repository (SARIF helpUri). */
export function ruleHelpUri(id: string): string {
  return `${REPOSITORY_URL}/blob/main/docs/rules/${id}.md`;
}
