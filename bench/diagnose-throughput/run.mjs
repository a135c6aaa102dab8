#!/usr/bin/env node
// diagnose throughput benchmark: MB/s and peak RSS of `keepalive-parity diagnose` against GoAccess and
// DuckDB's CSV reader on the same ≥1 GB ALB and nginx files (generated under /tmp, never committed).
// Usage: node bench/diagnose-throughput/run.mjs [--size-mb 1100] [--dir /tmp/kap-bench] [--no-goaccess] [--gzip]
//   --gzip: also `gzip -1` each file once and time `gzip -dc FILE.gz > /dev/null` against `diagnose FILE.gz`
//   (all cores and --jobs 1), and the same for a folder of 8 .gz parts of the file.
// Each row also records the 1-minute load average before it ran (the machine may be shared).
// Needs: npm run build; /usr/bin/time; goaccess (apt-get install -y goaccess) for its rows.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const args = process.argv.slice(2);
const opt = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : fallback;
};
const sizeMb = Number(opt('--size-mb', '1100'));
const dir = opt('--dir', '/tmp/kap-bench');
const here = fileURLToPath(new URL('.', import.meta.url));
const bin = fileURLToPath(new URL('../../packages/cli/dist/bin.js', import.meta.url));
const NGINX_FORMAT =
  '$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent" $msec $request_time $upstream_addr $upstream_status $upstream_connect_time $upstream_header_time $upstream_response_time';
mkdirSync(dir, { recursive: true });

const files = {};
for (const kind of ['alb', 'nginx']) {
  const file = join(dir, `${kind}.log`);
  if (!existsSync(file) || statSync(file).size < sizeMb * 1048576 * 0.99) {
    execFileSync(process.execPath, [join(here, 'generate.mjs'), kind, file, String(sizeMb)], {
      stdio: 'inherit',
    });
  }
  files[kind] = file;
}

function measure(label, command, commandArgs, bytes) {
  const load = loadavg()[0];
  const r = spawnSync('/usr/bin/time', ['-f', '%e %M %U %S', command, ...commandArgs], {
    encoding: 'utf8',
    maxBuffer: 1 << 28,
  });
  const last = r.stderr.trim().split('\n').pop() ?? '';
  const [seconds, kb, user, sys] = last.split(' ').map(Number);
  const cpuSeconds = user + sys;
  const row = {
    label,
    seconds,
    mbPerSecond: bytes / 1e6 / seconds,
    cpuSeconds,
    mbPerCpuSecond: bytes / 1e6 / cpuSeconds,
    peakRssMb: kb / 1024,
    load,
    exit: r.status,
  };
  console.error(
    `${label}: ${seconds}s, ${row.mbPerSecond.toFixed(1)} MB/s, ${cpuSeconds.toFixed(1)} CPU-s, ${row.peakRssMb.toFixed(0)} MB RSS, load ${load.toFixed(2)} (exit ${r.status})`,
  );
  return row;
}

const hasGoaccess = !args.includes('--no-goaccess') && spawnSync('goaccess', ['--version']).status === 0;
const results = [];
for (const kind of ['alb', 'nginx']) {
  const file = files[kind];
  const bytes = statSync(file).size;
  spawnSync('cat', [file], { stdio: 'ignore' }); // page cache
  const fmt = kind === 'nginx' ? ['--nginx-log-format', NGINX_FORMAT] : [];
  const rows = [];
  rows.push(
    measure(
      `diagnose (${kind}, all cores)`,
      process.execPath,
      [bin, 'diagnose', file, ...fmt, '--json', '--no-progress'],
      bytes,
    ),
  );
  rows.push(
    measure(
      `diagnose (${kind}, --jobs 1)`,
      process.execPath,
      [bin, 'diagnose', file, ...fmt, '--json', '--no-progress', '--jobs', '1'],
      bytes,
    ),
  );
  if (hasGoaccess) {
    const ga =
      kind === 'alb'
        ? ['--log-format=AWSALB']
        : [
            '--log-format=%h %^ %^ [%d:%t %^] "%r" %s %b "%R" "%u" %^',
            '--date-format=%d/%b/%Y',
            '--time-format=%T',
          ];
    rows.push(
      measure(
        `GoAccess 1.7 (${kind})`,
        'goaccess',
        [file, ...ga, '-o', join(dir, `goaccess-${kind}.json`), '--no-progress'],
        bytes,
      ),
    );
  }
  rows.push(
    measure(
      `DuckDB CSV reader (${kind}, serial)`,
      process.execPath,
      [join(here, 'duckdb-count.mjs'), kind, file, 'serial'],
      bytes,
    ),
  );
  rows.push(
    measure(
      `DuckDB CSV reader (${kind}, parallel)`,
      process.execPath,
      [join(here, 'duckdb-count.mjs'), kind, file, 'parallel'],
      bytes,
    ),
  );
  if (args.includes('--gzip')) {
    const gz = `${file}.gz`;
    if (!existsSync(gz)) execFileSync('sh', ['-c', `gzip -1 -c '${file}' > '${gz}'`]);
    spawnSync('cat', [gz], { stdio: 'ignore' });
    rows.push(measure(`gzip -dc (${kind}.log.gz)`, 'sh', ['-c', `gzip -dc '${gz}' > /dev/null`], bytes));
    rows.push(
      measure(
        `diagnose (${kind}.log.gz)`,
        process.execPath,
        [bin, 'diagnose', gz, ...fmt, '--json', '--no-progress'],
        bytes,
      ),
    );
    rows.push(
      measure(
        `diagnose (${kind}.log.gz, --jobs 1)`,
        process.execPath,
        [bin, 'diagnose', gz, ...fmt, '--json', '--no-progress', '--jobs', '1'],
        bytes,
      ),
    );
    // A folder of .gz files (how ALB delivers its logs): the same log cut into 8 parts by lines.
    const parts = join(dir, `${kind}-gz-parts`);
    if (!existsSync(join(parts, 'part-7.log.gz'))) {
      mkdirSync(parts, { recursive: true });
      execFileSync('sh', [
        '-c',
        `cd '${parts}' && split -n l/8 -d -a 1 '${file}' part- && for f in part-?; do gzip -1 -c "$f" > "$f.log.gz" && rm "$f"; done`,
      ]);
    }
    spawnSync('sh', ['-c', `cat '${parts}'/*.gz > /dev/null`]);
    rows.push(measure(`gzip -dc (8 × .gz)`, 'sh', ['-c', `gzip -dc '${parts}'/*.gz > /dev/null`], bytes));
    rows.push(
      measure(
        `diagnose (folder of 8 × .gz)`,
        process.execPath,
        [bin, 'diagnose', parts, ...fmt, '--json', '--no-progress'],
        bytes,
      ),
    );
  }
  results.push({ kind, bytes, rows });
}
writeFileSync(join(dir, 'results.json'), JSON.stringify(results, null, 2));
const ratio = (a, b) => (a && b ? (a / b).toFixed(2) : 'n/a');
for (const { kind, rows } of results) {
  const row = (prefix) => rows.find((r) => r.label.startsWith(prefix));
  const all = row(`diagnose (${kind}, all cores)`);
  const one = row(`diagnose (${kind}, --jobs 1)`);
  const duck = row(`DuckDB CSV reader (${kind}, parallel)`);
  const gzipOne = row(`gzip -dc (${kind}.log.gz)`);
  const gzOne = row(`diagnose (${kind}.log.gz)`);
  const gzipFolder = row('gzip -dc (8');
  const gzFolder = row('diagnose (folder');
  console.log(`\n${kind} ratios (goal ≥ 1, --jobs 2 goal ≥ 1.8):`);
  console.log(
    `- diagnose (all cores) / DuckDB parallel, wall MB/s: ${ratio(all?.mbPerSecond, duck?.mbPerSecond)}`,
  );
  console.log(
    `- diagnose --jobs 1 / DuckDB parallel, MB per CPU-s: ${ratio(one?.mbPerCpuSecond, duck?.mbPerCpuSecond)}`,
  );
  console.log(
    `- diagnose (all cores) / DuckDB parallel, MB per CPU-s: ${ratio(all?.mbPerCpuSecond, duck?.mbPerCpuSecond)}`,
  );
  console.log(`- all cores / --jobs 1, wall: ${ratio(one?.seconds, all?.seconds)}`);
  if (gzOne) console.log(`- one .gz / gzip -dc, wall: ${ratio(gzipOne?.seconds, gzOne?.seconds)}`);
  if (gzFolder)
    console.log(`- folder of .gz / gzip -dc, wall: ${ratio(gzipFolder?.seconds, gzFolder?.seconds)}`);
}
for (const { kind, bytes, rows } of results) {
  console.log(`\n${kind}: ${(bytes / 1e9).toFixed(2)} GB\n`);
  console.log('| tool | wall (s) | MB/s (wall) | CPU (s) | MB per CPU-second | peak RSS (MB) | load avg |');
  console.log('|---|---:|---:|---:|---:|---:|---:|');
  for (const r of rows) {
    console.log(
      `| ${r.label} | ${r.seconds.toFixed(1)} | ${r.mbPerSecond.toFixed(0)} | ${r.cpuSeconds.toFixed(1)} | ${r.mbPerCpuSecond.toFixed(0)} | ${r.peakRssMb.toFixed(0)} | ${r.load.toFixed(1)} |`,
    );
  }
}
