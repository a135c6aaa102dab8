import { isAbsolute, relative, resolve, sep } from 'node:path';
import type { Evaluation, Fact, Finding, Hop, HopEvaluation } from '@keepalive-parity/core';

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
  /** What is there: a fact's subject and setting, or a reader's diagnostic. */
  readonly what: string;
}

function fileLocation(
  file: string | undefined,
  line: number | undefined,
  what: string,
  input: FormatInput,
): FileLocation | undefined {
  if (!file || file === '(command line)' || file === '-') return undefined;
  const absolute = isAbsolute(file) ? file : resolve(input.baseDir, file);
  const path = relative(input.cwd, absolute).split(sep).join('/');
  return { file: path, line: line !== undefined && line >= 1 ? line : undefined, what };
}

function factLocation(fact: Fact, input: FormatInput): FileLocation | undefined {
  const p = fact.provenance;
  if (p.kind !== 'file') return undefined;
  return fileLocation(p.file, p.line, `${fact.subject}${fact.setting ? ` (${fact.setting})` : ''}`, input);
}

/**
 * Where a finding is. First the finding's own facts read from a file, in their order (the server
 * side, then the client side); when none was (a default, a live value), the hop's own values read
 * from a file (the primary value of the side the finding is about, then of the other side, then any
 * other), then a reader's diagnostic.
 * The first is the primary location, the others related ones. GitHub code scanning rejects a SARIF
 * file with a result without a location, so a finding is anchored to its hop wherever the hop has a
 * file; only a hop with no file at all (every value from the command line, a live API or a default)
 * gives none.
 */
export function findingLocations(finding: Finding, hop: Hop, input: FormatInput): FileLocation[] {
  const own = finding.facts.map((f) => factLocation(f, input));
  // The side the finding's facts belong to first (a client-side default: the client's file).
  const sides = [hop.server, hop.client].sort(
    (a, b) =>
      Number(finding.facts.some((f) => b.facts.includes(f))) -
      Number(finding.facts.some((f) => a.facts.includes(f))),
  );
  const fallback = own.some(Boolean)
    ? []
    : [
        ...sides.map((side) => {
          const primary = side.facts.find(
            (f) => f.subject === (side === hop.server ? 'server-keepalive' : 'pool-idle'),
          );
          return primary && factLocation(primary, input);
        }),
        ...sides.flatMap((side) => side.facts.map((f) => factLocation(f, input))),
        ...sides.flatMap((side) =>
          (side.diagnostics ?? []).map((d) => fileLocation(d.file, d.line, d.message, input)),
        ),
      ];
  const seen = new Set<string>();
  const out: FileLocation[] = [];
  for (const location of [...own, ...fallback]) {
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
