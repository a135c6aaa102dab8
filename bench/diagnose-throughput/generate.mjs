#!/usr/bin/env node
// Generates a large synthetic ALB or nginx access log for the diagnose throughput benchmark.
// Usage: node generate.mjs alb|nginx OUT_FILE SIZE_MB
// Lines are real-shaped (ALB: 30 fields with conn_trace_id; nginx: combined + upstream fields),
// with ~0.05 % LB-generated 502s after idle gaps, some target 500s and 504s. Deterministic (seeded).
import { createWriteStream } from 'node:fs';

const [kind, out, sizeMbText] = process.argv.slice(2);
if (!['alb', 'nginx'].includes(kind) || !out || !sizeMbText) {
  console.error('usage: node generate.mjs alb|nginx OUT_FILE SIZE_MB');
  process.exit(2);
}
const targetBytes = Number(sizeMbText) * 1024 * 1024;
// mulberry32: a small seeded PRNG with full 32-bit state (an LCG in doubles loses precision).
let seed = 42;
const rand = () => {
  seed = (seed + 0x6d2b79f5) | 0;
  let x = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
  return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
};
const paths = ['/', '/api/orders', '/api/users/42', '/static/app.js', '/health', '/api/search?q=keep-alive'];
const agents = [
  'curl/8.5.0',
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36',
  'python-requests/2.31.0',
];
const targets = ['10.0.1.10:8080', '10.0.1.11:8080', '10.0.2.12:8080', '10.0.2.13:8080'];
const TG = 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/web/73e2d6bc24d8a067';
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
let t = Date.UTC(2026, 10, 1, 0, 0, 0);
const lastByTarget = new Map();

function pickStatus(target) {
  // Quiet periods: the pooled connections sit idle long enough for the backend to close them.
  if (rand() < 0.01) t += 500 + Math.floor(rand() * 2500);
  const gap = t - (lastByTarget.get(target) ?? t);
  lastByTarget.set(target, t);
  const r = rand();
  if (gap > 1000 && r < 0.1) return { elb: 502, tgt: '-' }; // race after ~1 s idle
  if (r < 0.0004) return { elb: 500, tgt: '500' };
  if (r < 0.0005) return { elb: 504, tgt: '-' };
  if (r < 0.02) return { elb: 404, tgt: '404' };
  return { elb: 200, tgt: '200' };
}

function albLine() {
  const target = targets[Math.floor(rand() * targets.length)];
  const { elb, tgt } = pickStatus(target);
  const created = new Date(t).toISOString().replace('Z', '000Z');
  const dur = elb === 502 ? 0.001 : rand() * 0.05;
  t += Math.floor(rand() * 40);
  const time = new Date(t).toISOString().replace('Z', '412Z');
  const path = paths[Math.floor(rand() * paths.length)];
  const method = rand() < 0.8 ? 'GET' : 'POST';
  const tp = elb === 502 || elb === 504 ? '-1' : dur.toFixed(3);
  const rp = elb === 502 || elb === 504 ? '-1' : '0.000';
  return `https ${time} app/web/50dc6c495c0c9188 203.0.113.${Math.floor(rand() * 255)}:${40000 + Math.floor(rand() * 20000)} ${target} ${elb === 502 ? '-1' : '0.000'} ${tp} ${rp} ${elb} ${tgt} ${Math.floor(rand() * 900)} ${Math.floor(rand() * 9000)} "${method} https://www.example.com:443${path} HTTP/1.1" "${agents[Math.floor(rand() * agents.length)]}" ECDHE-RSA-AES128-GCM-SHA256 TLSv1.2 ${TG} "Root=1-${(t / 1000).toString(16).slice(0, 8)}-36d228ad5d99923122bbe354" "www.example.com" "arn:aws:acm:eu-west-1:123456789012:certificate/12345678-1234-1234-1234-123456789012" 0 ${created} "forward" "-" "-" "${target}" "${tgt}" "-" "-" TID_${Math.floor(rand() * 1e12).toString(16)}\n`;
}

function nginxLine() {
  const target = targets[Math.floor(rand() * targets.length)];
  const { elb, tgt } = pickStatus(target);
  t += Math.floor(rand() * 40);
  const d = new Date(t);
  const local = `${String(d.getUTCDate()).padStart(2, '0')}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:${String(d.getUTCHours()).padStart(2, '0')}:${String(d.getUTCMinutes()).padStart(2, '0')}:${String(d.getUTCSeconds()).padStart(2, '0')} +0000`;
  const path = paths[Math.floor(rand() * paths.length)];
  const method = rand() < 0.8 ? 'GET' : 'POST';
  const rt = elb === 502 ? 0 : rand() * 0.05;
  const us = elb === 502 ? '502' : elb === 504 ? '504' : tgt;
  const uct = elb === 502 ? '0.000' : '0.000';
  const uht = elb === 502 || elb === 504 ? '-' : rt.toFixed(3);
  return `203.0.113.${Math.floor(rand() * 255)} - - [${local}] "${method} ${path} HTTP/1.1" ${elb} ${Math.floor(rand() * 9000)} "-" "${agents[Math.floor(rand() * agents.length)]}" ${(t / 1000).toFixed(3)} ${rt.toFixed(3)} ${target} ${us} ${uct} ${uht} ${rt.toFixed(3)}\n`;
}

const stream = createWriteStream(out);
let written = 0;
const make = kind === 'alb' ? albLine : nginxLine;
function pump() {
  while (written < targetBytes) {
    let batch = '';
    for (let i = 0; i < 2000; i++) batch += make();
    written += Buffer.byteLength(batch);
    if (!stream.write(batch)) return stream.once('drain', pump);
  }
  stream.end(() => console.error(`wrote ${(written / 1048576).toFixed(0)} MiB to ${out}`));
}
pump();
