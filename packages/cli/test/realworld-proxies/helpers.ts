import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  type ConfigReader,
  type Fact,
  loadReaderFiles,
  type ReaderResult,
  runReader,
} from '@keepalive-parity/core';
import { createSourceIo } from '../../src/io.js';

/** The shared real-world corpus (read-only, never copied into the project; see its SOURCES.md). */
export const REALWORLD = fileURLToPath(new URL('../../../../../shared/realworld/configs/', import.meta.url));

/** `caddy adapt` test files hold a Caddyfile, a line of dashes, then the JSON Caddy adapts it to. */
export function caddyfileTestParts(text: string): { caddyfile: string; json: string } {
  const at = text.search(/^-{10,}\s*$/m);
  if (at < 0) return { caddyfile: text, json: '' };
  const rest = text.slice(at).replace(/^-+\s*\n/, '');
  return { caddyfile: text.slice(0, at), json: rest };
}

/**
 * The CLI's own file I/O, confined to the corpus: an absolute include outside it (`/etc/nginx/...`)
 * is unreadable here, as it would be on a machine without that file, so results do not depend on
 * what this machine has installed.
 */
function io() {
  const base = createSourceIo({
    stdout: process.stdout,
    stderr: process.stderr,
    stdin: process.stdin,
    env: {},
    cwd: REALWORLD,
    color: false,
    signal: new AbortController().signal,
  });
  const inside = (path: string) => path.startsWith(REALWORLD);
  return {
    ...base,
    readTextFile: async (path: string) => {
      if (!inside(path)) throw new Error(`${path} is outside the corpus`);
      return base.readTextFile!(path);
    },
    expandGlob: async (pattern: string, baseDir: string) => {
      const matches = await base.expandGlob!(pattern, baseDir);
      // A plain path stays (reading it fails, as a missing file does); a glob matches nothing outside.
      return /[*?[]/.test(pattern) ? matches.filter(inside) : matches;
    },
  } as typeof base;
}

/** Reads `kind/file` (relative to the corpus) through the same loading path the CLI uses. */
export async function readRealworld(reader: ConfigReader, path: string): Promise<ReaderResult> {
  const loaded = await loadReaderFiles(reader, `${REALWORLD}${path}`, io(), 'test');
  return runReader(reader, loaded);
}

/** Reads a text given directly (one half of a `.caddyfiletest`). */
export function readText(reader: ConfigReader, file: string, text: string): ReaderResult {
  return reader.read({ text, file });
}

export function readCorpusFile(path: string): string {
  return readFileSync(`${REALWORLD}${path}`, 'utf8');
}

/** A fact as the expectations spell it: `65000ms`, `120000ms (default)`, `unknown`, `off`, `unbounded`, `3`. */
export function factText(fact: Fact): string {
  const v = fact.value;
  switch (v.type) {
    case 'duration':
      return `${v.ms}ms${fact.isDefault ? ' (default)' : ''}`;
    case 'count':
      return `${v.count}${fact.isDefault ? ' (default)' : ''}`;
    case 'unset':
      return 'unknown';
    case 'disabled':
      return 'off';
    case 'unbounded':
      return `unbounded${fact.isDefault ? ' (default)' : ''}`;
    case 'retry':
      return 'retry';
  }
}

const SUBJECTS = [
  'pool-idle',
  'server-keepalive',
  'max-requests-per-connection',
  'connection-lifetime',
] as const;

/** `{ "pool backend": { "pool-idle": "65000ms" } }`: the facts the suite compares, per side. */
export function summarize(result: ReaderResult): Record<string, Record<string, string>> {
  const out: Record<string, Record<string, string>> = {};
  for (const side of result.sides) {
    const facts: Record<string, string> = {};
    for (const subject of SUBJECTS) {
      const fact = side.facts.find((f) => f.subject === subject);
      if (fact) facts[subject] = factText(fact);
    }
    out[`${side.role} ${side.name}`] = facts;
  }
  return out;
}
