import { readFile } from 'node:fs/promises';
import { isAbsolute, resolve } from 'node:path';
import {
  assembleHops,
  type Evaluation,
  evaluate,
  type Hop,
  KeepaliveParityError,
  parseHopsFile,
  type ReaderDiagnostic,
  type SourceIo,
} from '@keepalive-parity/core';
import type { CliContext } from '../context.js';
import { createSourceIo } from '../io.js';
import { collectSides } from './collect.js';
import { pairSides, type UnpairedSide } from './pair.js';
import { DEFAULT_WALK_LIMITS, walkRepository } from './walk.js';

export const HOPS_FILE_NAME = 'keepalive-parity.yaml';

export interface ScanOptions {
  readonly root: string;
  readonly marginMs?: number | undefined;
  /** A hops file naming pairs; default: keepalive-parity.yaml at the root when present. */
  readonly hopsFile?: string | undefined;
  readonly maxFiles?: number | undefined;
}

export interface ScanResult {
  readonly root: string;
  readonly evaluation: Evaluation;
  readonly links: readonly string[];
  readonly unpaired: readonly UnpairedSide[];
  readonly diagnostics: readonly ReaderDiagnostic[];
  readonly detected: Readonly<Record<string, readonly string[]>>;
  readonly filesScanned: number;
  readonly skipped: { readonly ignored: number; readonly tooLarge: number; readonly overLimit: number };
  readonly hopsFile: string | null;
}

/** Source I/O whose relative paths are relative to the scanned root (provenance stays repo-relative). */
function rootedIo(context: CliContext, root: string): SourceIo {
  const base = createSourceIo({ ...context, cwd: root });
  return {
    ...base,
    readTextFile: (path: string) => base.readTextFile!(isAbsolute(path) ? path : resolve(root, path)),
  };
}

/** Walks, reads, pairs and evaluates a repository. */
export async function scanRepository(options: ScanOptions, context: CliContext): Promise<ScanResult> {
  const root = resolve(context.cwd, options.root);
  const io = rootedIo(context, root);
  const walk = await walkRepository(
    root,
    { ...DEFAULT_WALK_LIMITS, maxFiles: options.maxFiles ?? DEFAULT_WALK_LIMITS.maxFiles },
    context.signal,
  );
  const collected = await collectSides(walk.files, root, io, context.signal);
  let pairing = pairSides(collected.sides, collected.inputs, options.marginMs);

  // Pairs named in a hops file join the ones found.
  let hopsFile: string | null = null;
  const explicit = options.hopsFile ?? (walk.files.includes(HOPS_FILE_NAME) ? HOPS_FILE_NAME : undefined);
  if (explicit !== undefined) {
    const path = resolve(root, explicit);
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (error) {
      throw new KeepaliveParityError(
        'KAP_INPUT_INVALID',
        `cannot read hops file ${explicit}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
        { file: explicit },
      );
    }
    const file = parseHopsFile(text, explicit);
    const named = await assembleHops(file.hops, io, {
      marginMs: options.marginMs ?? file.marginMs,
      allowDefault: true,
    });
    hopsFile = explicit;
    const hops: Hop[] = [...pairing.hops];
    for (const hop of named) hops.push({ ...hop, index: hops.length });
    // A side named in the hops file is paired now.
    const namedSources = new Set(named.flatMap((h) => [h.client.source, h.server.source]));
    pairing = {
      hops,
      links: [...pairing.links, ...named.map(() => `named in ${explicit}`)],
      unpaired: pairing.unpaired.filter((u) => !namedSources.has(u.source)),
    };
  }
  return {
    root,
    evaluation: evaluate(pairing.hops),
    links: pairing.links,
    unpaired: pairing.unpaired,
    diagnostics: collected.diagnostics,
    detected: Object.fromEntries(collected.detected),
    filesScanned: walk.files.length,
    skipped: walk.skipped,
    hopsFile,
  };
}
