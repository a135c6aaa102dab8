import { KeepaliveParityError } from '../errors.js';
import { emptyPartial, GAP_BUCKET_EDGES_MS, type GapBucketCounts, type PartialAnalysis } from './analysis.js';

/**
 * `diagnose --from-sql-result`: the result of the `--emit-sql` analysis query (sql.ts), as the engine
 * wrote it (CSV with a header row, a JSON array of objects, or JSON lines), turned back into the
 * streaming engine's aggregates (`PartialAnalysis`) so that the same `diagnose()` and verdict
 * registry decide. What SQL cannot carry stays empty and is said so: example lines (no line numbers),
 * malformed-line counts (the table drops them), the per-request join with error logs (they have no
 * SQL form). The result names its format (the `total` row's `k`), so the format-aware rules (HAProxy's
 * silence on a reused client connection) read it as the streaming engine would.
 */

export type SqlResultRow = Readonly<Record<string, string | number | null>>;

const COLUMNS = ['section', 'k', 'i', 'a', 'b', 'c', 'd'] as const;
const SECTIONS = new Set(['total', 'status', 'count5xx', 'minute', 'gap', 'fine', 'phase', 'flag']);

function invalid(file: string, line: number, message: string, field?: string): KeepaliveParityError {
  return new KeepaliveParityError('KAP_INPUT_INVALID', `${file}:${line}: ${message}`, { file, line, field });
}

/** RFC 4180 CSV (quoted fields, doubled quotes, CRLF or LF); returns rows with their line numbers. */
function parseCsv(text: string, file: string): Array<{ line: number; cells: string[] }> {
  const rows: Array<{ line: number; cells: string[] }> = [];
  let cells: string[] = [];
  let cell = '';
  let quoted = false;
  let line = 1;
  let rowLine = 1;
  let i = 0;
  const endCell = () => {
    cells.push(cell);
    cell = '';
  };
  while (i < text.length) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        cell += '"';
        i += 2;
        continue;
      }
      if (ch === '"') quoted = false;
      else {
        if (ch === '\n') line++;
        cell += ch;
      }
      i++;
      continue;
    }
    if (ch === '"' && cell === '') quoted = true;
    else if (ch === ',') endCell();
    else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      endCell();
      if (cells.length > 1 || cells[0] !== '') rows.push({ line: rowLine, cells });
      cells = [];
      line++;
      rowLine = line;
    } else cell += ch;
    i++;
  }
  if (quoted) throw invalid(file, rowLine, 'unterminated quoted field');
  if (cell !== '' || cells.length > 0) {
    endCell();
    rows.push({ line: rowLine, cells });
  }
  return rows;
}

/** Parses the query's result file (CSV or JSON) into rows keyed by column name, with line numbers. */
export function parseSqlResult(text: string, file: string): Array<{ line: number; row: SqlResultRow }> {
  const trimmed = text.trimStart();
  if (trimmed.startsWith('[') || trimmed.startsWith('{')) {
    let values: unknown[];
    if (trimmed.startsWith('[')) {
      try {
        values = JSON.parse(text) as unknown[];
      } catch (e) {
        throw invalid(file, 1, `not valid JSON: ${(e as Error).message}`);
      }
      return values.map((v, index) => ({ line: index + 1, row: v as SqlResultRow }));
    }
    return text
      .split('\n')
      .map((l, index) => ({ l, line: index + 1 }))
      .filter(({ l }) => l.trim() !== '')
      .map(({ l, line }) => {
        try {
          return { line, row: JSON.parse(l) as SqlResultRow };
        } catch (e) {
          throw invalid(file, line, `not a JSON object: ${(e as Error).message}`);
        }
      });
  }
  const rows = parseCsv(text, file);
  if (rows.length === 0) throw invalid(file, 1, 'empty result (no header row)');
  const header = rows[0]!.cells.map((h) => h.trim().toLowerCase());
  for (const c of COLUMNS) {
    if (!header.includes(c))
      throw invalid(file, 1, `header has no column ${c} (expected ${COLUMNS.join(',')})`, c);
  }
  return rows.slice(1).map(({ line, cells }) => {
    const row: Record<string, string | null> = {};
    header.forEach((h, index) => {
      const value = cells[index];
      row[h] = value === undefined || value === '' || value === 'NULL' ? null : value;
    });
    return { line, row };
  });
}

function count(row: SqlResultRow, column: string, file: string, line: number): number {
  const value = row[column];
  if (value === null || value === undefined) return 0;
  const n = typeof value === 'number' ? value : Number(value);
  if (!Number.isInteger(n) || n < 0 || n > Number.MAX_SAFE_INTEGER)
    throw invalid(file, line, `column ${column} is not a count: ${JSON.stringify(value)}`, column);
  return n;
}

function integer(row: SqlResultRow, column: string, file: string, line: number): number {
  const value = row[column];
  const n = typeof value === 'number' ? value : Number(value ?? Number.NaN);
  if (!Number.isInteger(n))
    throw invalid(file, line, `column ${column} is not an integer: ${JSON.stringify(value)}`, column);
  return n;
}

/** A time in epoch ms: an integer, or a fraction where the log's clock has one (Caddy's `ts`). */
function time(row: SqlResultRow, column: string, file: string, line: number): number {
  const value = row[column];
  const n = typeof value === 'number' ? value : Number(value ?? Number.NaN);
  if (!Number.isFinite(n))
    throw invalid(file, line, `column ${column} is not a time in epoch ms: ${JSON.stringify(value)}`, column);
  return n;
}

function text(row: SqlResultRow, column: string, file: string, line: number): string {
  const value = row[column];
  if (value === null || value === undefined || value === '')
    throw invalid(file, line, `column ${column} is empty`, column);
  return String(value);
}

/**
 * The aggregates the analysis query's rows describe; the format id is the `total` row's `k` (`alb`
 * when empty: results of the first, ALB-only query).
 */
export function partialFromSqlRows(
  rows: ReadonlyArray<{ line: number; row: SqlResultRow }>,
  file: string,
): PartialAnalysis {
  const p = emptyPartial();
  let totals = 0;
  let formatId = 'alb';
  const buckets = () => p.gapBuckets.map(() => [0, 0, 0] as GapBucketCounts);
  for (const { line, row } of rows) {
    const section = String(row.section ?? '');
    if (!SECTIONS.has(section))
      throw invalid(
        file,
        line,
        `unknown section ${JSON.stringify(section)} (is this the --emit-sql query's result?)`,
        'section',
      );
    if (section === 'total') {
      totals++;
      const k = row.k;
      if (k !== null && k !== undefined && k !== '') {
        if (!/^[a-z0-9-]+$/.test(String(k)))
          throw invalid(file, line, `k is not a format id: ${JSON.stringify(k)}`, 'k');
        formatId = String(k);
      }
      p.requests = count(row, 'a', file, line);
      if (p.requests > 0) {
        p.firstTimeMs = time(row, 'b', file, line);
        p.lastTimeMs = time(row, 'c', file, line);
      }
      p.outOfScopeLb5xx = count(row, 'd', file, line);
    } else if (section === 'status') {
      p.statusClasses[text(row, 'k', file, line)] = count(row, 'a', file, line);
    } else if (section === 'count5xx') {
      const key = text(row, 'k', file, line);
      if (key.split('|').length !== 3)
        throw invalid(file, line, `k is not generator|status|cause: ${key}`, 'k');
      p.counts5xx[key] = count(row, 'a', file, line);
    } else if (section === 'minute') {
      p.minutes[String(integer(row, 'i', file, line))] = {
        requests: count(row, 'a', file, line),
        lb5xx: count(row, 'b', file, line),
        target5xx: count(row, 'c', file, line),
        raceCandidates: count(row, 'd', file, line),
        upstreamErrors: 0,
      };
    } else if (section === 'gap') {
      const target = text(row, 'k', file, line);
      const bucket = integer(row, 'i', file, line);
      if (bucket < 0 || bucket > GAP_BUCKET_EDGES_MS.length)
        throw invalid(file, line, `gap bucket ${bucket} out of range`, 'i');
      const perTarget = p.targetGaps[target] ?? buckets();
      p.targetGaps[target] = perTarget;
      const values: GapBucketCounts = [
        count(row, 'a', file, line),
        count(row, 'b', file, line),
        count(row, 'c', file, line),
      ];
      for (let j = 0; j < 3; j++) {
        perTarget[bucket]![j]! += values[j]!;
        p.gapBuckets[bucket]![j]! += values[j]!;
      }
    } else if (section === 'phase') {
      p.phases[text(row, 'k', file, line)] = count(row, 'a', file, line);
    } else if (section === 'flag') {
      const flag = text(row, 'k', file, line);
      if (flag === 'retried') p.retriedUpstreamErrors = count(row, 'a', file, line);
      else if (flag === 'mid-response') p.midResponseRequests = count(row, 'a', file, line);
      else if (flag === 'outside-window') p.outsideWindow = count(row, 'a', file, line);
      else
        throw invalid(
          file,
          line,
          `flag ${JSON.stringify(flag)} is not retried|mid-response|outside-window`,
          'k',
        );
    } else {
      const kind = text(row, 'k', file, line);
      const histogram =
        kind === 'all'
          ? p.allGapFine
          : kind === 'race'
            ? p.raceGapFine
            : kind === 'target'
              ? p.targetGapFine
              : null;
      if (histogram === null)
        throw invalid(file, line, `fine histogram ${JSON.stringify(kind)} is not all|race|target`, 'k');
      histogram[String(integer(row, 'i', file, line))] = count(row, 'a', file, line);
    }
  }
  if (totals !== 1) throw invalid(file, 1, `expected one total row, found ${totals}`, 'section');
  if (p.requests === 0)
    throw invalid(file, 1, 'the query counted no request: never a verdict on nothing', 'a');
  p.lines = p.requests;
  p.formats[formatId] = p.requests;
  p.requestFormats[formatId] = p.requests;
  return p;
}
