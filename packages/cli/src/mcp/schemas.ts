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

/** `diagnose --json`'s `metrics` (with prom: or cloudwatch: inputs). */
const metricsDiagnosisSchema = z.looseObject({
  verdict: z.string().describe('keepalive-race | not-this-trap | inconclusive, from the metrics alone'),
  reasons: z.array(
    z.looseObject({
      code: z.string(),
      vote: z.string(),
      message: z.string(),
      periods: z.array(z.number()).describe('period starts (epoch ms) the reason cites'),
    }),
  ),
  periodMs: ms,
  totals: z.looseObject({}),
  quietPeriod: z.looseObject({}).nullable(),
  platforms: z.array(z.looseObject({})),
  missing: z.array(
    z.looseObject({ input: z.string(), kind: z.string(), source: z.string(), reason: z.string() }),
  ),
  next: z.array(z.string()).describe('what to collect next when inconclusive'),
  inputs: z.array(
    z.looseObject({
      name: z.string(),
      platform: z.string(),
      resource: z.string(),
      periodMs: ms,
      from: z.string(),
      until: z.string(),
    }),
  ),
  perPeriod: z.array(z.looseObject({ time: z.string() })),
});

/**
 * `diagnose --json`. With log inputs: the logs' fields below; with metrics inputs: `metrics`; with
 * both, the logs' fields, `metrics`, `logVerdict` and the combined `verdict`.
 */
export const diagnoseSchema = z.looseObject({
  schemaVersion: z.number().int(),
  command: z.literal('diagnose'),
  verdict: z.string().describe('keepalive-race | not-this-trap | inconclusive (logs and metrics combined)'),
  interrupted: z.boolean().optional(),
  inputs: z
    .array(
      z.looseObject({
        name: z.string(),
        format: z.string().nullable(),
        bytes: z.number(),
        lines: z.number().int(),
      }),
    )
    .optional(),
  reasons: z.array(z.looseObject({ code: z.string(), message: z.string() })).optional(),
  lines: z.number().int().optional(),
  requests: z.number().int().optional(),
  malformedLines: z.number().int().optional(),
  counts: z.array(z.looseObject({})).optional(),
  estimatedBackendKeepAliveMs: nullableMs.optional(),
  logVerdict: z.string().optional().describe("the logs' own verdict, when metrics were given too"),
  metrics: metricsDiagnosisSchema.optional().describe('the verdict from prom: / cloudwatch: inputs'),
});

/** `evidence --json`. */
const idleClosesShape = {
  address: z.string(),
  idleCloses: z.number().int(),
  idleCloseMs: z.looseObject({ min: ms, median: ms, max: ms }).nullable(),
  closedWith: z.looseObject({ fin: z.number().int(), rst: z.number().int() }),
  exact: z.boolean(),
  histogram: z.array(z.looseObject({ fromMs: ms, toMs: ms, count: z.number().int() })),
};

export const evidenceSchema = z.looseObject({
  schemaVersion: z.number().int(),
  command: z.literal('evidence'),
  interrupted: z.boolean(),
  files: z.array(
    z.looseObject({
      file: z.string(),
      format: z.string().nullable(),
      bytes: z.number(),
      frames: z.number().int(),
      tcpSegments: z.number().int(),
    }),
  ),
  frames: z.number().int(),
  tcpSegments: z.number().int(),
  connections: z.number().int(),
  evictedOpenConnections: z.number().int(),
  racesTotal: z.number().int().describe('requests that met a closing idle connection (the phantom 502)'),
  races: z
    .array(
      z.looseObject({
        connection: z.string(),
        server: z.string(),
        requestAt: z.string(),
        idleBeforeRequestMs: nullableMs,
        serverFinBeforeRequestMs: nullableMs,
        answer: z.string(),
        requestsBefore: z.number().int(),
      }),
    )
    .describe('the first 1000 races'),
  raceTimeline: z.looseObject({}).nullable(),
  servers: z
    .array(z.looseObject({ ...idleClosesShape, keptIdleAtLeastMs: nullableMs }))
    .describe('measured server keep-alive per address'),
  clients: z
    .array(z.looseObject({ ...idleClosesShape, heldIdleAtLeastMs: nullableMs }))
    .describe('measured client pool idle per address'),
  hops: z.array(
    z.looseObject({
      client: z.string(),
      server: z.string(),
      serverKeepAliveMs: nullableMs,
      clientIdleMs: nullableMs,
      marginMs: ms,
      verdict: z.enum(['holds', 'violation', 'unknown']),
      findings: z.array(z.string()).describe('rule ids; keepalive-parity://rules/{id}'),
      notes: z.array(z.string()),
    }),
  ),
  otherCloses: z.array(
    z.looseObject({
      kind: z.string(),
      server: z.string(),
      count: z.number().int(),
      examples: z.array(z.string()),
    }),
  ),
  marginMs: ms,
  diagnostics: z.array(
    z.looseObject({ file: z.string(), offset: z.number(), code: z.string(), message: z.string() }),
  ),
  warnings: z.array(z.string()),
});

/** `verify --json`. */
const verifyWindowSchema = z.looseObject({
  fromMs: z.number(),
  untilMs: z.number(),
  periods: z.number().int(),
  requests: z.number().nullable(),
  raceErrors: z.number(),
  target5xx: z.number().nullable(),
  degradedPeriods: z.number().int(),
});
const verifyOutcome = z.enum(['verified', 'remains', 'too-little-traffic', 'nothing-before']);
const intervalSchema = z.looseObject({ from: z.string(), until: z.string() });

export const verifySchema = z.looseObject({
  schemaVersion: z.number().int(),
  command: z.literal('verify'),
  verdict: verifyOutcome.describe('the worst source: remains if any source says so'),
  before: intervalSchema,
  after: intervalSchema,
  sources: z.array(
    z.looseObject({
      source: z.enum(['metrics', 'logs']),
      inputs: z.array(z.string()),
      result: z.looseObject({
        outcome: verifyOutcome,
        before: verifyWindowSchema,
        after: verifyWindowSchema,
        model: z.enum(['binomial-per-request', 'poisson-per-minute']).nullable(),
        expectedAfter: z.number().nullable().describe('errors expected after, had the old rate continued'),
        probability: z.number().nullable().describe('P(this few errors after | old rate)'),
        needed: z
          .looseObject({ requests: z.number().optional(), minutes: z.number().optional() })
          .nullable()
          .describe('traffic the after-window needs before zero errors is significant'),
        statement: z.string(),
        notes: z.array(z.string()),
      }),
    }),
  ),
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
