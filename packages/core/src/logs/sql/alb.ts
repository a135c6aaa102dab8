/**
 * `--emit-sql --format alb`: the streaming engine's ALB classification (formats/alb.ts `classifyAlb`) as SQL over
 * AWS's documented Athena table for ALB access logs (`alb_access_logs`, columns as in the AWS
 * "Querying Application Load Balancer logs" page), for logs that have outgrown one machine.
 * Keep the CASE expressions in step with `classifyAlb`.
 */

import {
  analysisSql,
  isoSecondsExpr,
  quoteLiteral,
  type SqlFlavour,
  type SqlOptions,
  withView,
} from './common.js';

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

/**
 * Epoch milliseconds of an ALB ISO 8601 time string (`2026-11-01T00:00:00.123456Z`), truncated to the
 * millisecond like the streaming engine's `parseIsoMs`: whole seconds from the first 19 characters,
 * milliseconds from the first three fraction digits. The seconds are the only dialect difference.
 */
export function albMsExpr(flavour: SqlFlavour, column: string): string {
  const seconds = isoSecondsExpr(flavour, `substr(${column}, 1, 19)`);
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

/**
 * The ALB analysis: AWS's table columns, classified as `classifyAlb` does, through the shared
 * analysis tail (common.ts `analysisSql`). Gaps use `lag(time_ms)` in time order: ALB writes each
 * file in time order, and the CSV reader gives no line numbers.
 */
export function albClassificationSql(options: SqlOptions): string {
  const { flavour } = options;
  const table = options.table ?? 'alb_access_logs';
  const targetStatus = 'TRY_CAST(target_status_code AS INTEGER)';
  const query = analysisSql({
    flavour,
    formatId: 'alb',
    sinceIso: options.sinceIso,
    untilIso: options.untilIso,
    header: [
      `keepalive-parity diagnose: the whole ALB analysis (classification, idle gaps, per minute), flavour ${flavour}.`,
      'Save the result as CSV or JSON and run: keepalive-parity diagnose --from-sql-result FILE',
      'Classification, as the streaming engine: target status 5xx -> target; target answered but LB sent',
      '5xx -> malformed-response; otherwise the LB generated it: 503 no-healthy-upstream, 504',
      'connect-timeout (no target time, ~10 s elapsed) or response-timeout, 502 and others unknown (ALB',
      "cannot tell a closed reused connection from a refused connect); a Lambda target's error_reason",
      'names its cause. Not expressible here: malformed lines (the table drops them), example lines',
      '(no line numbers), the per-request join with proxy error logs (ALB has none).',
    ],
    ctes: `timed AS (
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
    file, target, time_ms, type = 'grpcs' AS grpc, FALSE AS retried, ${'CAST(NULL AS VARCHAR)'} AS phase,
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
)`,
    previousFinish: 'lag(time_ms) OVER (PARTITION BY file, target ORDER BY time_ms)',
    previousFinishStart: 'lag(start_ms) OVER (PARTITION BY file, target ORDER BY time_ms)',
  });
  return withView(flavour, duckdbAlbView(options.paths ?? ['alb-logs/*.log.gz'], table), query);
}
