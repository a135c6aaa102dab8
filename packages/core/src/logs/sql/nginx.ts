import { KeepaliveParityError } from '../../errors.js';
import { compileNginxLogFormat } from '../formats/nginx-access.js';
import {
  clfMsExpr,
  isoMsExpr,
  lastOfListExpr,
  regexFields,
  regexMatchesExpr,
  type SqlOptions,
  secondsToMsExpr,
  textLogSql,
} from './common.js';

/**
 * `--emit-sql --format nginx-*`: nginx access logs in any `log_format` the streaming engine takes
 * (formats/nginx-access.ts), over a table of one string column `line` per log line. The
 * `log_format` is compiled to one regular expression that splits a line as `matchNginxLine` does:
 * each variable runs to the first occurrence of the literal text after it (a lazy group); a list
 * variable (`$upstream_addr`, `$upstream_status`, ...: the compiled format's `list`) before a single
 * space runs to the first space that is not inside `a, b` or `a : b`. Keep the classification in step with `nginxAccessParser`.
 */

/** Escapes regex metacharacters for RE2 (DuckDB) and Java/Joni (Trino) alike. */
function escapeRegex(text: string): string {
  return text.replace(/[\\^$.|?*+()[\]{}]/g, '\\$&');
}

/**
 * The variables the classification reads besides the time (the only capture groups, with the one
 * time variable read: at most 8, as DuckDB's regexp_extract takes groups 0 to 9).
 */
const TIME_VARIABLES = ['msec', 'time_iso8601', 'time_local'];
const READ_VARIABLES = new Set([
  'status',
  'request_time',
  'upstream_status',
  'upstream_addr',
  'upstream_connect_time',
  'upstream_header_time',
  'upstream_response_length',
]);

/**
 * The regular expression of a `log_format`, and the capture group of each variable the
 * classification reads (1-based; the other variables are non-capturing groups). Leftmost-first
 * lazy groups give `matchNginxLine`'s split for every line it accepts (both RE2 and Java's engine
 * pick, among the matches, the one a backtracking search finds first); a line it rejects may still
 * match here by backtracking, so the SQL may read a line the streaming engine counts as malformed.
 */
export function nginxLogFormatRegex(format: string): { regex: string; groups: Map<string, number> } {
  const compiled = compileNginxLogFormat(format);
  const groups = new Map<string, number>();
  // (?s): `.` matches every character in both engines (Java's excludes line terminators otherwise).
  let regex = `(?s)^${escapeRegex(compiled.prefix)}`;
  const last = compiled.segments.length - 1;
  // The streaming parser's index keeps a variable's last occurrence: only that one captures.
  const lastIndex = new Map(compiled.segments.map((s, i) => [s.variable, i]));
  // The streaming parser reads $msec, else $time_iso8601, else $time_local.
  const time = TIME_VARIABLES.find((v) => lastIndex.has(v));
  let group = 0;
  compiled.segments.forEach((segment, i) => {
    const capture =
      (READ_VARIABLES.has(segment.variable) || segment.variable === time) &&
      lastIndex.get(segment.variable) === i;
    if (capture) groups.set(segment.variable, ++group);
    const open = capture ? '(' : '(?:';
    // A list before a single space: `findSeparator` skips a space after a comma or inside ` : `, so
    // the value is every character up to the first other space. Greedy, so the first match tried is
    // that one (a lazy group would stop before ` : ` when the rest of the line allows it).
    // The skip also looks behind the value: after a literal ending in a space, a leading `: ` is the
    // end of a ` : `; after one ending in a comma, a leading space follows that comma.
    const listBeforeSpace = segment.list && segment.after === ' ';
    const before = i === 0 ? compiled.prefix : compiled.segments[i - 1]!.after;
    const lead = before.endsWith(' ') ? '(?:: )?' : before.endsWith(',') ? ' ?' : '';
    const value = listBeforeSpace ? `${open}${lead}(?:[^ ,]|,+ ?| : )*)` : `${open}.*?)`;
    if (segment.after === '') regex += `${open}.*)`;
    else if (i === last && segment.after.trim() === '')
      regex += `${value}(?:${escapeRegex(segment.after)}|$)`;
    else regex += `${value}${escapeRegex(segment.after)}`;
  });
  return { regex, groups };
}

export function nginxClassificationSql(
  options: SqlOptions & { logFormat: string; formatId: string },
): string {
  const { flavour } = options;
  const { regex, groups } = nginxLogFormatRegex(options.logFormat);
  const has = (name: string) => groups.has(name);
  const matched = regexFields(flavour, regex, groups);
  const field = matched.field;
  if (!has('status')) {
    throw new KeepaliveParityError('KAP_USAGE', 'the nginx log_format must contain $status', {
      field: '--nginx-log-format',
    });
  }
  const timeVariable = TIME_VARIABLES.find(has);
  const timeText = 'time_text';
  const time =
    timeVariable === 'msec'
      ? `CAST(round(TRY_CAST(${timeText} AS DOUBLE) * 1000) AS BIGINT)`
      : timeVariable === 'time_iso8601'
        ? isoMsExpr(flavour, timeText)
        : timeVariable === 'time_local'
          ? clfMsExpr(flavour, timeText)
          : 'CAST(NULL AS BIGINT)';
  const nullText = 'CAST(NULL AS VARCHAR)';
  const col = (name: string) => (has(name) ? field(name) : nullText);
  // The values a classification reads: the last element of each upstream list.
  const lastOf = (name: string) => (has(name) ? lastOfListExpr(name) : nullText);
  const classification = (() => {
    if (!has('upstream_status')) return { generator: `'unknown'`, cause: 'CAST(NULL AS VARCHAR)' };
    // formats/nginx-access.ts: which upstream field tells the proxy's own 5xx from the target's.
    const lbBy = has('upstream_header_time')
      ? `last_uht = '-'`
      : has('upstream_response_length')
        ? `CASE WHEN TRY_CAST(last_url AS BIGINT) IS NOT NULL AND TRY_CAST(last_us AS INTEGER) = status
            THEN TRY_CAST(last_url AS BIGINT) <= 0 ELSE status IN (502, 504) END`
        : 'status IN (502, 504)';
    const noLiveUpstreams = has('upstream_addr')
      ? `last_addr <> '-' AND NOT ${regexMatchesExpr(flavour, 'last_addr', ':[0-9]+$|^unix:')} AND status = 502`
      : 'FALSE';
    const cause502 = !has('upstream_connect_time')
      ? `'unknown'`
      : `CASE WHEN last_uct IN ('-', '') THEN 'connect-refused'
            WHEN ${secondsToMsExpr('last_uct')} = 0 THEN 'upstream-closed-reused-connection'
            ELSE 'unknown' END`;
    const cause504 = has('upstream_connect_time')
      ? `CASE WHEN last_uct = '-' THEN 'connect-timeout' ELSE 'response-timeout' END`
      : `'response-timeout'`;
    return {
      generator: `CASE
        WHEN last_us IN ('-', '') THEN 'lb'
        WHEN status < 500 THEN 'target'
        WHEN ${noLiveUpstreams} THEN 'lb'
        WHEN ${lbBy} THEN 'lb'
        ELSE 'target' END`,
      cause: `CASE
        WHEN last_us IN ('-', '') THEN CASE WHEN status >= 500 THEN 'unknown' END
        WHEN status < 500 THEN NULL
        WHEN ${noLiveUpstreams} THEN 'no-healthy-upstream'
        WHEN NOT (${lbBy}) THEN NULL
        WHEN status = 504 THEN ${cause504}
        WHEN status = 502 THEN ${cause502}
        ELSE 'unknown' END`,
    };
  })();
  return textLogSql(options, {
    formatId: options.formatId,
    defaultTable: 'nginx_access_logs',
    defaultPath: 'access.log',
    what: 'nginx access-log',
    notes: [
      `log_format: ${options.logFormat.replace(/\n/g, ' ')}`,
      'Classification, as the streaming engine (formats/nginx-access.ts nginxAccessParser): no upstream',
      'status -> nginx answered itself; a 5xx with an upstream header time (or response bytes) -> the',
      "target's; otherwise nginx's own: 502 with connect time 0 = a closed reused connection, with no",
      'connect time = refused; 504 with no connect time = connect timeout. Not expressible here: the',
      'per-request join with the error log, example lines, malformed-line counts.',
    ],
    ctes: ({ table, fileAndLine, order }) => `fields AS (
  SELECT ${fileAndLine},
    TRY_CAST(${field('status')} AS INTEGER) AS status,
    ${timeVariable === undefined ? 'CAST(NULL AS VARCHAR)' : field(timeVariable)} AS time_text,
    ${has('request_time') ? secondsToMsExpr(field('request_time')) : 'CAST(NULL AS BIGINT)'} AS request_ms,
    ${col('upstream_status')} AS upstream_status,
    ${col('upstream_addr')} AS upstream_addr,
    ${col('upstream_connect_time')} AS upstream_connect_time,
    ${col('upstream_header_time')} AS upstream_header_time,
    ${col('upstream_response_length')} AS upstream_response_length
  FROM ${matched.from(table)}
),
lasts AS (
  SELECT *,
    ${time} AS time_ms,
    ${lastOf('upstream_status')} AS last_us,
    ${lastOf('upstream_addr')} AS last_addr,
    ${lastOf('upstream_connect_time')} AS last_uct,
    ${lastOf('upstream_header_time')} AS last_uht,
    ${lastOf('upstream_response_length')} AS last_url
  FROM fields
  WHERE status IS NOT NULL
),
classified AS (
  SELECT file, ${order} AS ord, time_ms, status,
    time_ms - coalesce(request_ms, 0) AS start_ms,
    CASE WHEN last_addr = '-' THEN NULL ELSE last_addr END AS target,
    ${classification.generator} AS generator,
    ${classification.cause} AS cause,
    FALSE AS grpc,
    coalesce(${regexMatchesExpr(flavour, 'upstream_status', '(^|, | : )(502|504)(, | : )')}, FALSE) AS retried,
    CAST(NULL AS VARCHAR) AS phase
  FROM lasts
  WHERE time_ms IS NOT NULL
)`,
  });
}
