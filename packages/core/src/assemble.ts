import { parseDuration } from './duration/syntaxes.js';
import { KeepaliveParityError } from './errors.js';
import type { Fact } from './facts.js';
import type { Hop, HopSide } from './hops.js';
import type { HopSpec, SideSpec } from './hops-file.js';
import type { HopRole } from './kb/index.js';
import { findProduct, unknownProductMessage } from './kb/products.js';
import { DEFAULT_MARGIN_MS } from './rules/index.js';
import { ensureSourceKind, parseSource, resolveSource } from './sources/registry.js';
import type { SourceIo } from './sources/types.js';

export interface AssembleOptions {
  readonly marginMs?: number | undefined;
  readonly allowDefault: boolean;
}

function extraFacts(spec: SideSpec): Fact[] {
  const facts: Fact[] = [];
  const provenance = { kind: 'file' as const, file: spec.file, line: spec.line };
  const { headersTimeout, maxRequests, lifetime } = spec.extras;
  if (headersTimeout !== undefined) {
    const d = parseDuration(headersTimeout, {
      syntax: 'plain',
      location: { file: spec.file, line: spec.line, field: 'headersTimeout' },
    });
    facts.push({
      subject: 'headers-timeout',
      value: { type: 'duration', ms: d.ms, text: d.text },
      setting: 'headersTimeout',
      provenance,
    });
  }
  if (maxRequests !== undefined) {
    facts.push({
      subject: 'max-requests-per-connection',
      value: { type: 'count', count: maxRequests, text: String(maxRequests) },
      provenance,
    });
  }
  if (lifetime !== undefined) {
    const d = parseDuration(lifetime, {
      syntax: 'plain',
      location: { file: spec.file, line: spec.line, field: 'lifetime' },
    });
    facts.push({
      subject: 'connection-lifetime',
      value: { type: 'duration', ms: d.ms, text: d.text },
      provenance,
    });
  }
  return facts;
}

/** Resolves one side spec into one or more sides (a file may hold several upstreams). */
export async function resolveSide(
  spec: SideSpec,
  role: HopRole,
  io: SourceIo,
  allowDefault: boolean,
): Promise<HopSide[]> {
  await ensureSourceKind(spec.source);
  // A product named for a value (--lb-product, --backend-product, `product:` in a hops file) must be
  // known: an unknown one would silently lose its unit and its fixes.
  const productName = spec.product?.replace(/@.*$/, '');
  if (productName !== undefined && !findProduct(productName)) {
    throw new KeepaliveParityError(
      'KAP_USAGE',
      `${spec.field === '--lb' ? '--lb-product' : spec.field === '--backend' ? '--backend-product' : `${spec.field} product`}: ${unknownProductMessage(productName)}`,
      { field: spec.field },
    );
  }
  const request = {
    spec: parseSource(spec.source, spec.field),
    role,
    field: spec.field,
    unit: spec.unit,
    product: spec.product,
    allowDefault,
  };
  const resolved = await resolveSource(request, io);
  if (resolved.length === 0) {
    throw new KeepaliveParityError(
      'KAP_SOURCE_UNAVAILABLE',
      `${spec.field}: ${spec.source} yielded nothing to check`,
      { field: spec.field },
    );
  }
  // Caveat facts given in the file replace the defaults of the same subject.
  const extras = extraFacts(spec);
  const replaced = new Set(extras.map((f) => f.subject));
  return resolved.map((side) => ({
    label: spec.label ?? side.label,
    product: side.product,
    facts: [...side.facts.filter((f) => !replaced.has(f.subject)), ...extras],
    source: side.source,
    diagnostics: side.diagnostics?.map((d) =>
      typeof d === 'string' ? { severity: 'warning' as const, message: d, file: side.source } : d,
    ),
  }));
}

/** Resolves every hop spec; a source with several sides becomes several hops. */
export async function assembleHops(
  specs: readonly HopSpec[],
  io: SourceIo,
  options: AssembleOptions,
): Promise<Hop[]> {
  const hops: Hop[] = [];
  for (const spec of specs) {
    const clients = await resolveSide(spec.client, 'pool', io, options.allowDefault);
    const servers = await resolveSide(spec.server, 'server', io, options.allowDefault);
    for (const client of clients) {
      for (const server of servers) {
        hops.push({
          index: hops.length,
          name: spec.name ?? `${client.label} → ${server.label}`,
          client,
          server,
          marginMs: spec.marginMs ?? options.marginMs ?? DEFAULT_MARGIN_MS,
        });
      }
    }
  }
  return hops;
}
