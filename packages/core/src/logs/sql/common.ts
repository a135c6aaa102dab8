import { GAP_BUCKET_EDGES_MS } from '../analysis.js';

/**
 * What every `--emit-sql` format shares: the flavours, their few dialect differences (each written
 * down with its source in docs/diagnose.md, "Dialect differences"), and the analysis tail that turns
 * classified requests into the one long result table `diagnose --from-sql-result` reads
 * (`section, k, i, a, b, c, d`; see `analysisSql`).
 */

export type SqlFlavour = 'athena' | 'trino' | 'duckdb';
export const SQL_FLAVOURS: readonly SqlFlavour[] = ['athena', 'trino', 'duckdb'];

export interface SqlOptions {
  readonly flavour: SqlFlavour;
  /** Table name (Athena/Trino; DuckDB: the view it creates); default per format. */
  readonly table?: string;
  /** DuckDB: files or globs to read (default per format). */
  readonly paths?: readonly string[];
  /** Optional time window, ISO 8601. */
  readonly sinceIso?: string;
  readonly untilIso?: string;
}

export function quoteLiteral(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
}

/**
 * Epoch seconds of `YYYY-MM-DDTHH:MM:SS` read as UTC: the one date function of the flavours.
 * DuckDB casts the string to a TIMESTAMP (no zone: UTC); Trino/Athena parse ISO 8601 with a `Z`
 * (a plain CAST there would take the session's zone).
 */
export function isoSecondsExpr(flavour: SqlFlavour, iso19: string): string {
  return flavour === 'duckdb'
    ? `epoch(CAST(${iso19} AS TIMESTAMP))`
    : `to_unixtime(from_iso8601_timestamp(concat(${iso19}, 'Z')))`;
}

/** Whether `text` contains a match of the regex (DuckDB `regexp_matches`, Trino `regexp_like`). */
export function regexMatchesExpr(flavour: SqlFlavour, text: string, regex: string): string {
  return `${flavour === 'duckdb' ? 'regexp_matches' : 'regexp_like'}(${text}, ${quoteLiteral(regex)})`;
}

/**
 * The lines of `table` that match `regex`, with its capture groups by name (`groups`: name →
 * 1-based group). DuckDB reads every group in one pass, `regexp_extract(line, re, [names])` giving a
 * struct (five times faster than one call per group on the generator's nginx lines, measured);
 * Trino has no such form, so one `regexp_extract(line, re, n)` per group. Either way only on
 * matching lines, so regexp_extract's no-match value ('' in DuckDB, NULL in Trino) never shows.
 */
export function regexFields(
  flavour: SqlFlavour,
  regex: string,
  groups: ReadonlyMap<string, number>,
): { from: (table: string) => string; field: (name: string) => string } {
  const re = quoteLiteral(regex);
  const where = `WHERE ${regexMatchesExpr(flavour, 'line', regex)}`;
  if (flavour === 'duckdb') {
    const names = [...groups.entries()].sort((a, b) => a[1] - b[1]).map(([name]) => quoteLiteral(name));
    return {
      from: (table) =>
        `(SELECT *, regexp_extract(line, ${re}, [${names.join(', ')}]) AS g FROM ${table} ${where}) matched`,
      field: (name) => `g.${name}`,
    };
  }
  return {
    from: (table) => `(SELECT * FROM ${table} ${where}) matched`,
    field: (name) => `regexp_extract(line, ${re}, ${groups.get(name)!})`,
  };
}

/**
 * `secondsToMs` (util.ts): seconds as text (`0.004`, `-`, `-1`) to integer milliseconds, NULL for
 * `-`, '' and negative or non-numeric values.
 */
export function secondsToMsExpr(text: string): string {
  return `CASE WHEN TRY_CAST(${text} AS DOUBLE) >= 0 THEN CAST(round(TRY_CAST(${text} AS DOUBLE) * 1000) AS BIGINT) END`;
}

/** The last element of an nginx list value (`a, b : c` → `c`): what follows the last `, ` or ` : `. */
export function lastOfListExpr(text: string): string {
  return `regexp_replace(${text}, '^.*(, | : )', '')`;
}

const MONTH_NUMBERS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']
  .map((m, i) => `WHEN '${m}' THEN '${String(i + 1).padStart(2, '0')}'`)
  .join(' ');

/** The shape `parseClfTimeMs` (util.ts) reads: digits where it reads digits, an English month. */
const CLF_SHAPE =
  '^[0-9]{2}.(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec).[0-9]{4}.[0-9]{2}.[0-9]{2}.[0-9]{2}';

/**
 * `parseClfTimeMs` (util.ts) in SQL: `10/Oct/2000:13:55:36 -0700` (nginx `$time_local`) or
 * `24/Nov/2026:08:12:38.123` (HAProxy, no zone: UTC) to epoch ms; NULL when the shape is not there.
 * Fraction: `round(0.<digits> * 1000)`, as the streaming engine rounds it; zone: `±hhmm` after it.
 */
export function clfMsExpr(flavour: SqlFlavour, s: string): string {
  const iso19 = `concat(substr(${s}, 8, 4), '-', CASE substr(${s}, 4, 3) ${MONTH_NUMBERS} END, '-', substr(${s}, 1, 2), 'T', substr(${s}, 13, 8))`;
  const frac = `coalesce(regexp_extract(${s}, '^.{20}[.]([0-9]*)', 1), '')`;
  const zone = `coalesce(regexp_extract(${s}, '^.{20}(?:[.][0-9]*)?[ ]*([+-][0-9]{4})[ ]*$', 1), '')`;
  return `CASE WHEN ${regexMatchesExpr(flavour, s, CLF_SHAPE)} THEN
      CAST(${isoSecondsExpr(flavour, iso19)} AS BIGINT) * 1000
      + CASE WHEN ${frac} = '' THEN 0 ELSE CAST(round(CAST(concat('0.', ${frac}) AS DOUBLE) * 1000) AS BIGINT) END
      - CASE WHEN ${zone} = '' THEN 0 ELSE (CASE WHEN substr(${zone}, 1, 1) = '-' THEN -1 ELSE 1 END)
          * (CAST(substr(${zone}, 2, 2) AS BIGINT) * 60 + CAST(substr(${zone}, 4, 2) AS BIGINT)) * 60000 END
    END`;
}

/**
 * `parseIsoMs` (util.ts) in SQL for `2026-11-01T00:00:00.123Z` and `2026-11-01T00:00:00+01:00`
 * (nginx `$time_iso8601`): whole seconds from the first 19 characters, milliseconds from the first
 * three fraction digits (truncated), minus the zone's offset; NULL when the shape is not there.
 */
export function isoMsExpr(flavour: SqlFlavour, s: string): string {
  const frac = `coalesce(regexp_extract(${s}, '^.{19}[.]([0-9]{1,3})', 1), '')`;
  const zone = `coalesce(regexp_extract(${s}, '([+-][0-9]{2}):?([0-9]{2})$', 0), '')`;
  return `CASE WHEN ${regexMatchesExpr(flavour, s, '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}([.][0-9]+)?(Z|[+-][0-9]{2}:?[0-9]{2})$')} THEN
      CAST(${isoSecondsExpr(flavour, `substr(${s}, 1, 19)`)} AS BIGINT) * 1000
      + CASE WHEN ${frac} = '' THEN 0 ELSE CAST(rpad(${frac}, 3, '0') AS BIGINT) END
      - CASE WHEN ${zone} = '' THEN 0 ELSE (CASE WHEN substr(${zone}, 1, 1) = '-' THEN -1 ELSE 1 END)
          * (CAST(substr(${zone}, 2, 2) AS BIGINT) * 60 + CAST(substr(${zone}, length(${zone}) - 1, 2) AS BIGINT)) * 60000 END
    END`;
}

/**
 * DuckDB: a view of text log files as one row per line, with the file (`"$path"`, as Athena and
 * Trino name the hidden column) and the 1-based line number the streaming engine counts (which
 * Athena's and Trino's tables do not have). `read_text` reads each file whole (plain text: it does
 * not decompress `.gz`); a trailing CR is dropped as the streaming engine drops it.
 */
export function duckdbLinesView(paths: readonly string[], view: string): string {
  const list = `[${paths.map(quoteLiteral).join(', ')}]`;
  // unnest in the select list: a lateral join would copy the whole file into every row.
  return `CREATE OR REPLACE VIEW ${view} AS
SELECT "$path", line_no, rtrim(line, chr(13)) AS line
FROM (
  SELECT filename AS "$path", unnest(lines) AS line, generate_subscripts(lines, 1) AS line_no
  FROM (SELECT filename, string_split(content, chr(10)) AS lines FROM read_text(${list}))
)
WHERE line <> '';`;
}

/**
 * The order in which the streaming engine meets a file's requests, for the idle gap: the line
 * number in DuckDB; Athena and Trino tables have none, so the time (ties in time are then in no
 * defined order: see docs/diagnose.md).
 */
export function lineOrder(flavour: SqlFlavour): string {
  return flavour === 'duckdb' ? 'line_no' : 'time_ms';
}

function gapBucketCase(column: string): string {
  const arms = GAP_BUCKET_EDGES_MS.map((edge, i) => `WHEN ${column} < ${edge} THEN ${i}`).join(' ');
  return `CASE ${arms} ELSE ${GAP_BUCKET_EDGES_MS.length} END`;
}

/** The sections of the analysis query's result, one row per aggregate (see `analysisSql`). */
export type SqlSection = 'total' | 'status' | 'count5xx' | 'minute' | 'gap' | 'fine' | 'phase' | 'flag';

export interface AnalysisSpec {
  readonly flavour: SqlFlavour;
  /** The streaming engine's format id (the `total` row's `k`). */
  readonly formatId: string;
  /** Comment lines (without `-- `) that head the query. */
  readonly header: readonly string[];
  /**
   * CTEs (without the leading WITH) ending in one named `classified` with, per request: `file`,
   * `ord` (file order), `target` (the idle-gap key, NULL for none), `time_ms`, `start_ms`, `status`
   * (NULL for none), `generator`, `cause` (NULL for none), `grpc` (upstream protocol gRPC/h2c),
   * `retried` (succeeded after a retried upstream error), `phase` (NULL for none).
   */
  readonly ctes: string;
  /** The time of the previous request to the same target in the same file, as the streaming engine keeps it. */
  readonly previousFinish: string;
  /** When the request of `previousFinish` began: a request that began before it has no known gap. */
  readonly previousFinishStart: string;
  readonly sinceIso?: string | undefined;
  readonly untilIso?: string | undefined;
}

const BEFORE = (order: string) =>
  `OVER (PARTITION BY file, target ORDER BY ${order} ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING)`;

/** The running maximum of the finish times before a request, per file and target, in file order. */
export function runningMaxFinish(order: string): string {
  return `max(time_ms) ${BEFORE(order)}`;
}

/**
 * When the request of `runningMaxFinish` began. DuckDB: of the requests with that finish, the first
 * in file order, as the streaming engine keeps it (a later one with the same finish does not replace
 * it). Athena and Trino order by time, so requests with the same finish are in no defined order
 * there anyway (docs/diagnose.md).
 */
export function runningMaxFinishStart(flavour: SqlFlavour, order: string): string {
  return flavour === 'duckdb'
    ? `arg_max(start_ms, [time_ms, -${order}]) ${BEFORE(order)}`
    : `max_by(start_ms, time_ms) ${BEFORE(order)}`;
}

/**
 * The analysis tail shared by every format: everything `diagnose` computes from an access log, as
 * one long table (`section, k, i, a, b, c, d`) that `diagnose --from-sql-result` turns back into
 * the streaming engine's aggregates (analysis.ts `LogAnalyzer.addRecord`) and feeds to the same
 * verdict registry:
 * - `total`: k format id, a requests, b first time (epoch ms), c last time, d LB 5xx over gRPC (out of scope);
 * - `status`: k status class (`2xx`, `none`), a requests;
 * - `count5xx`: k `generator|status|cause`, a requests (the classification, as `--json` `counts`);
 * - `minute`: i minute (epoch ms / 60000), a requests, b LB 5xx, c target 5xx, d race candidates;
 * - `gap`: k target, i idle-gap bucket (GAP_BUCKET_EDGES_MS), a requests, b race candidates, c LB 5xx;
 * - `fine`: k `all`|`race`|`target`, i fine log-scale gap index (16 per doubling), a requests;
 * - `phase`: k failure phase, a failures that name it;
 * - `flag`: k `retried` (succeeded after a retried upstream error), `mid-response` (cut after a
 *   status below 500) or `outside-window` (requests the --since/--until WHERE left out), a requests.
 * The idle gap before a request is its start minus the latest finish before it to the same target
 * in the same file (`spec.previousFinish`, a window function), as the streaming engine does per input;
 * none when the request began before the request of that finish (`spec.previousFinishStart`).
 */
export function analysisSql(spec: AnalysisSpec): string {
  const filters = ['TRUE'];
  if (spec.sinceIso) filters.push(`time_ms >= ${Date.parse(spec.sinceIso)} /* ${spec.sinceIso} */`);
  if (spec.untilIso) filters.push(`time_ms < ${Date.parse(spec.untilIso)} /* ${spec.untilIso} */`);
  const v = 'CAST(NULL AS VARCHAR)';
  const n = 'CAST(NULL AS BIGINT)';
  const one = (cond: string) => `sum(CASE WHEN ${cond} THEN 1 ELSE 0 END)`;
  const fine = 'CAST(floor(log2(gap_ms + 1) * 16) AS BIGINT)';
  return `${spec.header.map((l) => `-- ${l}`.trimEnd()).join('\n')}
WITH ${spec.ctes},
windowed AS (
  SELECT * FROM classified
  WHERE ${filters.join('\n    AND ')}
),
flagged AS (
  SELECT *,
    coalesce(status >= 500, FALSE) AS is5xx,
    coalesce(status >= 500 AND generator = 'lb', FALSE) AS lb5xx,
    -- analysis.ts isRaceCandidate: an LB 502 with no other cause, or any closed reused connection.
    coalesce(status >= 500 AND generator = 'lb' AND (cause = 'upstream-closed-reused-connection'
      OR (status = 502 AND (cause IS NULL OR cause = 'unknown'))), FALSE) AS race,
    -- analysis.ts LogAnalyzer: a request that began before the one that finished last has no gap.
    CASE WHEN target IS NOT NULL AND start_ms >= ${spec.previousFinishStart}
      THEN start_ms - ${spec.previousFinish} END AS gap_ms
  FROM windowed
)
SELECT 'total' AS section, ${quoteLiteral(spec.formatId)} AS k, ${n} AS i, count(*) AS a, min(time_ms) AS b,
  max(time_ms) AS c, ${one('lb5xx AND grpc')} AS d
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
  SELECT 'all' AS kind, ${fine} AS fine FROM flagged WHERE gap_ms >= 0
  UNION ALL
  SELECT CASE WHEN race THEN 'race' ELSE 'target' END, ${fine}
  FROM flagged WHERE gap_ms >= 0 AND (race OR (is5xx AND generator = 'target'))
) fine_gaps GROUP BY 2, 3
UNION ALL
SELECT 'phase', phase, ${n}, count(*), ${n}, ${n}, ${n}
FROM flagged WHERE phase IS NOT NULL AND (is5xx OR cause IS NOT NULL) GROUP BY 2
UNION ALL
SELECT 'flag', 'retried', ${n}, ${one('retried')}, ${n}, ${n}, ${n} FROM flagged
UNION ALL
SELECT 'flag', 'mid-response', ${n}, ${one("cause = 'upstream-closed-mid-response' AND NOT is5xx")}, ${n}, ${n}, ${n}
FROM flagged
UNION ALL
SELECT 'flag', 'outside-window', ${n}, ${one(`NOT (${filters.join(' AND ')})`)}, ${n}, ${n}, ${n}
FROM classified
ORDER BY 1, 2, 3;`;
}

/** A text-log format's query: its CTEs over the one-column table, and how to name it. */
export interface TextLogSpec {
  readonly formatId: string;
  readonly defaultTable: string;
  /** DuckDB's INPUT when none is given. */
  readonly defaultPath: string;
  /** What is analysed, for the first comment line (`HAProxy httplog`). */
  readonly what: string;
  /** Comment lines on the classification and on what the query cannot express. */
  readonly notes: readonly string[];
  /**
   * The CTEs (see `AnalysisSpec.ctes`) over `table`; `fileAndLine` selects the file and line number
   * (NULL outside DuckDB), `order` is the file-order column to select as `ord`.
   */
  readonly ctes: (from: { table: string; fileAndLine: string; order: string }) => string;
}

/** The analysis of a text log (one string column `line` per log line; a DuckDB view makes one). */
export function textLogSql(options: SqlOptions, spec: TextLogSpec): string {
  const { flavour } = options;
  const table = options.table ?? spec.defaultTable;
  const order = lineOrder(flavour);
  const fileAndLine = `"$path" AS file, ${order === 'line_no' ? 'line_no' : 'CAST(NULL AS BIGINT) AS line_no'}`;
  const query = analysisSql({
    flavour,
    formatId: spec.formatId,
    sinceIso: options.sinceIso,
    untilIso: options.untilIso,
    header: [
      `keepalive-parity diagnose: the whole ${spec.what} analysis (classification, idle gaps, per minute), flavour ${flavour}.`,
      'Save the result as CSV or JSON and run: keepalive-parity diagnose --from-sql-result FILE',
      `Table: one string column \`line\` per log line (${table}); the file of a row is "$path".`,
      ...spec.notes,
    ],
    ctes: spec.ctes({ table, fileAndLine, order }),
    previousFinish: runningMaxFinish('ord'),
    previousFinishStart: runningMaxFinishStart(flavour, 'ord'),
  });
  return withView(flavour, duckdbLinesView(options.paths ?? [spec.defaultPath], table), query);
}

/** The query, after its DuckDB view when the flavour is DuckDB. */
export function withView(flavour: SqlFlavour, view: string, query: string): string {
  return flavour === 'duckdb' ? `${view}\n\n${query}\n` : `${query}\n`;
}
