import { z } from 'zod';

/**
 * The commands' `--json` documents as zod schemas (MCP `outputSchema`). The fields an agent acts on
 * are typed; nested details are open objects (`looseObject`) so that a field added to a report
 * does not break a client, while a renamed or retyped field fails the tests.
 */

const ms = z.number().describe('milliseconds');
const nullableMs = ms.nullable();

export const provenanceSchema = z
  .looseObject({
    kind: z.enum(['command-line', 'file', 'env', 'live-api', 'probe', 'knowledge-base', 'derived']),
    file: z.string().optional(),
    line: z.number().int().optional(),
  })
  .describe('where a value came from; for kind "file": file and line');

export const factSchema = z.looseObject({
  subject: z.string(),
  valueType: z.string(),
  valueMs: ms.optional(),
  text: z.string().optional(),
  product: z.string().nullable(),
  setting: z.string().nullable(),
  isDefault: z.boolean(),
  provenance: provenanceSchema,
  notes: z.array(z.string()),
});

const sideSchema = z.looseObject({
  label: z.string(),
  product: z.string().nullable(),
  source: z.string().nullable(),
  facts: z.array(factSchema),
});

const fixSchema = z.looseObject({ action: z.string(), possible: z.boolean(), text: z.string() });

export const hopSchema = z.looseObject({
  index: z.number().int(),
  name: z.string(),
  verdict: z.enum(['holds', 'violation', 'unknown']),
  marginMs: ms,
  serverKeepAliveMs: nullableMs,
  clientIdleMs: nullableMs,
  requiredMs: nullableMs,
  headroomMs: nullableMs,
  client: sideSchema,
  server: sideSchema,
});

export const findingSchema = z.looseObject({
  id: z.string().describe('rule id; its page is the resource keepalive-parity://rules/{id}'),
  severity: z.enum(['error', 'warning', 'note']),
  hopIndex: z.number().int(),
  message: z.string(),
  numbers: z.record(z.string(), z.unknown()),
  details: z.record(z.string(), z.unknown()),
  facts: z.array(factSchema),
  fixes: z.array(fixSchema),
  docs: z.string(),
});

const reportShape = {
  schemaVersion: z.number().int(),
  command: z.string(),
  verdict: z.enum(['holds', 'violation', 'unknown']),
  hops: z.array(hopSchema),
  findings: z.array(findingSchema),
};

/** `check --json` and `assert --json`. */
export const reportSchema = z.looseObject(reportShape);

/** `scan --json`: check's document plus what only scan knows. */
export const scanSchema = z.looseObject({
  ...reportShape,
  hops: z.array(hopSchema.extend({ pairedBy: z.string().nullable() })),
  root: z.string(),
  unpaired: z.array(z.looseObject({ role: z.string(), label: z.string() })),
  diagnostics: z.array(z.looseObject({ severity: z.string(), file: z.string(), message: z.string() })),
  detected: z.record(z.string(), z.array(z.string())),
  filesScanned: z.number().int(),
  hopsFile: z.string().nullable().optional(),
});

/** `defaults --json` (entries) and `defaults --products --json` (products). */
export const defaultsSchema = z.looseObject({
  schemaVersion: z.number().int(),
  command: z.literal('defaults'),
  query: z.string().nullable().optional(),
  entries: z
    .array(
      z.looseObject({
        id: z.string(),
        product: z.string(),
        role: z.enum(['lb-upstream-pool', 'server-keepalive', 'client-pool']),
        setting: z.string(),
        unit: z.string(),
        defaultMs: nullableMs,
        versions: z.string(),
        sourceUrl: z.string(),
        verified: z.boolean(),
        notes: z.string(),
      }),
    )
    .optional(),
  products: z
    .array(
      z.looseObject({
        id: z.string(),
        name: z.string(),
        aliases: z.array(z.string()),
        asClientPool: z.boolean(),
        asServer: z.boolean(),
      }),
    )
    .optional(),
});

/** `probe --json`. */
export const probeSchema = z.looseObject({
  schemaVersion: z.number().int(),
  url: z.string(),
  method: z.enum(['GET', 'HEAD']),
  through: z.enum(['direct', 'lb']),
  measuredSide: z.string(),
  protocol: z.enum(['http/1.1', 'http/1.0', 'h2-only']).nullable().describe('null when nothing was read'),
  samples: z.array(
    z.looseObject({ closeKind: z.string(), idleCloseMs: nullableMs }).describe('one fresh connection'),
  ),
  summary: z
    .looseObject({ count: z.number().int(), minMs: ms, medianMs: ms, maxMs: ms })
    .nullable()
    .describe('measured idle closes; null when none was measured'),
  advertised: z.looseObject({ timeoutSeconds: z.number().nullable() }),
  advertisedAgreement: z.string(),
  keepAlive: z.boolean().nullable(),
  interrupted: z.boolean(),
  error: z.looseObject({ code: z.string(), message: z.string() }).optional(),
  startedAt: z.string(),
  finishedAt: z.string(),
});

/** `diagnose --json`. */
export const diagnoseSchema = z.looseObject({
  schemaVersion: z.number().int(),
  command: z.literal('diagnose'),
  interrupted: z.boolean(),
  inputs: z.array(
    z.looseObject({
      name: z.string(),
      format: z.string().nullable(),
      bytes: z.number(),
      lines: z.number().int(),
    }),
  ),
  verdict: z.string().describe('keepalive-race | not-this-trap | inconclusive'),
  reasons: z.array(z.looseObject({ code: z.string(), message: z.string() })),
  lines: z.number().int(),
  requests: z.number().int(),
  malformedLines: z.number().int(),
  counts: z.array(z.looseObject({})),
  estimatedBackendKeepAliveMs: nullableMs,
});

/** `lab --json`. */
export const labSchema = z.looseObject({
  schemaVersion: z.number().int(),
  command: z.literal('lab'),
  proxy: z.looseObject({ name: z.string(), displayName: z.string() }),
  backend: z.looseObject({ configuredKeepAliveMs: ms, measuredKeepAliveMs: nullableMs }),
  mode: z.enum(['deterministic', 'natural']),
  scenarios: z.array(z.looseObject({ name: z.string() })),
  raceReproduced: z.boolean(),
});
