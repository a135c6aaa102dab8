import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  type ConfigReader,
  containerOf,
  type LoadedFiles,
  loadReaderFiles,
  READERS,
  type ReaderDiagnostic,
  type ReaderInput,
  type ReadSide,
  runReader,
  type SourceIo,
} from '@keepalive-parity/core';

/** One side found in the repository, with the reader and file it came from. */
export interface FoundSide {
  readonly reader: string;
  readonly side: ReadSide;
  /** The `kind:PATH#NAME` source that reads exactly this side again (for `check`/hops files). */
  readonly source: string;
  /** Files the reader pulled in with it (a Dockerfile's `-c gunicorn.conf.py`), by path. */
  readonly files?: ReadonlyMap<string, string> | undefined;
}

export interface Collected {
  readonly sides: FoundSide[];
  readonly diagnostics: ReaderDiagnostic[];
  /** reader id → files it recognised. */
  readonly detected: Map<string, string[]>;
  /** Every input each reader read (k8s and terraform inputs are kept for pairing). */
  readonly inputs: Map<string, ReaderInput[]>;
}

/**
 * Free-text detectors (nginx matches any file with "nginx" in its path) step back when a reader
 * of a structured format also recognises the file.
 */
const WEAK_DETECTORS = new Set(['nginx', 'haproxy', 'caddy', 'traefik', 'envoy']);

/**
 * Source code, docs, logs and lock files are not deployment configs: they are offered only to the
 * readers of config files that are code (gunicorn.conf.py, config/puma.rb), so a test that embeds
 * a manifest in a string or a path named `.../caddy/...` is not read as one.
 */
const CODE_CONFIG_READERS = new Set(['gunicorn-conf', 'puma-rb']);
const NOT_A_PROXY_CONFIG =
  /\.(ts|tsx|js|mjs|cjs|py|rb|go|rs|java|kt|cs|md|jsonl|log|txt|html|css|sh|lock|pem|csv|map)$/i;

function sideFile(side: ReadSide): string | undefined {
  const container = containerOf(side);
  if (container) return container.file;
  for (const fact of side.facts) if (fact.provenance.kind === 'file') return fact.provenance.file;
  return undefined;
}

/**
 * Runs every registered reader's `detect` on every file, then reads each file with the readers
 * that recognised it (through the same loader as `kind:PATH` sources: includes, HCL preparse).
 * Readers that join across files (k8s ConfigMaps, Terraform variables) read all their files at
 * once.
 */
export async function collectSides(
  files: readonly string[],
  root: string,
  io: SourceIo,
  signal?: AbortSignal,
): Promise<Collected> {
  const detected = new Map<string, string[]>();
  for (const file of files) {
    if (signal?.aborted) break;
    let text: string;
    try {
      text = await readFile(join(root, file), 'utf8');
    } catch {
      continue;
    }
    if (text.includes('\u0000')) continue; // binary
    let matching = READERS.filter((r) => {
      if (!CODE_CONFIG_READERS.has(r.id) && NOT_A_PROXY_CONFIG.test(file)) return false;
      try {
        return r.detect?.(file, text) === true;
      } catch {
        return false;
      }
    });
    if (matching.some((r) => !WEAK_DETECTORS.has(r.id)))
      matching = matching.filter((r) => !WEAK_DETECTORS.has(r.id));
    // Two free-text readers on one file: the one the path names wins (nginx/nginx.conf → nginx).
    if (matching.length > 1) {
      const named = matching.filter((r) => file.toLowerCase().includes(r.id));
      if (named.length === 1) matching = named;
    }
    for (const reader of matching) detected.set(reader.id, [...(detected.get(reader.id) ?? []), file]);
  }

  const sides: FoundSide[] = [];
  const diagnostics: ReaderDiagnostic[] = [];
  const inputs = new Map<string, ReaderInput[]>();
  for (const [readerId, readerFiles] of detected) {
    const reader = READERS.find((r) => r.id === readerId) as ConfigReader;
    const loaded: LoadedFiles = { inputs: [], diagnostics: [] };
    for (const file of readerFiles) {
      try {
        const one = await loadReaderFiles(reader, file, io, `scan ${file}`);
        loaded.inputs.push(...one.inputs);
        loaded.diagnostics.push(...one.diagnostics);
      } catch (error) {
        diagnostics.push({ severity: 'error', message: (error as Error).message, file });
      }
    }
    inputs.set(readerId, loaded.inputs);
    const batches = reader.readMany
      ? [loaded]
      : loaded.inputs.map((input, i) => ({
          inputs: [input],
          diagnostics: i === 0 ? loaded.diagnostics : [],
        }));
    for (const batch of batches) {
      const result = runReader(reader, batch);
      diagnostics.push(...result.diagnostics);
      for (const side of result.sides) {
        const file = sideFile(side) ?? batch.inputs[0]?.file ?? '';
        const fileOfSource = batch.inputs.length === 1 ? batch.inputs[0]!.file : file;
        const files = batch.inputs.length === 1 ? batch.inputs[0]!.includes : undefined;
        sides.push({ reader: readerId, side, source: `${readerId}:${fileOfSource}#${side.name}`, files });
      }
    }
  }
  return { sides, diagnostics, detected, inputs };
}
