#!/usr/bin/env node
// Benchmark for `keepalive-parity mcp`: start-up (spawn + initialize + tools/list) and the round trip
// of one `check` tool call, against spawning `keepalive-parity check --json` for the same hop.
// Usage: node bench/mcp-roundtrip/run.mjs [CALLS=30]   (needs a built CLI: npm run build)
import { spawnSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';

const BIN = fileURLToPath(new URL('../../packages/cli/dist/bin.js', import.meta.url));
const calls = Number(process.argv[2] ?? 30);
const ARGS = ['--lb', '60s', '--backend', 'runtime:gunicorn'];

const now = () => Number(process.hrtime.bigint()) / 1e6;
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const round = (x) => Math.round(x * 10) / 10;

const loadBefore = loadavg()[0];
const startups = [];
const toolCalls = [];
for (let run = 0; run < 3; run++) {
  const started = now();
  const client = new Client({ name: 'bench', version: '1' });
  await client.connect(
    new StdioClientTransport({ command: process.execPath, args: [BIN, 'mcp'], stderr: 'ignore' }),
  );
  await client.listTools();
  startups.push(now() - started);
  for (let i = 0; i < calls; i++) {
    const t = now();
    const result = await client.callTool({
      name: 'check',
      arguments: { lb: ['60s'], backend: ['runtime:gunicorn'] },
    });
    toolCalls.push(now() - t);
    if (result.structuredContent?.verdict !== 'violation') throw new Error('unexpected result');
  }
  await client.close();
}
const spawns = [];
for (let i = 0; i < calls; i++) {
  const t = now();
  const r = spawnSync(process.execPath, [BIN, 'check', ...ARGS, '--json'], { encoding: 'utf8' });
  spawns.push(now() - t);
  if (r.status !== 1) throw new Error(`check exited ${r.status}`);
}
console.log(
  JSON.stringify(
    {
      calls,
      loadAverage1m: { before: round(loadBefore), after: round(loadavg()[0]) },
      mcpStartupMs: { median: round(median(startups)), runs: startups.map(round) },
      mcpCheckCallMs: { median: round(median(toolCalls)), max: round(Math.max(...toolCalls)) },
      cliCheckSpawnMs: { median: round(median(spawns)), max: round(Math.max(...spawns)) },
    },
    null,
    2,
  ),
);
