import { KeepaliveParityError } from '../errors.js';
import { READER_EXAMPLES, READERS, registerReader } from '../readers/registry.js';
import { DEPLOYED_READERS, DEPLOYED_SOURCE_KINDS } from '../readers/servers/register.js';
import { albSource, elbSource } from './alb.js';
import { cloudSource } from './cloud.js';
import { envSource } from './env.js';
import { fileReaderSource } from './file-reader.js';
import { pcapSource } from './pcap.js';
import { probeSource } from './probe.js';
import { runtimeSource } from './runtime.js';
import { parseSourceSpec, type SourceSpec } from './spec.js';
import type { ResolvedSide, SourceIo, SourceKindDefinition, SourceRequest } from './types.js';
import { valueSource } from './value.js';

/** The one registry of source kinds. Later readers (nginx:, alb:, probe:, image:) register here. */
const SOURCE_KINDS = new Map<string, SourceKindDefinition>();

export function registerSourceKind(definition: SourceKindDefinition): void {
  SOURCE_KINDS.set(definition.kind, definition);
}

for (const definition of [valueSource, runtimeSource, envSource, probeSource]) registerSourceKind(definition);
// Timeouts measured in a packet capture (issue 14); the CLI streams the file.
registerSourceKind(pcapSource);
// The server side as deployed (issue 6): Dockerfile, compose, ECS, server config files; cmd:, proc:, image:.
for (const reader of DEPLOYED_READERS) registerReader(reader);
for (const definition of DEPLOYED_SOURCE_KINDS) registerSourceKind(definition);
// Live AWS load balancers (alb:NAME, elb:NAME); the CLI provides the API calls.
for (const definition of [albSource, elbSource, cloudSource]) registerSourceKind(definition);
// Every config reader is also a source kind (`nginx:PATH#UPSTREAM`), read through the file bridge.
for (const reader of READERS)
  registerSourceKind(
    fileReaderSource(reader, { example: READER_EXAMPLES[reader.id] ?? `${reader.id}:PATH` }),
  );

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
