#!/usr/bin/env node
// CPU profile of one diagnose task (what a worker runs), in the main thread so that --cpu-prof sees it
// (a worker ended by the pool writes no profile). Prints the functions with the most self time.
// Usage: node bench/diagnose-throughput/profile.mjs alb|nginx FILE [--top 15]
// Needs: npm run build. Writes the .cpuprofile under /tmp/kap-bench/prof (open it in Chrome DevTools).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const NGINX_FORMAT =
  '$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent" $msec $request_time $upstream_addr $upstream_status $upstream_connect_time $upstream_header_time $upstream_response_time';
const [kind, file, ...rest] = process.argv.slice(2);
if (!['alb', 'nginx'].includes(kind) || !file) {
  console.error('usage: node profile.mjs alb|nginx FILE [--top 15]');
  process.exit(2);
}
const top = Number(rest[rest.indexOf('--top') + 1] ?? 15) || 15;

if (process.env.KAP_PROFILE_CHILD === '1') {
  const task = fileURLToPath(new URL('../../packages/cli/dist/diagnose/task.js', import.meta.url));
  const { runFileTask } = await import(task);
  const t0 = performance.now();
  const r = await runFileTask({
    id: 0,
    path: file,
    name: file,
    gzip: false,
    formatId: kind === 'alb' ? 'alb' : 'nginx',
    formatOptions: kind === 'alb' ? {} : { nginxLogFormat: NGINX_FORMAT },
  });
  console.log(
    `${kind}: ${r.lines} lines, ${r.partial.requests} requests in ${Math.round(performance.now() - t0)} ms`,
  );
} else {
  const { mkdirSync } = await import('node:fs');
  mkdirSync('/tmp/kap-bench/prof', { recursive: true });
  const dir = mkdtempSync('/tmp/kap-bench/prof/run-');
  spawnSync(
    process.execPath,
    ['--cpu-prof', `--cpu-prof-dir=${dir}`, fileURLToPath(import.meta.url), kind, file],
    {
      stdio: 'inherit',
      env: { ...process.env, KAP_PROFILE_CHILD: '1' },
    },
  );
  const name = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
  const profile = JSON.parse(readFileSync(join(dir, name), 'utf8'));
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map();
  let total = 0;
  profile.samples.forEach((id, i) => {
    const frame = byId.get(id).callFrame;
    const key = `${frame.functionName || '(anonymous)'} ${frame.url.split('/').slice(-2).join('/')}:${frame.lineNumber + 1}`;
    const dt = profile.timeDeltas[i] ?? 0;
    self.set(key, (self.get(key) ?? 0) + dt);
    total += dt;
  });
  console.log(`profile: ${join(dir, name)}\nself time:`);
  for (const [key, us] of [...self].sort((a, b) => b[1] - a[1]).slice(0, top)) {
    console.log(
      `${((100 * us) / total).toFixed(1).padStart(5)} %  ${(us / 1000).toFixed(0).padStart(6)} ms  ${key}`,
    );
  }
}
