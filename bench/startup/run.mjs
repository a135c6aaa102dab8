#!/usr/bin/env node
// Start-up time of the CLI against a bare `node -e 0`, in paired runs: each round runs the
// baseline and every case once, in a shuffled order, so both see the same machine load; the
// ratio is taken per round and the table gives the medians.
//   npm run build && node bench/startup/run.mjs [--rounds 40] [--json FILE] [--bin PATH] [--cache MODE]
// Runs on the Node that runs it (process.execPath), so `path/to/node24 bench/startup/run.mjs`
// measures Node 24. Goal (issue 12): --help, check and assert within 1.3x of `node -e 0`.
// --cache: the bin shim's V8 code cache (bin/keepalive-parity.cjs), in a folder of the benchmark's own:
//   warm (default)  the cache is there (written by the warm-up run): every run after the first
//   cold            an empty cache folder for every run: the first run on a machine (compiles, and
//                   writes the cache at exit)
//   off             KAP_NO_CACHE=1: compiles every time, writes nothing
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const i = args.indexOf(name);
  return i === -1 ? fallback : args[i + 1];
};
// --bin: another build's entry (e.g. an older checkout's packages/cli/dist/bin.js), for before/after.
const BIN = option(
  '--bin',
  fileURLToPath(new URL('../../packages/cli/bin/keepalive-parity.cjs', import.meta.url)),
);
const rounds = Number(option('--rounds', '40'));
const jsonOut = option('--json', null);
const cacheMode = option('--cache', 'warm');
if (!['warm', 'cold', 'off'].includes(cacheMode))
  throw new Error(`--cache must be warm, cold or off (got ${cacheMode})`);
const cacheRoot = mkdtempSync(join(tmpdir(), 'kap-bench-startup-'));
process.on('exit', () => rmSync(cacheRoot, { recursive: true, force: true }));
let coldRuns = 0;
/** The environment of one run of the CLI, per --cache. */
function cacheEnv() {
  if (cacheMode === 'off') return { ...process.env, KAP_NO_CACHE: '1' };
  if (cacheMode === 'warm') return { ...process.env, KAP_CACHE_DIR: join(cacheRoot, 'warm') };
  // cold: a folder no run has used (made by the shim, removed with cacheRoot)
  coldRuns++;
  return { ...process.env, KAP_CACHE_DIR: join(cacheRoot, `cold-${coldRuns}`) };
}

const BASELINE = { label: 'node -e 0', args: ['-e', '0'], exit: 0 };
const CASES = [
  { label: 'keepalive-parity --help', args: [BIN, '--help'], exit: 0 },
  { label: 'check --lb 60s --backend 65s', args: [BIN, 'check', '--lb', '60s', '--backend', '65s'], exit: 0 },
  {
    label: 'check --lb 60s --backend runtime:gunicorn',
    args: [BIN, 'check', '--lb', '60s', '--backend', 'runtime:gunicorn'],
    exit: 1,
  },
  {
    label: 'assert --backend 75 --backend-unit s --lb 60s',
    args: [BIN, 'assert', '--backend', '75', '--backend-unit', 's', '--lb', '60s'],
    exit: 0,
  },
  {
    label: 'assert --lb 60s --backend runtime:uvicorn --allow-default',
    args: [BIN, 'assert', '--lb', '60s', '--backend', 'runtime:uvicorn', '--allow-default'],
    exit: 1,
  },
];

function time(c) {
  const start = process.hrtime.bigint();
  const env = c === BASELINE ? process.env : cacheEnv();
  const r = spawnSync(process.execPath, c.args, {
    stdio: ['ignore', 'ignore', 'pipe'],
    encoding: 'utf8',
    env,
  });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (r.status !== c.exit) throw new Error(`${c.label}: exit ${r.status}, expected ${c.exit}\n${r.stderr}`);
  return ms;
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

const loadBefore = loadavg()[0];
// Warm the file cache (and Node's compile cache where it is on) before measuring.
for (const c of [BASELINE, ...CASES]) time(c);
const samples = new Map([BASELINE, ...CASES].map((c) => [c.label, []]));
const ratios = new Map(CASES.map((c) => [c.label, []]));
for (let r = 0; r < rounds; r++) {
  const order = [BASELINE, ...CASES].sort(() => Math.random() - 0.5);
  const round = new Map(order.map((c) => [c.label, time(c)]));
  for (const [label, ms] of round) samples.get(label).push(ms);
  for (const c of CASES) ratios.get(c.label).push(round.get(c.label) / round.get(BASELINE.label));
}
const loadAfter = loadavg()[0];

const rows = [BASELINE, ...CASES].map((c) => ({
  command: c.label,
  medianMs: Number(median(samples.get(c.label)).toFixed(1)),
  medianRatio: c === BASELINE ? 1 : Number(median(ratios.get(c.label)).toFixed(2)),
}));
const header = `Node ${process.version}, code cache ${cacheMode}, ${rounds} paired rounds, load average ${loadBefore.toFixed(2)} → ${loadAfter.toFixed(2)}`;
console.log(header);
console.log('\n| command | median (ms) | median ratio to `node -e 0` (paired) | within 1.3x |');
console.log('|---|---|---|---|');
for (const row of rows)
  console.log(
    `| \`${row.command}\` | ${row.medianMs} | ${row.medianRatio.toFixed(2)} | ${row.command === BASELINE.label ? '–' : row.medianRatio <= 1.3 ? 'yes' : 'no'} |`,
  );
if (jsonOut)
  writeFileSync(
    jsonOut,
    `${JSON.stringify({ node: process.version, cache: cacheMode, rounds, loadBefore, loadAfter, rows }, null, 2)}\n`,
  );
