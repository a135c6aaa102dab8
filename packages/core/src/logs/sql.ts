/**
 * `--emit-sql`: the streaming engine's ALB classification (formats/alb.ts `classifyAlb`) as SQL over
 * AWS's documented Athena table for ALB access logs (`alb_access_logs`, columns as in the AWS
 * "Querying Application Load Balancer logs" page), for logs that have outgrown one machine.
 * Keep the CASE expressions in step with `classifyAlb`.
 */

import { GAP_BUCKET_EDGES_MS } from './analysis.js';

export type SqlFlavour = 'athena' | 'trino' | 'duckdb';
export const SQL_FLAVOURS: readonly SqlFlavour[] = ['athena', 'trino', 'duckdb'];

/** ALB access-log columns in file order, as AWS's Athena table names them. */
export const ALB_COLUMNS: readonly string[] = [
  'type',
  'time',
  'elb',
  'client_port_raw',
  'target_port_raw',
  'request_processing_time',
  'target_processing_time',
  'response_processing_time',
  'elb_status_code',
  'target_status_code',
  'received_bytes',
  'sent_bytes',
  'request',
  'user_agent',
  'ssl_cipher',
  'ssl_protocol',
  'target_group_arn',
  'trace_id',
  'domain_name',
  'chosen_cert_arn',
  'matched_rule_priority',
  'request_creation_time',
  'actions_executed',
  'redirect_url',
  'lambda_error_reason',
  'target_port_list',
  'target_status_code_list',
  'classification',
  'classification_reason',
  'conn_trace_id',
  'transformed_host',
  'transformed_uri',
  'request_transform_status',
  'extra_34',
  'extra_35',
  'extra_36',
  'extra_37',
  'extra_38',
  'extra_39',
  'extra_40',
];

export interface SqlOptions {
  readonly flavour: SqlFlavour;
  /** Table name (Athena/Trino); default `alb_access_logs`. */
  readonly table?: string;
  /** DuckDB: files or globs to read (default `alb-logs/*.log.gz`). */
  readonly paths?: readonly string[];
  /** Optional time window, ISO 8601. */
  readonly sinceIso?: string;
  readonly untilIso?: string;
}

function quoteLiteral(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
}

/**
 * Epoch milliseconds of an ALB ISO 8601 time string (`2026-11-01T00:00:00.123456Z`), truncated to the
 * millisecond like the streaming engine's `parseIsoMs`: whole seconds from the first 19 characters,
 * milliseconds from the first three fraction digits. The seconds are the only dialect difference.
 */
export function albMsExpr(flavour: SqlFlavour, column: string): string {
  const seconds =
    flavour === 'duckdb'
      ? `epoch(CAST(substr(${column}, 1, 19) AS TIMESTAMP))`
      : `to_unixtime(from_iso8601_timestamp(concat(substr(${column}, 1, 19), 'Z')))`;
  return `(CAST(${seconds} AS BIGINT) * 1000 + coalesce(TRY_CAST(substr(${column}, 21, 3) AS INTEGER), 0))`;
}

/** DuckDB: a view with AWS's column names over the raw (gzip) log files. */
export function duckdbAlbView(paths: readonly string[], view = 'alb_access_logs'): string {
  const columns = ALB_COLUMNS.map((c) => `'${c}': 'VARCHAR'`).join(', ');
  const list = `[${paths.map(quoteLiteral).join(', ')}]`;
  return `CREATE OR REPLACE VIEW ${view} AS
SELECT
  type, time, elb,
  CAST(request_processing_time AS DOUBLE) AS request_processing_time,
  CAST(target_processing_time AS DOUBLE) AS target_processing_time,
  CAST(response_processing_time AS DOUBLE) AS response_processing_time,
  TRY_CAST(elb_status_code AS INTEGER) AS elb_status_code,
  target_status_code,
  -- As AWS's table regex splits it: everything before the last colon (IPv6 targets carry no brackets).
  regexp_extract(target_port_raw, '^(.*):[0-9]*$', 1) AS target_ip,
  CASE WHEN target_port_raw = '-' THEN NULL ELSE regexp_extract(target_port_raw, ':([0-9]*)$', 1) END AS target_port,
  request, split_part(request, ' ', 1) AS request_verb,
  request_creation_time, lambda_error_reason, filename AS "$path"
FROM read_csv(${list}, filename = true, delim = ' ', quote = '"', escape = '\\', header = false, auto_detect = false,
  null_padding = true, ignore_errors = true, strict_mode = false, parallel = false, columns = {${columns}})
WHERE type IN ('http', 'https', 'h2', 'grpcs', 'ws', 'wss') AND request_creation_time IS NOT NULL
  AND lambda_error_reason IS NOT NULL;`;
}

/** The sections of the analysis query's result, one row per aggregate (see `albClassificationSql`). */
export type SqlSection = 'total' | 'status' | 'count5xx' | 'minute' | 'gap' | 'fine';

function gapBucketCase(column: string): string {
  const arms = GAP_BUCKET_EDGES_MS.map((edge, i) => `WHEN ${column} < ${edge} THEN ${i}`).join(' ');
  return `CASE ${arms} ELSE ${GAP_BUCKET_EDGES_MS.length} END`;
}

/**
 * The analysis query: everything `diagnose` computes from ALB access logs, as one long table
 * (`section, k, i, a, b, c, d`) that `diagnose --from-sql-result` turns back into the streaming
 * engine's aggregates and feeds to the same verdict registry:
 * - `total`: a requests, b first time (epoch ms), c last time, d LB 5xx over gRPC (out of scope);
 * - `status`: k status class (`2xx`, `none`), a requests;
 * - `count5xx`: k `generator|status|cause`, a requests (the classification, as `--json` `counts`);
 * - `minute`: i minute (epoch ms / 60000), a requests, b LB 5xx, c target 5xx, d race candidates;
 * - `gap`: k target, i idle-gap bucket (GAP_BUCKET_EDGES_MS), a requests, b race candidates, c LB 5xx;
 * - `fine`: k `all`|`race`|`target`, i fine log-scale gap index (16 per doubling), a requests.
 * The idle gap before a request is its start (time − elapsed since request_creation_time) minus the
 * time of the previous request to the same target in the same file: `lag(time_ms) OVER (PARTITION BY
 * file, target ORDER BY time_ms)`, as the streaming engine does per input in file order.
 */
export function albClassificationSql(options: SqlOptions): string {
  const { flavour } = options;
  const table = options.table ?? 'alb_access_logs';
  const targetStatus = 'TRY_CAST(target_status_code AS INTEGER)';
  const filters = ['TRUE'];
  if (options.sinceIso) filters.push(`time_ms >= ${Date.parse(options.sinceIso)} /* ${options.sinceIso} */`);
  if (options.untilIso) filters.push(`time_ms < ${Date.parse(options.untilIso)} /* ${options.untilIso} */`);
  const v = 'CAST(NULL AS VARCHAR)';
  const n = 'CAST(NULL AS BIGINT)';
  const one = (cond: string) => `sum(CASE WHEN ${cond} THEN 1 ELSE 0 END)`;
  const query = `-- keepalive-parity diagnose: the whole ALB analysis (classification, idle gaps, per minute), flavour ${flavour}.
-- Save the result as CSV or JSON and run: keepalive-parity diagnose --from-sql-result FILE
-- Classification, as the streaming engine: target status 5xx -> target; target answered but LB sent
-- 5xx -> malformed-response; otherwise the LB generated it: 503 no-healthy-upstream, 504
-- connect-timeout (no target time, ~10 s elapsed) or response-timeout, 502 and others unknown (ALB
-- cannot tell a closed reused connection from a refused connect); a Lambda target's error_reason
-- names its cause. Not expressible here: malformed lines (the table drops them), example lines
-- (no line numbers), the per-request join with proxy error logs (ALB has none).
WITH timed AS (
  SELECT
    "$path" AS file,
    CASE WHEN target_ip IS NULL OR target_ip IN ('', '-') OR target_port IS NULL THEN NULL
      ELSE concat(target_ip, ':', CAST(target_port AS VARCHAR)) END AS target,
    type, elb_status_code, target_status_code, target_processing_time, lambda_error_reason,
    ${albMsExpr(flavour, 'time')} AS time_ms,
    ${albMsExpr(flavour, 'request_creation_time')} AS created_ms
  FROM ${table}
),
classified AS (
  SELECT
    file, target, time_ms, type,
    elb_status_code AS status,
    time_ms - greatest(0, coalesce(time_ms - created_ms, 0)) AS start_ms,
    CASE
      WHEN elb_status_code < 500 AND target_status_code = '-' THEN 'lb'
      WHEN elb_status_code < 500 THEN 'target'
      WHEN target_status_code <> '-' AND ${targetStatus} >= 500 THEN 'target'
      WHEN target_status_code = '-' AND lambda_error_reason LIKE 'LambdaUnhandled%' THEN 'target'
      ELSE 'lb'
    END AS generator,
    CASE
      WHEN elb_status_code IS NULL OR elb_status_code < 500 THEN NULL
      WHEN target_status_code <> '-' AND ${targetStatus} >= 500 THEN NULL
      WHEN target_status_code <> '-' THEN 'malformed-response'
      WHEN lambda_error_reason LIKE 'LambdaUnhandled%' THEN NULL
      WHEN lambda_error_reason LIKE 'LambdaInvalidResponse%' OR lambda_error_reason LIKE 'LambdaResponseTooLarge%'
        OR lambda_error_reason LIKE 'LambdaBadRequest%' THEN 'malformed-response'
      WHEN lambda_error_reason LIKE 'Lambda%Timeout%' THEN 'response-timeout'
      WHEN lambda_error_reason LIKE 'Lambda%' THEN 'no-healthy-upstream'
      WHEN elb_status_code = 503 THEN 'no-healthy-upstream'
      WHEN elb_status_code = 504 AND target_processing_time < 0
        AND time_ms - created_ms BETWEEN 9900 AND 10500 THEN 'connect-timeout'
      WHEN elb_status_code = 504 THEN 'response-timeout'
      ELSE 'unknown'
    END AS cause
  FROM timed
  WHERE ${filters.join('\n    AND ')}
),
flagged AS (
  SELECT *,
    coalesce(status >= 500, FALSE) AS is5xx,
    coalesce(status >= 500 AND generator = 'lb', FALSE) AS lb5xx,
    coalesce(status = 502 AND generator = 'lb' AND cause = 'unknown', FALSE) AS race,
    CASE WHEN target IS NOT NULL
      THEN start_ms - lag(time_ms) OVER (PARTITION BY file, target ORDER BY time_ms) END AS gap_ms
  FROM classified
)
SELECT 'total' AS section, ${v} AS k, ${n} AS i, count(*) AS a, min(time_ms) AS b, max(time_ms) AS c,
  ${one("lb5xx AND type = 'grpcs'")} AS d
FROM flagged
UNION ALL
SELECT 'status', CASE WHEN status IS NULL THEN 'none' WHEN status >= 100 AND status < 600
    THEN concat(CAST(CAST(floor(status / 100.0) AS BIGINT) AS VARCHAR), 'xx') ELSE 'other' END,
  ${n}, count(*), ${n}, ${n}, ${n}
FROM flagged GROUP BY 2
UNION ALL
SELECT 'count5xx', concat(generator, '|', CAST(status AS VARCHAR), '|', coalesce(cause, '-')), ${n}, count(*), ${n}, ${n}, ${n}
FROM flagged WHERE is5xx GROUP BY 2
UNION ALL
SELECT 'minute', ${v}, CAST(floor(time_ms / 60000.0) AS BIGINT), count(*), ${one('lb5xx')},
  ${one("is5xx AND generator = 'target'")}, ${one('race')}
FROM flagged GROUP BY 3
UNION ALL
SELECT 'gap', target, ${gapBucketCase('gap_ms')}, count(*), ${one('race')}, ${one('lb5xx')}, ${n}
FROM flagged WHERE gap_ms IS NOT NULL GROUP BY 2, 3
UNION ALL
SELECT 'fine', kind, fine, count(*), ${n}, ${n}, ${n}
FROM (
  SELECT 'all' AS kind, CAST(floor(log2(gap_ms + 1) * 16) AS BIGINT) AS fine FROM flagged WHERE gap_ms >= 0
  UNION ALL
  SELECT CASE WHEN race THEN 'race' ELSE 'target' END, CAST(floor(log2(gap_ms + 1) * 16) AS BIGINT)
  FROM flagged WHERE gap_ms >= 0 AND (race OR (is5xx AND generator = 'target'))
) fine_gaps GROUP BY 2, 3
ORDER BY 1, 2, 3;`;
  if (flavour === 'duckdb') {
    return `${duckdbAlbView(options.paths ?? ['alb-logs/*.log.gz'], table)}\n\n${query}\n`;
  }
  return `${query}\n`;
}
