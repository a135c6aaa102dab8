#!/usr/bin/env node
// Times `keepalive-parity evidence` on a synthetic capture of at least 1 GB (generate.mjs writes
// it to bench/out/, not committed), side by side with `tcpdump -r FILE -nn > /dev/null` and
// `tshark -r FILE -q -z conv,tcp`; wall time and peak RSS from /usr/bin/time, load average
// before and after each run. Usage (after npm run build):
//   node bench/evidence-capture/run.mjs [--file bench/out/evidence-1g.pcap] [--runs 3] [--out bench/evidence-capture/results.json]
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : fallback;
};
const file = option('--file', 'bench/out/evidence-1g.pcap');
const runs = Number(option('--runs', '3'));
const out = option('--out', 'bench/evidence-capture/results.json');
if (!existsSync(file))
  execFileSync(process.execPath, ['bench/evidence-capture/generate.mjs', '--out', file], {
    stdio: 'inherit',
  });

const tools = [
  {
    name: 'keepalive-parity evidence --json',
    command: process.execPath,
    args: ['packages/cli/dist/bin.js', 'evidence', file, '--json'],
  },
  { name: 'tcpdump -r FILE -nn', command: 'tcpdump', args: ['-r', file, '-nn'] },
  { name: 'tshark -r FILE -q -z conv,tcp', command: 'tshark', args: ['-r', file, '-q', '-z', 'conv,tcp'] },
];

function version(command, flag) {
  const r = spawnSync(command, [flag], { encoding: 'utf8' });
  return `${r.stdout}${r.stderr}`.split('\n')[0].trim();
}

const results = [];
for (const tool of tools) {
  for (let run = 0; run < runs; run++) {
    const loadBefore = loadavg()[0];
    const r = spawnSync('/usr/bin/time', ['-f', '%e %M', tool.command, ...tool.args], {
      encoding: 'utf8',
      stdio: ['ignore', 'ignore', 'pipe'],
      maxBuffer: 64 << 20,
    });
    const last = r.stderr.trim().split('\n').pop() ?? '';
    const [wall, rssKb] = last.split(' ').map(Number);
    const entry = {
      tool: tool.name,
      run: run + 1,
      exit: r.status,
      wallSeconds: wall,
      peakRssMb: Math.round((rssKb / 1024) * 10) / 10,
      loadBefore: Math.round(loadBefore * 100) / 100,
      loadAfter: Math.round(loadavg()[0] * 100) / 100,
    };
    results.push(entry);
    process.stderr.write(`${JSON.stringify(entry)}\n`);
  }
}
const document = {
  file,
  bytes: statSync(file).size,
  node: process.version,
  tcpdump: version('tcpdump', '--version'),
  tshark: version('tshark', '--version'),
  measuredAt: new Date().toISOString(),
  results,
};
writeFileSync(out, `${JSON.stringify(document, null, 2)}\n`);
const evidence = JSON.parse(
  spawnSync(process.execPath, ['packages/cli/dist/bin.js', 'evidence', file, '--json'], {
    encoding: 'utf8',
    maxBuffer: 64 << 20,
  }).stdout,
);
process.stderr.write(
  `evidence: ${evidence.frames} frames, ${evidence.connections} connections, ${evidence.racesTotal} races\n`,
);
void readFileSync;
