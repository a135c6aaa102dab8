import { isoMsExpr, type SqlFlavour, type SqlOptions, textLogSql } from './common.js';

/**
 * `--emit-sql --format caddy`: Caddy's JSON access log (`http.log.access` entries) over a table of
 * one string column `line` per log line. Keep in step with formats/caddy.ts `parseCaddyLine`: a
 * 5xx with `size` 0 is Caddy's own (504 response-timeout, 503 no-healthy-upstream, others
 * unknown), any other response the target's; the idle gap is per `X-Upstream` response header, or
 * over all upstreams without it (`gapsWithoutTarget`). Error entries (`http.log.error`) are not
 * counted: their per-request join with access entries has no SQL form (docs/diagnose.md).
 */

/**
 * A JSON value as text, NULL when absent or when the line is not JSON. DuckDB's
 * `json_extract_string` fails on invalid JSON, so it is guarded by `json_valid`; Trino's
 * `json_extract_scalar` is wrapped in `try`. Paths: DuckDB quotes a key with `."key"`, Trino's
 * JSONPath with `["key"]`.
 */
function jsonText(flavour: SqlFlavour, path: readonly string[]): string {
  if (flavour === 'duckdb') {
    const p = `$${path.map((k) => (/^\d+$/.test(k) ? `[${k}]` : /^\w+$/.test(k) ? `.${k}` : `."${k}"`)).join('')}`;
    return `CASE WHEN json_valid(line) THEN json_extract_string(line, '${p}') END`;
  }
  const p = `$${path.map((k) => (/^\d+$/.test(k) ? `[${k}]` : /^\w+$/.test(k) ? `.${k}` : `["${k}"]`)).join('')}`;
  return `try(json_extract_scalar(line, '${p}'))`;
}

export function caddyClassificationSql(options: SqlOptions): string {
  const { flavour } = options;
  return textLogSql(options, {
    formatId: 'caddy',
    defaultTable: 'caddy_logs',
    defaultPath: 'caddy-access.log',
    what: 'Caddy access-log',
    notes: [
      "Classification, as the streaming engine (formats/caddy.ts): a 5xx with size 0 is Caddy's own",
      "(504 response-timeout, 503 no-healthy-upstream, else unknown); anything else is the target's.",
      'Not expressible here: error entries and their per-request join, example lines, malformed lines.',
    ],
    ctes: ({ table, fileAndLine, order }) => `fields AS (
  SELECT ${fileAndLine},
    ${jsonText(flavour, ['logger'])} AS logger,
    ${jsonText(flavour, ['ts'])} AS ts,
    TRY_CAST(${jsonText(flavour, ['status'])} AS DOUBLE) AS status_number,
    TRY_CAST(${jsonText(flavour, ['duration'])} AS DOUBLE) AS duration,
    TRY_CAST(${jsonText(flavour, ['size'])} AS DOUBLE) AS size,
    ${jsonText(flavour, ['resp_headers', 'X-Upstream', '0'])} AS upstream,
    ${jsonText(flavour, ['request', 'proto'])} AS proto
  FROM ${table}
  WHERE ltrim(line) LIKE '{%'
),
parsed AS (
  SELECT *, CAST(status_number AS INTEGER) AS status,
    -- formats/util.ts jsonTimeMs: seconds (or ms above 1e11) as a number, or an ISO 8601 string.
    CASE WHEN TRY_CAST(ts AS DOUBLE) IS NULL THEN CAST(${isoMsExpr(flavour, 'ts')} AS DOUBLE)
      WHEN TRY_CAST(ts AS DOUBLE) > 1e11 THEN TRY_CAST(ts AS DOUBLE)
      ELSE TRY_CAST(ts AS DOUBLE) * 1000 END AS time_ms
  FROM fields
  WHERE substr(logger, 1, 15) = 'http.log.access' AND status_number IS NOT NULL
),
classified AS (
  SELECT file, ${order} AS ord, time_ms, status,
    time_ms - coalesce(round(duration * 1000), 0) AS start_ms,
    coalesce(nullif(upstream, ''), '(all upstreams)') AS target,
    CASE WHEN status >= 500 AND size = 0 THEN 'lb' ELSE 'target' END AS generator,
    CASE WHEN status >= 500 AND size = 0 THEN
      CASE status WHEN 504 THEN 'response-timeout' WHEN 503 THEN 'no-healthy-upstream' ELSE 'unknown' END
    END AS cause,
    coalesce(proto IN ('grpc', 'h2c'), FALSE) AS grpc, FALSE AS retried, CAST(NULL AS VARCHAR) AS phase
  FROM parsed
  WHERE time_ms IS NOT NULL
)`,
  });
}
