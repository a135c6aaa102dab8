#!/usr/bin/env node
// Differential check of two builds of the core's log parsers: every line of every file is parsed by
// both, for each format given, and the results (records, failures, and the whole analysis) must be equal;
// a format's lean `parseForAnalysis` must take the same decision (skip, fail with its reason, record).
// Usage: node bench/diagnose-throughput/differential.mjs OLD_CORE_DIST NEW_CORE_DIST FILE... [--max-lines N]
//   OLD_CORE_DIST: a copy of packages/core/dist built from the base commit (e.g. `git worktree add`
//   of it, `npm run build`, then its packages/core/dist). Files are only read.
// The nginx formats checked are `combined`, ingress-nginx's `upstreaminfo`, the benchmark's format,
// the one docs/diagnose.md recommends and the lab's; ALB lines are checked with the `alb` format.
// Exits 1 on the first difference (printing file:line and both results), 0 when all are equal.
import { createReadStream } from 'node:fs';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { pathToFileURL } from 'node:url';

const args = process.argv.slice(2);
const maxAt = args.indexOf('--max-lines');
const maxLines = maxAt >= 0 ? Number(args.splice(maxAt, 2)[1]) : Number.POSITIVE_INFINITY;
const [oldDir, newDir, ...files] = args;
if (!oldDir || !newDir || files.length === 0) {
  console.error('usage: node differential.mjs OLD_CORE_DIST NEW_CORE_DIST FILE... [--max-lines N]');
  process.exit(2);
}
const load = (dir) => import(pathToFileURL(resolve(dir, 'index.js')).href);
const [oldCore, newCore] = await Promise.all([load(oldDir), load(newDir)]);

const NGINX_FORMATS = {
  combined: null,
  ingress: null,
  bench:
    '$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent" $msec $request_time $upstream_addr $upstream_status $upstream_connect_time $upstream_header_time $upstream_response_time',
  recommended:
    '$remote_addr [$time_local] $msec "$request" $status $body_bytes_sent $request_time $connection $connection_requests up=$upstream_addr us=$upstream_status uct=$upstream_connect_time uht=$upstream_header_time urt=$upstream_response_time',
  lab: '$remote_addr [$time_local] "$request" $status rid=$http_x_request_id up=$upstream_addr ustatus=$upstream_status uct=$upstream_connect_time urt=$upstream_response_time',
};

function formatsOf(core) {
  const out = {};
  for (const [name, fmt] of Object.entries(NGINX_FORMATS)) {
    out[name] =
      fmt === null
        ? core.findLogFormat(name === 'combined' ? 'nginx-combined' : 'nginx-ingress')
        : core.nginxAccessFormat(fmt);
  }
  out.alb = core.findLogFormat('alb');
  return out;
}
const oldFormats = formatsOf(oldCore);
const newFormats = formatsOf(newCore);

/** JSON with object keys sorted (the order of a record's fields carries no meaning). */
const canonical = (value) =>
  JSON.stringify(value, (_key, v) =>
    v !== null && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0)))
      : v,
  );

let compared = 0;
let parsedOk = 0;
for (const file of files) {
  const names = /alb/i.test(file) ? ['alb'] : Object.keys(NGINX_FORMATS);
  const analyzers = names.map((name) => {
    const a = new oldCore.LogAnalyzer();
    const b = new newCore.LogAnalyzer();
    a.beginInput(file, oldFormats[name]);
    b.beginInput(file, newFormats[name]);
    return [a, b];
  });
  let n = 0;
  for await (const line of createInterface({
    input: createReadStream(file),
    crlfDelay: Number.POSITIVE_INFINITY,
  })) {
    n++;
    if (n > maxLines) break;
    names.forEach((name, i) => {
      const a = canonical(oldFormats[name].parseLine(line));
      const b = canonical(newFormats[name].parseLine(line));
      compared++;
      if (a !== b) {
        console.error(`DIFFERENT ${file}:${n} (${name})\n  line: ${line}\n  old:  ${a}\n  new:  ${b}`);
        process.exit(1);
      }
      if (a.startsWith('{"ok":true')) parsedOk++;
      // The analyzer's lean parse (when the format has one) must take the same decision.
      const lean = newFormats[name].parseForAnalysis?.(line);
      if (lean !== undefined) {
        const decision = (r) => (r === null ? 'skip' : r.ok ? 'ok' : `fail: ${r.reason}`);
        const full = newFormats[name].parseLine(line);
        if (decision(lean) !== decision(full)) {
          console.error(`DIFFERENT lean parse ${file}:${n} (${name}): ${decision(lean)} / ${decision(full)}`);
          process.exit(1);
        }
      }
      analyzers[i][0].addLine(line, n);
      analyzers[i][1].addLine(line, n);
    });
  }
  names.forEach((name, i) => {
    const a = JSON.stringify(analyzers[i][0].toPartial());
    const b = JSON.stringify(analyzers[i][1].toPartial());
    if (a !== b) {
      console.error(`DIFFERENT analysis of ${file} (${name})`);
      process.exit(1);
    }
  });
  console.error(`${file}: ${Math.min(n, maxLines)} lines × ${names.length} formats equal`);
}
console.log(`equal: ${compared} parses (${parsedOk} records) and every analysis`);
