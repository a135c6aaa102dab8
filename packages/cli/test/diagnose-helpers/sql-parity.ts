import assert from 'node:assert/strict';
import { join } from 'node:path';
import { parseJson, runCli } from '../cli-helpers.js';

/**
 * `--emit-sql duckdb` against the streaming engine: run the emitted SQL with embedded DuckDB
 * (`@duckdb/node-api`, loaded lazily), write the result as DuckDB writes CSV or JSON, read it back
 * with `--from-sql-result`, and compare with `diagnose --json` on the same inputs. Shared by the
 * ALB/generator/fixture test (diagnose-sql.test.ts) and the labelled-corpus test
 * (diagnose-sql-corpus.int.test.ts).
 */

/** Runs the emitted statements; the last one's result is written with DuckDB's COPY (CSV or JSON). */
export async function runDuckdb(sql: string, out: string, format: 'csv' | 'json'): Promise<void> {
  const { DuckDBInstance } = await import('@duckdb/node-api');
  // One thread and a memory cap: the machine is shared, and a query gone wrong must fail, not swap.
  const instance = await DuckDBInstance.create(':memory:', { threads: '1', memory_limit: '2GB' });
  const connection = await instance.connect();
  try {
    const statements = sql
      .split(/;\s*\n/)
      .map((s) => s.trim().replace(/;$/, ''))
      .filter((s) => s.replace(/--.*$/gm, '').trim() !== '');
    for (const s of statements.slice(0, -1)) await connection.run(s);
    const options = format === 'csv' ? 'FORMAT csv, HEADER' : 'FORMAT json';
    await connection.run(`COPY (${statements[statements.length - 1]!}) TO '${out}' (${options})`);
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

/**
 * The report without what only the streaming engine can have: inputs, example lines, the join, and
 * malformed lines (the SQL table drops them, so `lines` is the request count and the
 * `malformed-lines` finding is absent). Rows with equal counts are listed in file order by the
 * streaming engine and in key order from SQL (no file order there): compared in key order.
 */
export function comparable(report: Record<string, any>): Record<string, unknown> {
  const {
    inputs: _inputs,
    examples: _examples,
    join: _join,
    malformedSamples: _samples,
    malformedLines: _malformed,
    skippedLines: _skipped,
    lines: _lines,
    formats: _formats,
    ...rest
  } = report;
  const byKey = <T>(rows: T[], key: (r: T) => string, n: (r: T) => number) =>
    [...rows].sort((a, b) => n(b) - n(a) || key(a).localeCompare(key(b)));
  return {
    ...rest,
    counts: byKey(
      report.counts as Array<Record<string, unknown>>,
      (r) => `${r.generator}|${r.status}|${r.cause}`,
      (r) => r.count as number,
    ),
    idleGaps: {
      buckets: report.idleGaps.buckets,
      perTarget: byKey(
        report.idleGaps.perTarget as Array<{ target: string; buckets: Array<{ requests: number }> }>,
        (t) => t.target,
        (t) => t.buckets.reduce((s, b) => s + b.requests, 0),
      ),
    },
    reasons: (report.reasons as Array<Record<string, unknown>>)
      .filter((r) => r.code !== 'malformed-lines')
      .map(({ examples: _e, ...r }) => r),
  };
}

/**
 * Both engines on the same inputs with the same format options (`args`, e.g. `--format haproxy`
 * or `--nginx-log-format FMT`); asserts the same exit code and returns both reports.
 */
export async function sqlParity(
  inputs: string[],
  args: string[],
  out: { dir: string; name: string; format: 'csv' | 'json' },
): Promise<{ engine: Record<string, any>; fromSql: Record<string, any>; result: string }> {
  const engine = await runCli(['diagnose', ...inputs, ...args, '--json', '--no-progress']);
  assert.ok(engine.code === 0 || engine.code === 1, engine.stderr);
  const sql = await runCli(['diagnose', '--emit-sql', 'duckdb', ...args, ...inputs]);
  assert.equal(sql.code, 0, sql.stderr);
  const result = join(out.dir, `${out.name}.${out.format}`);
  await runDuckdb(sql.stdout, result, out.format);
  const fromSql = await runCli(['diagnose', '--from-sql-result', result, '--json']);
  assert.equal(fromSql.code, engine.code, fromSql.stderr);
  return { engine: parseJson(engine), fromSql: parseJson(fromSql), result };
}
