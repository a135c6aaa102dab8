/**
 * `--emit-sql`: the streaming engine's ALB classification (formats/alb.ts `classifyAlb`) as SQL over
 * AWS's documented Athena table for ALB access logs (`alb_access_logs`, columns as in the AWS
 * "Querying Application Load Balancer logs" page), for logs that have outgrown one machine.
 * Keep the CASE expressions in step with `classifyAlb`.
 */

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

function elapsedMs(flavour: SqlFlavour): string {
  return flavour === 'duckdb'
    ? "date_diff('millisecond', CAST(request_creation_time AS TIMESTAMPTZ), CAST(time AS TIMESTAMPTZ))"
    : "date_diff('millisecond', from_iso8601_timestamp(request_creation_time), from_iso8601_timestamp(time))";
}

function timeExpr(flavour: SqlFlavour): string {
  return flavour === 'duckdb' ? 'CAST(time AS TIMESTAMPTZ)' : 'from_iso8601_timestamp(time)';
}

function tsLiteral(flavour: SqlFlavour, iso: string): string {
  return flavour === 'duckdb'
    ? `CAST(${quoteLiteral(iso)} AS TIMESTAMPTZ)`
    : `from_iso8601_timestamp(${quoteLiteral(iso)})`;
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
  split_part(target_port_raw, ':', 1) AS target_ip,
  request, split_part(request, ' ', 1) AS request_verb,
  request_creation_time, lambda_error_reason
FROM read_csv(${list}, delim = ' ', quote = '"', escape = '\\', header = false, auto_detect = false,
  null_padding = true, ignore_errors = true, strict_mode = false, parallel = false, columns = {${columns}})
WHERE type IN ('http', 'https', 'h2', 'grpcs', 'ws', 'wss') AND request_creation_time IS NOT NULL
  AND lambda_error_reason IS NOT NULL;`;
}

/** The classification query: 5xx by generator × status × cause, like `diagnose --json` `counts`. */
export function albClassificationSql(options: SqlOptions): string {
  const { flavour } = options;
  const table = options.table ?? 'alb_access_logs';
  const targetStatus = 'TRY_CAST(target_status_code AS INTEGER)';
  const filters = ['elb_status_code >= 500'];
  if (options.sinceIso) filters.push(`${timeExpr(flavour)} >= ${tsLiteral(flavour, options.sinceIso)}`);
  if (options.untilIso) filters.push(`${timeExpr(flavour)} < ${tsLiteral(flavour, options.untilIso)}`);
  const query = `-- keepalive-parity diagnose: 5xx by generator (lb|target) x status x cause, ALB flavour ${flavour}.
-- Same rules as the streaming engine: target status 5xx -> target; target answered but LB sent 5xx ->
-- malformed-response; otherwise the LB generated it: 503 no-healthy-upstream, 504 connect-timeout
-- (no target time, ~10 s elapsed) or response-timeout, 502 and others unknown (ALB cannot tell a
-- closed reused connection from a refused connect); a Lambda target's error_reason names its cause.
WITH classified AS (
  SELECT
    elb_status_code AS status,
    CASE
      WHEN target_status_code <> '-' AND ${targetStatus} >= 500 THEN 'target'
      WHEN target_status_code = '-' AND lambda_error_reason LIKE 'LambdaUnhandled%' THEN 'target'
      ELSE 'lb'
    END AS generator,
    CASE
      WHEN target_status_code <> '-' AND ${targetStatus} >= 500 THEN NULL
      WHEN target_status_code <> '-' THEN 'malformed-response'
      WHEN lambda_error_reason LIKE 'LambdaUnhandled%' THEN NULL
      WHEN lambda_error_reason LIKE 'LambdaInvalidResponse%' OR lambda_error_reason LIKE 'LambdaResponseTooLarge%'
        OR lambda_error_reason LIKE 'LambdaBadRequest%' THEN 'malformed-response'
      WHEN lambda_error_reason LIKE 'Lambda%Timeout%' THEN 'response-timeout'
      WHEN lambda_error_reason LIKE 'Lambda%' THEN 'no-healthy-upstream'
      WHEN elb_status_code = 503 THEN 'no-healthy-upstream'
      WHEN elb_status_code = 504 AND target_processing_time < 0
        AND ${elapsedMs(flavour)} BETWEEN 9900 AND 10500 THEN 'connect-timeout'
      WHEN elb_status_code = 504 THEN 'response-timeout'
      ELSE 'unknown'
    END AS cause,
    time,
    target_ip
  FROM ${table}
  WHERE ${filters.join('\n    AND ')}
)
SELECT generator, status, cause, count(*) AS requests
FROM classified
GROUP BY generator, status, cause
ORDER BY requests DESC, generator, status, cause;`;
  if (flavour === 'duckdb') {
    return `${duckdbAlbView(options.paths ?? ['alb-logs/*.log.gz'], table)}\n\n${query}\n`;
  }
  return `${query}\n`;
}
