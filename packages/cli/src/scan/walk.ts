import { readdir, readFile, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';
import ignore, { type Ignore } from 'ignore';

/** Bounds of a repository walk: `scan` never reads more than this. */
export interface WalkLimits {
  readonly maxFiles: number;
  readonly maxFileBytes: number;
  readonly maxDepth: number;
}

export const DEFAULT_WALK_LIMITS: WalkLimits = {
  maxFiles: 50_000,
  maxFileBytes: 2 * 1024 * 1024,
  maxDepth: 24,
};

export interface WalkResult {
  /** Files to look at, relative to the root, `/`-separated, sorted. */
  readonly files: string[];
  /** Counted, not read: ignored by .gitignore, too large, beyond the limits. */
  readonly skipped: { ignored: number; tooLarge: number; overLimit: number };
}

/** Folders never worth walking, whatever .gitignore says. */
const ALWAYS_SKIPPED = new Set([
  '.git',
  'node_modules',
  '.hg',
  '.svn',
  '.terraform',
  '__pycache__',
  '.venv',
  'venv',
]);

/**
 * Walks a repository like git sees it: every `.gitignore` (root and nested, each applying to its
 * folder) is respected through the `ignore` package; `.git` and dependency folders are skipped.
 */
export async function walkRepository(
  root: string,
  limits: WalkLimits = DEFAULT_WALK_LIMITS,
  signal?: AbortSignal,
): Promise<WalkResult> {
  const files: string[] = [];
  const skipped = { ignored: 0, tooLarge: 0, overLimit: 0 };
  const rules: { dir: string; matcher: Ignore }[] = [];
  const isIgnored = (rel: string, isDir: boolean): boolean => {
    for (const { dir, matcher } of rules) {
      if (dir !== '' && !rel.startsWith(`${dir}/`)) continue;
      const sub = dir === '' ? rel : rel.slice(dir.length + 1);
      if (matcher.ignores(isDir ? `${sub}/` : sub)) return true;
    }
    return false;
  };
  const visit = async (absDir: string, depth: number): Promise<void> => {
    if (signal?.aborted) return;
    if (depth > limits.maxDepth) {
      skipped.overLimit += 1;
      return;
    }
    const relDir = relative(root, absDir).split('\\').join('/');
    let gitignore: string | undefined;
    try {
      gitignore = await readFile(join(absDir, '.gitignore'), 'utf8');
    } catch {
      gitignore = undefined;
    }
    const pushed = gitignore !== undefined;
    if (pushed) rules.push({ dir: relDir, matcher: ignore().add(gitignore!) });
    const entries = await readdir(absDir, { withFileTypes: true });
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      const rel = relDir === '' ? entry.name : `${relDir}/${entry.name}`;
      if (entry.isDirectory()) {
        if (ALWAYS_SKIPPED.has(entry.name)) continue;
        if (isIgnored(rel, true)) {
          skipped.ignored += 1;
          continue;
        }
        await visit(join(absDir, entry.name), depth + 1);
      } else if (entry.isFile()) {
        if (isIgnored(rel, false)) {
          skipped.ignored += 1;
          continue;
        }
        if (files.length >= limits.maxFiles) {
          skipped.overLimit += 1;
          continue;
        }
        const { size } = await stat(join(absDir, entry.name));
        if (size > limits.maxFileBytes) {
          skipped.tooLarge += 1;
          continue;
        }
        files.push(rel);
      }
    }
    if (pushed) rules.pop();
  };
  await visit(root, 0);
  files.sort();
  return { files, skipped };
}
