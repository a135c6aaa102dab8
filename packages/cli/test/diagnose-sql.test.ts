import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parseJson, runCli } from './cli-helpers.js';

/**
 * `--emit-sql duckdb` run by embedded DuckDB over the same ALB files gives the same
 * generator × status × cause counts as the streaming engine.
 */

const FIXTURES = fileURLToPath(new URL('../../core/test/fixtures/logs/', import.meta.url));
const GENERATOR = fileURLToPath(new URL('../../../bench/diagnose-throughput/generate.mjs', import.meta.url));
let dir: string;
let sample: string;

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'kap-diagnose-sql-'));
  sample = join(dir, 'sample-alb.log');
  execFileSync(process.execPath, [GENERATOR, 'alb', sample, '8'], { stdio: 'ignore' });
});

after(() => rmSync(dir, { recursive: true, force: true }));

type Row = { generator: string; status: number; cause: string | null; count: number };
const key = (r: Row) => `${r.generator}|${r.status}|${r.cause ?? '-'}`;
const sorted = (rows: Row[]) => rows.map((r) => `${key(r)}=${r.count}`).sort();

async function duckdbCounts(sql: string): Promise<Row[]> {
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  try {
    const statements = sql
      .split(/;\s*\n/)
      .map((s) => s.trim())
      .filter((s) => s.replace(/--.*$/gm, '').trim() !== '');
    for (const s of statements.slice(0, -1)) await connection.run(s);
    const reader = await connection.runAndReadAll(statements[statements.length - 1]!);
    return reader.getRowObjects().map((o) => ({
      generator: String(o.generator),
      status: Number(o.status),
      cause: o.cause === null ? null : String(o.cause),
      count: Number(o.requests),
    }));
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

describe('diagnose --emit-sql duckdb', () => {
  it('DuckDB over the emitted SQL counts exactly what the streaming engine counts', async () => {
    // The public ALB lines too (Lambda 502s whose error_reason names the cause; read from ../shared).
    const realworld = fileURLToPath(
      new URL('../../../../shared/realworld/log-lines/alb.log', import.meta.url),
    );
    const inputs = [sample, `${FIXTURES}alb.log`, realworld];
    const engine = parseJson(await runCli(['diagnose', ...inputs, '--json']));
    const engineRows = (engine.counts as Row[]).filter((r) => r.generator !== 'unknown');
    assert.ok(engineRows.length >= 4, JSON.stringify(engineRows));
    const sql = await runCli(['diagnose', '--emit-sql', 'duckdb', ...inputs]);
    assert.equal(sql.code, 0);
    const duck = await duckdbCounts(sql.stdout);
    assert.deepEqual(sorted(duck), sorted(engineRows));
  });

  it('the Athena and Trino flavours target the documented table and honour --since/--until', async () => {
    const athena = await runCli([
      'diagnose',
      '--emit-sql',
      'athena',
      '--since',
      '2026-01-30',
      '--until',
      '2026-01-31',
    ]);
    assert.match(athena.stdout, /FROM alb_access_logs/);
    assert.match(athena.stdout, /from_iso8601_timestamp\('2026-01-30T00:00:00.000Z'\)/);
    const trino = await runCli(['diagnose', '--emit-sql', 'trino', '--table', 'logs.alb']);
    assert.match(trino.stdout, /FROM logs\.alb/);
  });
});
