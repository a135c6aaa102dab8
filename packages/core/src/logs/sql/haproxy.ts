import { clfMsExpr, regexFields, type SqlOptions, textLogSql } from './common.js';

/**
 * `--emit-sql --format haproxy`: HAProxy `option httplog` lines (after any syslog header) over a
 * table of one string column `line` per log line. The regular expression is formats/haproxy.ts's
 * `BODY` (keep them in step), the classification its `classifyHaproxy`, the phase
 * its `haproxyPhase`. Lines it does not match (`option tcplog`, other messages, truncated lines)
 * are left out, as the streaming engine skips or counts them apart.
 */
export const HAPROXY_HTTPLOG_REGEX =
  '(?:^|\\s)(?:[\\da-fA-F.:]+|unix|-):\\d+ \\[([^\\]]+)\\] \\S+ (\\S+)/(\\S+) (?:[^\\s/]+ )?-?\\d+/-?\\d+/-?\\d+/(-?\\d+)/\\+?(-?\\d+) +(-?\\d+) \\+?\\d+ (?:\\S+ \\S+ )?([A-Za-z-]{4}) \\d+/\\d+/\\d+/\\d+/\\+?\\d+ \\d+/\\d+(?: \\{[^}]*\\})*(?: ".*")?';

/**
 * The capture groups of HAPROXY_HTTPLOG_REGEX (BODY's other groups are non-capturing here: DuckDB's
 * regexp_extract takes groups 0 to 9): accept date, backend, server, Tr, Ta, status, termination state.
 */
const GROUPS: ReadonlyMap<string, number> = new Map(
  ['accept_date', 'backend', 'server', 'tr', 'ta', 'st', 'tsc'].map((name, i) => [name, i + 1]),
);

export function haproxyClassificationSql(options: SqlOptions): string {
  const { flavour } = options;
  const { from, field } = regexFields(flavour, HAPROXY_HTTPLOG_REGEX, GROUPS);
  return textLogSql(options, {
    formatId: 'haproxy',
    defaultTable: 'haproxy_logs',
    defaultPath: 'haproxy.log',
    what: 'HAProxy httplog',
    notes: [
      'Classification, as the streaming engine (formats/haproxy.ts classifyHaproxy): the termination',
      'state says who ended the session in which phase; SH with Tr = -1 (the server closed before any',
      'response header on a reused connection) is the race. Time: accept date + Ta; the idle gap',
      'before a request is measured from its accept date, per backend/server. Not expressible here:',
      'example lines, malformed-line counts.',
    ],
    ctes: ({ table, fileAndLine, order }) => `fields AS (
  SELECT ${fileAndLine},
    ${field('accept_date')} AS accept_date, ${field('backend')} AS backend, ${field('server')} AS server,
    CAST(${field('tr')} AS BIGINT) AS tr, CAST(${field('ta')} AS BIGINT) AS ta,
    CAST(${field('st')} AS BIGINT) AS st, ${field('tsc')} AS tsc
  FROM ${from(table)}
),
parsed AS (
  SELECT *, ${clfMsExpr(flavour, 'accept_date')} AS accept_ms,
    CASE WHEN st < 0 THEN NULL ELSE st END AS status,
    substr(tsc, 1, 1) AS who, substr(tsc, 2, 1) AS ph
  FROM fields
),
classified AS (
  SELECT file, ${order} AS ord, status,
    accept_ms + greatest(0, ta) AS time_ms,
    accept_ms + greatest(0, ta) - CASE WHEN ta >= 0 THEN ta ELSE 0 END AS start_ms,
    CASE WHEN server = '<NOSRV>' THEN NULL ELSE concat(backend, '/', server) END AS target,
    CASE
      WHEN who = 'S' AND ph = 'D' THEN 'target'
      WHEN status IS NULL OR status < 500 THEN CASE WHEN who IN ('C', 'c') OR who <> '-' THEN 'lb' ELSE 'target' END
      WHEN who = '-' OR (who NOT IN ('L', 'K') AND ph = 'D') THEN 'target'
      ELSE 'lb'
    END AS generator,
    CASE
      WHEN who = 'S' AND ph = 'D' THEN 'upstream-closed-mid-response'
      WHEN status IS NULL OR status < 500 THEN CASE WHEN who IN ('C', 'c') AND status IS NULL THEN 'client-aborted' END
      WHEN who = '-' OR (who NOT IN ('L', 'K') AND ph = 'D') THEN NULL
      WHEN who = 'S' AND ph = 'H' THEN CASE WHEN tr = -1 THEN 'upstream-closed-reused-connection' ELSE 'unknown' END
      WHEN who = 'S' AND ph = 'C' THEN CASE WHEN server = '<NOSRV>' THEN 'no-healthy-upstream' ELSE 'connect-refused' END
      WHEN who = 's' AND ph = 'C' THEN 'connect-timeout'
      WHEN who = 's' AND ph = 'H' THEN 'response-timeout'
      WHEN ph = 'Q' THEN 'no-healthy-upstream'
      WHEN who = 'P' AND ph = 'H' THEN 'malformed-response'
      WHEN who IN ('C', 'c') THEN 'client-aborted'
      WHEN server = '<NOSRV>' AND status = 503 THEN 'no-healthy-upstream'
      ELSE 'unknown'
    END AS cause,
    FALSE AS grpc, FALSE AS retried,
    CASE WHEN server = '<NOSRV>' OR who NOT IN ('S', 's', 'P') THEN NULL
      WHEN ph = 'C' THEN 'connect' WHEN ph = 'H' THEN 'read-header' WHEN ph = 'D' THEN 'read-body' END AS phase
  FROM parsed
  WHERE accept_ms IS NOT NULL
)`,
  });
}
