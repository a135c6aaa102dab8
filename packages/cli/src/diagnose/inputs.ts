import { type Dirent, readdirSync, statSync } from 'node:fs';
import { join, resolve, sep } from 'node:path';
import { KeepaliveParityError } from '@keepalive-parity/core';

/** Expands the command's positional inputs into files, stdin and S3 locations. */

export type InputSpec =
  | { readonly kind: 'file'; readonly path: string; readonly name: string; readonly size: number }
  | { readonly kind: 'stdin'; readonly name: '-' }
  | { readonly kind: 's3'; readonly bucket: string; readonly prefix: string; readonly name: string };

const GLOB_CHARS = /[*?[]/;
const MAX_FILES = 1_000_000;

function walk(dir: string, out: string[]): void {
  let entries: Dirent[];
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch (error) {
    throw new KeepaliveParityError(
      'KAP_INPUT_INVALID',
      `cannot read folder ${dir}: ${(error as Error).message}`,
      {
        file: dir,
      },
    );
  }
  entries.sort((a, b) => a.name.localeCompare(b.name));
  for (const e of entries) {
    if (e.name.startsWith('.')) continue;
    const path = join(dir, e.name);
    if (e.isDirectory()) walk(path, out);
    else if (e.isFile()) out.push(path);
    if (out.length > MAX_FILES) {
      throw new KeepaliveParityError('KAP_INPUT_INVALID', `more than ${MAX_FILES} files under ${dir}`, {
        file: dir,
      });
    }
  }
}

/** Glob pattern → RegExp over `/`-separated relative paths: `**` any depth, `*` and `?` within a segment. */
export function globToRegExp(pattern: string): RegExp {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '*' && pattern[i + 1] === '*') {
      re += pattern[i + 2] === '/' ? '(?:.*/)?' : '.*';
      i += pattern[i + 2] === '/' ? 2 : 1;
    } else if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '[') {
      const close = pattern.indexOf(']', i);
      if (close < 0) re += '\\[';
      else {
        re += `[${pattern
          .slice(i + 1, close)
          .replace(/^!/, '^')
          .replace(/\\/g, '\\\\')}]`;
        i = close;
      }
    } else re += c.replace(/[.+^${}()|\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

function expandGlob(pattern: string, cwd: string): string[] {
  const parts = pattern.split('/');
  const firstGlob = parts.findIndex((p) => GLOB_CHARS.test(p));
  const baseParts = parts.slice(0, firstGlob);
  const base = baseParts.length === 0 ? '.' : baseParts.join('/') || '/';
  const root = resolve(cwd, base);
  const rest = parts.slice(firstGlob).join('/');
  const re = globToRegExp(rest);
  const files: string[] = [];
  try {
    if (!statSync(root).isDirectory()) return [];
  } catch {
    return [];
  }
  walk(root, files);
  return files
    .filter((f) =>
      re.test(
        f
          .slice(root.length + 1)
          .split(sep)
          .join('/'),
      ),
    )
    .map((f) => (base === '.' ? f.slice(root.length + 1) : join(base, f.slice(root.length + 1))));
}

function fileSpec(path: string, cwd: string): InputSpec {
  const abs = resolve(cwd, path);
  return { kind: 'file', path: abs, name: path, size: statSync(abs).size };
}

export function expandInputs(inputs: readonly string[], cwd: string): InputSpec[] {
  const out: InputSpec[] = [];
  for (const input of inputs) {
    if (input === '-') {
      out.push({ kind: 'stdin', name: '-' });
      continue;
    }
    if (input.startsWith('s3://')) {
      const rest = input.slice(5);
      const slash = rest.indexOf('/');
      const bucket = slash < 0 ? rest : rest.slice(0, slash);
      if (bucket === '') {
        throw new KeepaliveParityError('KAP_USAGE', `S3 location without a bucket: ${input}`, {
          field: 'input',
        });
      }
      out.push({ kind: 's3', bucket, prefix: slash < 0 ? '' : rest.slice(slash + 1), name: input });
      continue;
    }
    let stat: ReturnType<typeof statSync> | undefined;
    try {
      stat = statSync(resolve(cwd, input));
    } catch {
      stat = undefined;
    }
    if (stat?.isDirectory()) {
      const files: string[] = [];
      walk(resolve(cwd, input), files);
      for (const f of files)
        out.push({
          kind: 'file',
          path: f,
          name: join(input, f.slice(resolve(cwd, input).length + 1)),
          size: statSync(f).size,
        });
      continue;
    }
    if (stat?.isFile()) {
      out.push(fileSpec(input, cwd));
      continue;
    }
    if (GLOB_CHARS.test(input)) {
      const matches = expandGlob(input, cwd);
      if (matches.length === 0) {
        throw new KeepaliveParityError('KAP_INPUT_INVALID', `no file matches ${input}`, { file: input });
      }
      for (const m of matches) out.push(fileSpec(m, cwd));
      continue;
    }
    throw new KeepaliveParityError('KAP_INPUT_INVALID', `no such file or folder: ${input}`, { file: input });
  }
  return out;
}
