#!/usr/bin/env node
// The SQL flavour against the streaming engine on the same generated nginx access log: wall time,
// CPU seconds and peak RSS of `diagnose --jobs 1` and of `diagnose --emit-sql duckdb` run by embedded
// DuckDB (all its threads), and whether both give the same verdict. The file is generated under /tmp
// by bench/diagnose-throughput/generate.mjs (never committed).
// Usage: node bench/diagnose-sql/run.mjs [--size-mb 100] [--dir /tmp/kap-bench-sql]
// Each row records the 1-minute load average before it ran (the machine may be shared).
// Needs: npm run build; /usr/bin/time.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const args = process.argv.slice(2);
const opt = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : fallback;
};
const sizeMb = Number(opt('--size-mb', '100'));
const dir = opt('--dir', '/tmp/kap-bench-sql');
const bin = fileURLToPath(new URL('../../packages/cli/dist/bin.js', import.meta.url));
const generator = fileURLToPath(new URL('../diagnose-throughput/generate.mjs', import.meta.url));
const NGINX_FORMAT =
  '$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent" $msec $request_time $upstream_addr $upstream_status $upstream_connect_time $upstream_header_time $upstream_response_time';
mkdirSync(dir, { recursive: true });
const file = join(dir, 'nginx.log');
if (!existsSync(file) || statSync(file).size < sizeMb * 1048576 * 0.99) {
  execFileSync(process.execPath, [generator, 'nginx', file, String(sizeMb)], { stdio: 'inherit' });
}
const bytes = statSync(file).size;
const sql = join(dir, 'query.sql');
writeFileSync(
  sql,
  execFileSync(process.execPath, [
    bin,
    'diagnose',
    '--emit-sql',
    'duckdb',
    '--nginx-log-format',
    NGINX_FORMAT,
    file,
  ]),
);
const result = join(dir, 'result.csv');
const runner = join(dir, 'duckdb-run.mjs');
const duckdb = fileURLToPath(new URL('../../node_modules/@duckdb/node-api/lib/index.js', import.meta.url));
writeFileSync(
  runner,
  `import { readFileSync } from 'node:fs';
import { DuckDBInstance } from ${JSON.stringify(duckdb)};
const statements = readFileSync(${JSON.stringify(sql)}, 'utf8').split(/;\\s*\\n/).map((s) => s.trim().replace(/;$/, '')).filter((s) => s.replace(/--.*$/gm, '').trim() !== '');
const instance = await DuckDBInstance.create(':memory:');
const connection = await instance.connect();
for (const s of statements.slice(0, -1)) await connection.run(s);
await connection.run(\`COPY (\${statements[statements.length - 1]}) TO ${JSON.stringify(result)} (FORMAT csv, HEADER)\`);
`,
);

function measure(label, commandArgs, stdoutFile) {
  const load = loadavg()[0];
  const r = spawnSync('/usr/bin/time', ['-f', '%e %M %U %S', process.execPath, ...commandArgs], {
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
  });
  const [wall, rssKb, user, sys] = r.stderr.trim().split('\n').pop().split(' ').map(Number);
  if (stdoutFile) writeFileSync(stdoutFile, r.stdout);
  return { label, wall, cpu: user + sys, rssMb: rssKb / 1024, load };
}

const engineJson = join(dir, 'engine.json');
const rows = [
  measure(
    'diagnose --jobs 1 (streaming)',
    [bin, 'diagnose', '--jobs', '1', '--no-progress', '--json', '--nginx-log-format', NGINX_FORMAT, file],
    engineJson,
  ),
  measure('--emit-sql duckdb, embedded DuckDB', [runner]),
];
// Exit code 1 is the race found: read stdout whatever the code.
const fromSql = JSON.parse(
  spawnSync(process.execPath, [bin, 'diagnose', '--from-sql-result', result, '--json'], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  }).stdout,
);
const engine = JSON.parse(readFileSync(engineJson, 'utf8'));
console.log(`nginx access log, ${(bytes / 1e6).toFixed(0)} MB, ${engine.requests} requests`);
console.log('| run | wall s | MB/s | CPU-s | MB per CPU-s | peak RSS MB | load before |');
console.log('|---|---|---|---|---|---|---|');
for (const r of rows) {
  console.log(
    `| ${r.label} | ${r.wall.toFixed(1)} | ${(bytes / 1e6 / r.wall).toFixed(0)} | ${r.cpu.toFixed(1)} | ${(bytes / 1e6 / r.cpu).toFixed(0)} | ${r.rssMb.toFixed(0)} | ${r.load.toFixed(1)} |`,
  );
}
console.log(
  `verdict: streaming ${engine.verdict}, from SQL ${fromSql.verdict}; requests ${engine.requests} / ${fromSql.requests}`,
);
