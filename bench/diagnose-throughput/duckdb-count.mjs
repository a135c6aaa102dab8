#!/usr/bin/env node
// DuckDB's CSV reader on the same file, for the throughput comparison.
// Usage: node duckdb-count.mjs alb|nginx FILE [parallel|serial]
//   alb:   runs the SQL of `diagnose --emit-sql duckdb` (the whole analysis: classification, idle gaps
//          per target with a window function, per minute; prints its first rows);
//          `parallel` swaps its parallel=false for DuckDB's parallel reader.
//   nginx: counts requests by status with read_csv (space-delimited, quote-aware).
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { DuckDBInstance } from '@duckdb/node-api';

const [kind, file, mode = 'serial'] = process.argv.slice(2);
const bin = fileURLToPath(new URL('../../packages/cli/dist/bin.js', import.meta.url));
let statements;
if (kind === 'alb') {
  let sql = execFileSync(process.execPath, [bin, 'diagnose', '--emit-sql', 'duckdb', file], {
    encoding: 'utf8',
  });
  if (mode === 'parallel') sql = sql.replace('parallel = false', 'parallel = true');
  statements = sql
    .split(/;\s*\n/)
    .map((s) => s.trim())
    .filter((s) => s.replace(/--.*$/gm, '').trim() !== '');
} else {
  statements = [
    `SELECT column06 AS status, count(*) AS requests FROM read_csv('${file.replace(/'/g, "''")}', delim = ' ', quote = '"', escape = '\\', header = false, null_padding = true, ignore_errors = true, all_varchar = true, parallel = ${mode === 'parallel'}) GROUP BY 1 ORDER BY 2 DESC`,
  ];
}
const instance = await DuckDBInstance.create(':memory:');
const connection = await instance.connect();
for (const s of statements.slice(0, -1)) await connection.run(s);
const reader = await connection.runAndReadAll(statements[statements.length - 1]);
const rows = reader.getRowObjects();
console.log(JSON.stringify(rows.slice(0, 8), (_, v) => (typeof v === 'bigint' ? Number(v) : v)));
connection.closeSync();
instance.closeSync();
