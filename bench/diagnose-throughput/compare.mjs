#!/usr/bin/env node
// Side-by-side throughput/memory of two builds of `diagnose` on the same files, interleaved run by
// run so both see the same machine load (the host is shared): A, B, A, B, ...
// Usage: node bench/diagnose-throughput/compare.mjs BIN_A BIN_B [--runs 2] [--dir /tmp/kap-bench] [--kinds alb,nginx]
// BIN_* are paths to packages/cli/dist/bin.js of two checkouts; files come from generate.mjs.
import { spawnSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';

const args = process.argv.slice(2);
const opt = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : fallback;
};
const [binA, binB] = args.filter((a, i) => !a.startsWith('--') && !args[i - 1]?.startsWith('--'));
const runs = Number(opt('--runs', '2'));
const dir = opt('--dir', '/tmp/kap-bench');
const NGINX_FORMAT =
  '$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent" $msec $request_time $upstream_addr $upstream_status $upstream_connect_time $upstream_header_time $upstream_response_time';

function once(bin, file, extra) {
  const r = spawnSync(
    '/usr/bin/time',
    ['-f', '%e %M %U %S', process.execPath, bin, 'diagnose', file, '--json', '--no-progress', ...extra],
    {
      encoding: 'utf8',
      maxBuffer: 1 << 28,
    },
  );
  const [seconds, kb, user, sys] = r.stderr.trim().split('\n').pop().split(' ').map(Number);
  const verdict = JSON.parse(r.stdout).verdict;
  return { seconds, cpu: user + sys, rssMb: kb / 1024, verdict, exit: r.status };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];
for (const kind of opt('--kinds', 'alb,nginx').split(',')) {
  const file = join(dir, `${kind}.log`);
  const bytes = statSync(file).size;
  for (const jobs of [[], ['--jobs', '1']]) {
    const extra = [...(kind === 'nginx' ? ['--nginx-log-format', NGINX_FORMAT] : []), ...jobs];
    const rows = { A: [], B: [] };
    for (let i = 0; i < runs; i++) {
      for (const [name, bin] of [
        ['A', binA],
        ['B', binB],
      ]) {
        const load = loadavg()[0].toFixed(2);
        const r = once(bin, file, extra);
        rows[name].push(r);
        console.error(
          `${kind} ${jobs.join(' ') || 'all cores'} ${name}: ${r.seconds}s wall, ${r.cpu.toFixed(1)} CPU-s, ${r.rssMb.toFixed(0)} MB, ${r.verdict} (load ${load})`,
        );
      }
    }
    for (const name of ['A', 'B']) {
      const s = median(rows[name].map((r) => r.seconds));
      const cpu = median(rows[name].map((r) => r.cpu));
      const rss = median(rows[name].map((r) => r.rssMb));
      console.log(
        `| ${kind} | ${jobs.join(' ') || 'all cores'} | ${name} | ${s.toFixed(1)} | ${(bytes / 1e6 / s).toFixed(0)} | ${cpu.toFixed(1)} | ${(bytes / 1e6 / cpu).toFixed(0)} | ${rss.toFixed(0)} | ${rows[name][0].verdict} |`,
      );
    }
  }
}
