import { KeepaliveParityError } from '../errors.js';
import { albSource, elbSource } from './alb.js';
import { cloudSource } from './cloud.js';
import { envSource } from './env.js';
import { probeSource } from './probe.js';
import { runtimeSource } from './runtime.js';
import { parseSourceSpec, type SourceSpec } from './spec.js';
import type { ResolvedSide, SourceIo, SourceKindDefinition, SourceRequest } from './types.js';
import { valueSource } from './value.js';

/**
 * The one registry of source kinds. Later readers (nginx:, alb:, probe:, image:) register here.
 * The kinds backed by readers live in `reader-kinds.ts` and are loaded on first use (see there).
 */
const SOURCE_KINDS = new Map<string, SourceKindDefinition>();

export function registerSourceKind(definition: SourceKindDefinition): void {
  SOURCE_KINDS.set(definition.kind, definition);
}

for (const definition of [valueSource, runtimeSource, envSource, probeSource]) registerSourceKind(definition);
// Live AWS load balancers (alb:NAME, elb:NAME); the CLI provides the API calls.
for (const definition of [albSource, elbSource, cloudSource]) registerSourceKind(definition);

let readerKinds: Promise<unknown> | undefined;

/**
 * Registers the reader-backed kinds when `raw` names a kind not registered yet (loading every
 * reader once). `assembleHops` calls it before `parseSource`; the package index loads them eagerly.
 */
export async function ensureSourceKind(raw: string): Promise<void> {
  const kind = /^([A-Za-z][\w-]*):/.exec(raw)?.[1];
  if (kind === undefined || SOURCE_KINDS.has(kind)) return;
  readerKinds ??= import('./reader-kinds.js');
  await readerKinds;
}

export function sourceKinds(): SourceKindDefinition[] {
  return [...SOURCE_KINDS.values()];
}

export function parseSource(raw: string, field?: string): SourceSpec {
  return parseSourceSpec(raw, new Set(SOURCE_KINDS.keys()), field);
}

export async function resolveSource(request: SourceRequest, io: SourceIo): Promise<ResolvedSide[]> {
  const definition = SOURCE_KINDS.get(request.spec.kind);
  if (!definition) {
    throw new KeepaliveParityError(
      'KAP_SOURCE_INVALID',
      `unknown source kind ${JSON.stringify(request.spec.kind)}`,
      { field: request.field },
    );
  }
  if (!definition.roles.includes(request.role)) {
    const side = request.role === 'pool' ? 'client pool (--lb)' : 'server (--backend)';
    throw new KeepaliveParityError(
      'KAP_SOURCE_INVALID',
      `${request.field}: a ${definition.kind}: source cannot describe the ${side} side`,
      {
        field: request.field,
      },
    );
  }
  return definition.resolve(request, io);
}
