#!/usr/bin/env node
// Lab reproduction benchmark: how reliably and how fast `keepalive-parity lab` reproduces the
// keep-alive race, per proxy and mode, next to the playbook's fixed-gap loop.
//
//   npm run build && node bench/lab-reproduction/run.mjs [--runs 20] [--proxies nginx,haproxy,...]
//                                                       [--modes deterministic,natural,playbook]
//
// deterministic  20 runs of the mismatch scenario (fresh backend, proxy and calibration each run),
//                each stopping at its first 502, at most 6 requests.
// natural        20 runs without widening: gaps swept across the measured close, each stopping at
//                its first 502 or after 60 s.
// playbook       the playbook's loop: backend closing exactly at 1 s, one request 2 s after the
//                previous response, 20 times (one run).
// Reported: share of runs with a 502, median time from the start of the run (calibration
// included) to the first 502, and 502s / requests. Results also go to bench/lab-reproduction/results.json.
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { runLab } from '../../packages/cli/dist/lab/run.js';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '20' },
    proxies: { type: 'string', default: 'nginx,haproxy,apache,caddy,node' },
    modes: { type: 'string', default: 'deterministic,natural,playbook' },
    out: { type: 'string', default: new URL('./results.json', import.meta.url).pathname },
  },
});
const runs = Number(values.runs);
const proxies = values.proxies.split(',');
const modes = values.modes.split(',');

const base = {
  backendKeepAliveMs: 1000,
  proxyIdleMs: 10_000,
  scenarios: ['mismatch'],
  fixedMarginMs: 5000,
  capture: false,
};

function median(values) {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

// Ctrl-C / SIGTERM: the current run stops its proxy and backend by PID, then the results so far
// are written.
const controller = new AbortController();
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => controller.abort(new Error(signal)));

const rows = [];
for (const proxy of proxies) {
  for (const mode of modes) {
    const perRun = [];
    const planned = mode === 'playbook' ? 1 : runs;
    for (let i = 0; i < planned && !controller.signal.aborted; i++) {
      const options =
        mode === 'deterministic'
          ? { ...base, proxy, mode, windowMs: 20, attempts: 6, timeoutMs: 60_000, stopAtFirst502: true }
          : mode === 'natural'
            ? { ...base, proxy, mode, windowMs: 5, attempts: 200, timeoutMs: 60_000, stopAtFirst502: true }
            : {
                ...base,
                proxy,
                mode: 'deterministic',
                windowMs: 20,
                attempts: runs,
                timeoutMs: 120_000,
                fixedGapMs: 2000,
              };
      const started = Date.now();
      const result = await runLab({ ...options, signal: controller.signal });
      const s = result.scenarios[0];
      if (!s) break;
      perRun.push({
        reproduced: s.proxy502 > 0,
        firstProxy502AfterMs: s.firstProxy502AfterMs,
        requests: s.requests,
        proxy502: s.proxy502,
        failedWithHandler: s.failedWithHandler,
        measuredKeepAliveMs: result.backend.measuredKeepAliveMs,
        wallMs: Date.now() - started,
      });
      process.stderr.write(
        `${proxy} ${mode} run ${i + 1}/${planned}: ${s.proxy502}/${s.requests} 502, first after ${s.firstProxy502AfterMs ?? '-'} ms\n`,
      );
    }
    const reproduced = perRun.filter((r) => r.reproduced);
    rows.push({
      proxy,
      mode,
      runs: perRun.length,
      reproducedRuns: reproduced.length,
      medianFirst502Ms: median(reproduced.map((r) => r.firstProxy502AfterMs)),
      maxFirst502Ms: reproduced.length ? Math.max(...reproduced.map((r) => r.firstProxy502AfterMs)) : null,
      requests: perRun.reduce((n, r) => n + r.requests, 0),
      proxy502: perRun.reduce((n, r) => n + r.proxy502, 0),
      failedWithHandler: perRun.reduce((n, r) => n + r.failedWithHandler, 0),
      perRun,
    });
  }
}

writeFileSync(
  values.out,
  `${JSON.stringify({ date: new Date().toISOString(), node: process.version, rows }, null, 2)}\n`,
);
console.log(
  '| proxy | mode | runs reproduced | median time to first 502 | max | 502 / requests | handler calls for the 502s |',
);
console.log('|---|---|---|---|---|---|---|');
for (const r of rows) {
  const share =
    r.mode === 'playbook'
      ? '–'
      : `${r.reproducedRuns}/${r.runs} (${Math.round((100 * r.reproducedRuns) / r.runs)} %)`;
  const med = r.medianFirst502Ms === null ? '–' : `${(r.medianFirst502Ms / 1000).toFixed(1)} s`;
  const max = r.maxFirst502Ms === null ? '–' : `${(r.maxFirst502Ms / 1000).toFixed(1)} s`;
  console.log(
    `| ${r.proxy} | ${r.mode} | ${share} | ${med} | ${max} | ${r.proxy502}/${r.requests} | ${r.failedWithHandler} |`,
  );
}
