import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  type ConfigReader,
  type Fact,
  type FactSubject,
  loadReaderFiles,
  type ReaderResult,
  type ReadSide,
  runReader,
  type SourceIo,
} from '../src/index.js';

export const FIXTURES = fileURLToPath(new URL('./fixtures/', import.meta.url));

function globToRegExp(pattern: string): RegExp {
  const body = pattern
    .replace(/[.+^${}()|\\]/g, '\\$&')
    .replace(/\*/g, '[^/]*')
    .replace(/\?/g, '[^/]');
  return new RegExp(`^${body}$`);
}

function walk(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...walk(path));
    else out.push(path);
  }
  return out;
}

/**
 * A file-system `SourceIo` rooted at the fixtures folder: paths in provenance stay short
 * (`nginx/includes/nginx.conf`). Globs support `*` and `?` (what the fixtures use).
 */
export function fixtureIo(stdin?: string): SourceIo {
  const abs = (p: string) => (p.startsWith('/') ? p : join(FIXTURES, p));
  return {
    readTextFile: async (path: string) => readFileSync(abs(path), 'utf8'),
    readStdin: async () => stdin ?? '',
    listFolder: async (path: string) => {
      try {
        if (!statSync(abs(path)).isDirectory()) return null;
      } catch {
        return null;
      }
      return walk(abs(path)).map((f) => relative(FIXTURES, f));
    },
    expandGlob: async (pattern: string, baseDir: string) => {
      const full = pattern.startsWith('/') ? pattern : join(baseDir, pattern);
      if (!/[*?]/.test(full)) return [full];
      const re = globToRegExp(full);
      const root = full.slice(0, full.search(/[*?]/)).replace(/[^/]*$/, '') || '.';
      let files: string[] = [];
      try {
        files = walk(abs(root)).map((f) => relative(FIXTURES, f));
      } catch {
        return [];
      }
      return files.filter((f) => re.test(f)).sort();
    },
    now: () => '2026-01-01T00:00:00.000Z',
    // The real HCL parser the CLI uses (a CLI dependency, hoisted; tests only).
    parseToml: async (text: string) => {
      const { parse } = await import('smol-toml');
      return parse(text);
    },
    parseHcl: async (text: string, file: string) => {
      const { parse } = await import('@cdktf/hcl2json');
      return parse(file, text);
    },
  };
}

/** Reads a fixture (file, folder or `-` with stdin) through the same path the CLI uses. */
export async function readFixture(
  reader: ConfigReader,
  locator: string,
  options: { stdin?: string; version?: string } = {},
): Promise<ReaderResult> {
  const loaded = await loadReaderFiles(
    reader,
    locator,
    fixtureIo(options.stdin),
    'test',
    {},
    options.version,
  );
  return runReader(reader, loaded);
}

export function sideNamed(result: ReaderResult, role: ReadSide['role'], name: string): ReadSide {
  const side = result.sides.find((s) => s.role === role && s.name === name);
  if (!side) {
    throw new Error(
      `no ${role} side ${name}; have: ${result.sides.map((s) => `${s.role}:${s.name}`).join(', ')}; diagnostics: ${JSON.stringify(result.diagnostics)}`,
    );
  }
  return side;
}

export function factOf(side: ReadSide, subject: FactSubject): Fact {
  const fact = side.facts.find((f) => f.subject === subject);
  if (!fact) throw new Error(`${side.label} has no ${subject} fact: ${JSON.stringify(side.facts)}`);
  return fact;
}

/** `{ms, file:line}` of a duration fact, for compact expectations. */
export function brief(fact: Fact): { value: string | number; at: string } {
  const v = fact.value;
  const value = v.type === 'duration' ? v.ms : v.type === 'count' ? v.count : v.type;
  const p = fact.provenance;
  const at =
    p.kind === 'file' ? `${p.file}:${p.line}` : p.kind === 'live-api' ? `live:${p.resource}` : p.kind;
  return { value, at };
}
