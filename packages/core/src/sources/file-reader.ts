import { isKeepaliveParityError, KeepaliveParityError } from '../errors.js';
import type { HopRole } from '../kb/index.js';
import {
  type ConfigReader,
  includeKey,
  type ReaderDiagnostic,
  type ReaderInput,
  type ReaderResult,
  type ReadSide,
} from '../readers/types.js';
import type { ResolvedSide, SourceIo, SourceKindDefinition, SourceRequest } from './types.js';

/**
 * The generic bridge from a pure config reader to a `kind:PATH[#NAME]` source.
 *
 *   nginx:/etc/nginx/nginx.conf#app   the upstream `app` of that file (and its includes)
 *   nginx:-                           `nginx -T` output on standard input
 *   k8s:manifests/                    every file of a folder (read together with `readMany`)
 *   envoy:http://127.0.0.1:9901/config_dump   a URL, when `options.urls` allows it
 *
 * All I/O goes through the injected `SourceIo` (`readTextFile`, `readStdin`, `listFolder`,
 * `expandGlob`, `fetchText`, `parseHcl`). The reader's sides of the requested role become
 * resolved sides; `#NAME` picks one. Reader diagnostics travel with every side so `check` shows them
 * as `config-unreadable` findings with file:line; a file that does not parse at all still yields
 * one side (no facts, the diagnostics) so the hop is reported `unknown`, never dropped.
 */
export interface FileReaderSourceOptions {
  /** `--help` example, e.g. `--lb nginx:/etc/nginx/nginx.conf#app`. */
  readonly example: string;
  /** Overrides the reader's summary in the source list. */
  readonly summary?: string | undefined;
  /** The locator may be an http(s) URL read with `io.fetchText` (Envoy admin). */
  readonly urls?: boolean | undefined;
  /** At most this many files through includes and folders (default 500). */
  readonly maxFiles?: number | undefined;
}

const DEFAULT_MAX_FILES = 500;
/** Name shown in provenance for standard input. */
export const STDIN_FILE = '(stdin)';

export interface LoadedFiles {
  /** Top-level inputs: one file, stdin, a URL, or every file of a folder. */
  readonly inputs: ReaderInput[];
  /** Problems met while loading (an include that matched nothing, a folder too big). */
  readonly diagnostics: ReaderDiagnostic[];
}

function unavailable(message: string, field: string, file?: string): KeepaliveParityError {
  return new KeepaliveParityError('KAP_SOURCE_UNAVAILABLE', message, { field, file });
}

function need<K extends keyof SourceIo>(
  io: SourceIo,
  member: K,
  what: string,
  field: string,
): NonNullable<SourceIo[K]> {
  const fn = io[member];
  if (typeof fn !== 'function') throw unavailable(`${field}: ${what} is not available here`, field);
  return fn.bind(io) as NonNullable<SourceIo[K]>;
}

function dirname(path: string): string {
  const slash = path.lastIndexOf('/');
  if (slash < 0) return '.';
  return slash === 0 ? '/' : path.slice(0, slash);
}

/** `name@version` in `--lb-product nginx@1.30.0`: the version part, for version-dependent defaults. */
export function productVersion(product: string | undefined): string | undefined {
  if (!product) return undefined;
  const at = product.indexOf('@');
  return at >= 0 ? product.slice(at + 1) || undefined : undefined;
}

/**
 * Reads a source's files through `io`: the main file (or stdin / URL / folder), then every include
 * the reader asks for, transitively, bounded by `maxFiles`. Exported for `scan` and tests.
 */
export async function loadReaderFiles(
  reader: ConfigReader,
  locator: string,
  io: SourceIo,
  field: string,
  options: Pick<FileReaderSourceOptions, 'urls' | 'maxFiles'> = {},
  version?: string,
): Promise<LoadedFiles> {
  const maxFiles = options.maxFiles ?? DEFAULT_MAX_FILES;
  const diagnostics: ReaderDiagnostic[] = [];
  const roots: Array<{ file: string; text: string }> = [];
  if (locator === '-') {
    roots.push({ file: STDIN_FILE, text: await need(io, 'readStdin', 'standard input', field)() });
  } else if ((options.urls ?? reader.readsUrls) && /^https?:\/\//i.test(locator)) {
    roots.push({ file: locator, text: await need(io, 'fetchText', 'HTTP', field)(locator) });
  } else {
    const folder = io.listFolder ? await io.listFolder(locator) : null;
    if (folder) {
      const wanted = folder.filter((f) => !reader.folderFiles || reader.folderFiles.test(f));
      if (wanted.length === 0)
        throw unavailable(`${field}: folder ${locator} holds no file ${reader.id}: can read`, field, locator);
      if (wanted.length > maxFiles) {
        diagnostics.push({
          severity: 'warning',
          message: `folder holds ${wanted.length} files; only the first ${maxFiles} were read`,
          file: locator,
        });
      }
      const readText = need(io, 'readTextFile', 'file reading', field);
      for (const file of wanted.slice(0, maxFiles)) roots.push({ file, text: await readText(file) });
    } else {
      roots.push({ file: locator, text: await need(io, 'readTextFile', 'file reading', field)(locator) });
    }
  }

  const inputs: ReaderInput[] = [];
  let filesRead = roots.length;
  for (const root of roots) {
    const includes = new Map<string, string>();
    const includeMatches = new Map<string, readonly string[]>();
    // Relative includes resolve against the main file's folder (nginx: the configuration prefix),
    // for nested includes too. `nginx -T` on stdin already inlines every include.
    if (reader.includes && root.file !== STDIN_FILE && !/^https?:/i.test(root.file)) {
      const baseDir = dirname(root.file);
      const queue = [{ file: root.file, text: root.text }];
      const seen = new Set<string>([root.file]);
      while (queue.length > 0) {
        const current = queue.shift()!;
        for (const pattern of reader.includes(current.file, current.text)) {
          let matches: string[];
          if (io.expandGlob) matches = await io.expandGlob(pattern, baseDir);
          else matches = [pattern.startsWith('/') ? pattern : `${baseDir}/${pattern}`];
          includeMatches.set(includeKey(current.file, pattern), matches);
          for (const match of matches) {
            if (seen.has(match)) continue;
            seen.add(match);
            if (filesRead >= maxFiles) {
              diagnostics.push({
                severity: 'warning',
                message: `more than ${maxFiles} files; ${match} not read`,
                file: current.file,
              });
              continue;
            }
            try {
              const text = await need(io, 'readTextFile', 'file reading', field)(match);
              filesRead += 1;
              includes.set(match, text);
              queue.push({ file: match, text });
            } catch (error) {
              diagnostics.push({
                severity: 'error',
                message: `include ${match} could not be read: ${(error as Error).message}`,
                file: current.file,
              });
            }
          }
        }
      }
    }
    let parsed: unknown;
    const format =
      reader.preparse === 'hcl' && /\.tf$/i.test(root.file)
        ? ('HCL' as const)
        : reader.preparse === 'toml' && /\.toml$/i.test(root.file)
          ? ('TOML' as const)
          : undefined;
    if (format) {
      const member = format === 'HCL' ? 'parseHcl' : 'parseToml';
      try {
        parsed = await need(io, member, `the ${format} parser`, field)(root.text, root.file);
      } catch (error) {
        if (isKeepaliveParityError(error) && error.code === 'KAP_SOURCE_UNAVAILABLE' && !io[member])
          throw error;
        diagnostics.push({
          severity: 'error',
          message: `does not parse as ${format}: ${(error as Error).message}`,
          file: root.file,
          line:
            (error as KeepaliveParityError).location?.line ??
            lineInMessage((error as Error).message, root.file),
        });
        continue;
      }
    }
    inputs.push({
      text: root.text,
      file: root.file,
      includes: includes.size > 0 ? includes : undefined,
      includeMatches: includeMatches.size > 0 ? includeMatches : undefined,
      version,
      parsed,
    });
  }
  return { inputs, diagnostics };
}

/** `main.tf:3,5-4,1: Invalid expression` → 3 (parsers that report `file:line,column`). */
function lineInMessage(message: string, file: string): number | undefined {
  const at = message.indexOf(`${file}:`);
  if (at < 0) return undefined;
  const match = /^:(\d+)/.exec(message.slice(at + file.length));
  return match ? Number(match[1]) : undefined;
}

/** Runs the reader over loaded files; a reader that throws (a bug) still becomes a diagnostic. */
export function runReader(reader: ConfigReader, loaded: LoadedFiles): ReaderResult {
  const sides: ReadSide[] = [];
  const diagnostics: ReaderDiagnostic[] = [...loaded.diagnostics];
  const results: ReaderResult[] = [];
  try {
    if (reader.readMany && loaded.inputs.length !== 1) results.push(reader.readMany(loaded.inputs));
    else for (const input of loaded.inputs) results.push(reader.read(input));
  } catch (error) {
    diagnostics.push({
      severity: 'error',
      message: `${reader.id} reader failed: ${(error as Error).message}`,
      file: loaded.inputs[0]?.file ?? '(unknown)',
    });
  }
  for (const result of results) {
    sides.push(...result.sides);
    diagnostics.push(...result.diagnostics);
  }
  return { sides, diagnostics };
}

/** The diagnostics a side carries: the file's own and those about that side, not other sides'. */
function diagnosticsFor(result: ReaderResult, name: string): ReaderDiagnostic[] | undefined {
  const mine = result.diagnostics.filter((d) => d.side === undefined || d.side === name);
  return mine.length > 0 ? mine : undefined;
}

/** What `#NAME` may name, for the error when it names nothing. */
function describeNames(sides: readonly ReadSide[]): string {
  return sides.length === 0 ? 'none' : sides.map((s) => s.name).join(', ');
}

/** Picks the sides of a role (and the one `#NAME` asks for) and turns them into resolved sides. */
export function sidesForRequest(
  reader: ConfigReader,
  result: ReaderResult,
  request: Pick<SourceRequest, 'spec' | 'role' | 'field'>,
): ResolvedSide[] {
  const { spec, role, field } = request;
  const ofRole = result.sides.filter((s) => s.role === role);
  const errors = result.diagnostics.filter((d) => d.severity === 'error');
  let chosen = ofRole;
  if (spec.fragment !== undefined && spec.fragment !== '') {
    chosen = ofRole.filter((s) => s.name === spec.fragment);
    if (chosen.length === 0 && errors.length === 0) {
      throw unavailable(
        `${field}: ${spec.raw}: no ${roleWord(reader, role)} named ${JSON.stringify(spec.fragment)}; the file has: ${describeNames(ofRole)}`,
        field,
      );
    }
  }
  if (chosen.length === 0) {
    if (errors.length === 0) {
      throw unavailable(
        `${field}: ${spec.raw}: nothing in it describes the ${role === 'pool' ? 'client pool (--lb)' : 'server (--backend)'} side${result.diagnostics.length > 0 ? ` (${result.diagnostics.map((d) => d.message).join('; ')})` : ''}`,
        field,
      );
    }
    // The file does not parse: keep the hop, with no value and the reasons, so it shows as unknown.
    const name = spec.fragment || spec.locator;
    return [{ label: `${reader.id} ${name}`, facts: [], source: spec.raw, diagnostics: result.diagnostics }];
  }
  return chosen.map((side) => ({
    label: side.label,
    product: side.product,
    facts: side.facts,
    source:
      chosen.length === 1 && ofRole.length === 1 ? spec.raw : `${spec.kind}:${spec.locator}#${side.name}`,
    diagnostics: diagnosticsFor(result, side.name),
  }));
}

const SIDE_WORDS: Readonly<Record<string, readonly [pool: string, server: string]>> = {
  nginx: ['upstream', 'server'],
  haproxy: ['backend', 'frontend'],
  envoy: ['cluster', 'listener'],
  traefik: ['service', 'entry point'],
  caddy: ['reverse_proxy', 'server'],
};

function roleWord(reader: ConfigReader, role: HopRole): string {
  const words = SIDE_WORDS[reader.id] ?? ['client pool', 'server'];
  return `${reader.id} ${role === 'pool' ? words[0] : words[1]}`;
}

/** A source kind (`reader.id:PATH[#NAME]`) for a pure config reader. */
export function fileReaderSource(
  reader: ConfigReader,
  options: FileReaderSourceOptions,
): SourceKindDefinition {
  return {
    kind: reader.id,
    roles: reader.roles,
    summary: options.summary ?? reader.summary,
    example: options.example,
    async resolve(request, io) {
      const loaded = await loadReaderFiles(
        reader,
        request.spec.locator,
        io,
        request.field,
        options,
        productVersion(request.product),
      );
      return sidesForRequest(reader, runReader(reader, loaded), request);
    },
  };
}
