#!/usr/bin/env node
// Benchmark for `scan` (a synthetic monorepo) and `image:` (a docker save tarball with a big layer).
// Usage: node bench/scan-and-image/run.mjs [SERVICES=300] [LAYER_MB=512]
// Needs a built CLI (npm run build). Measures wall time and peak RSS of the spawned CLI through
// /usr/bin/time -f %M (GNU time). Everything is written under a temp dir that is removed at the end.
import { spawnSync } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../../packages/cli/dist/bin.js', import.meta.url));
const services = Number(process.argv[2] ?? 300);
const layerMb = Number(process.argv[3] ?? 512);
const dir = mkdtempSync(join(tmpdir(), 'kap-bench-scan-'));

function measure(args) {
  const started = process.hrtime.bigint();
  const r = spawnSync('/usr/bin/time', ['-f', '%M', process.execPath, BIN, ...args], {
    encoding: 'utf8',
    maxBuffer: 512 * 1024 * 1024,
  });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  const rssKb = Number(r.stderr.trim().split('\n').pop());
  return { code: r.status, ms: Math.round(ms), rssMb: Math.round(rssKb / 1024), stdout: r.stdout };
}

try {
  // ---- a monorepo: per service a Dockerfile, a Deployment + Service + ConfigMap, an nginx upstream
  const repo = join(dir, 'repo');
  mkdirSync(join(repo, 'k8s'), { recursive: true });
  mkdirSync(join(repo, 'nginx'), { recursive: true });
  mkdirSync(join(repo, 'dist'), { recursive: true });
  writeFileSync(join(repo, '.gitignore'), 'dist/\n');
  let nginx = 'events {}\nhttp {\n';
  for (let i = 0; i < services; i++) {
    const name = `svc${i}`;
    mkdirSync(join(repo, 'services', name, 'src'), { recursive: true });
    writeFileSync(
      join(repo, 'services', name, 'Dockerfile'),
      `FROM python:3.12-slim\nENV UVICORN_TIMEOUT_KEEP_ALIVE=${i % 2 ? 75 : 30}\nCMD ["uvicorn", "app:app", "--port", "8000"]\n`,
    );
    for (let f = 0; f < 20; f++)
      writeFileSync(
        join(repo, 'services', name, 'src', `mod${f}.py`),
        `def f${f}():\n    return ${f}\n`.repeat(20),
      );
    writeFileSync(
      join(repo, 'k8s', `${name}.yaml`),
      `apiVersion: apps/v1\nkind: Deployment\nmetadata: { name: ${name} }\nspec:\n  template:\n    metadata: { labels: { app: ${name} } }\n    spec:\n      containers:\n        - { name: app, image: registry/${name}:1 }\n---\napiVersion: v1\nkind: Service\nmetadata: { name: ${name} }\nspec: { selector: { app: ${name} } }\n`,
    );
    nginx += `  upstream ${name} { server ${name}:8000; keepalive 8; keepalive_timeout 60s; }\n`;
    writeFileSync(join(repo, 'dist', `bundle${i}.js`), 'x'.repeat(4096));
  }
  nginx +=
    '  server { listen 80; location / { proxy_pass http://svc0; proxy_http_version 1.1; proxy_set_header Connection ""; } }\n}\n';
  writeFileSync(join(repo, 'nginx', 'nginx.conf'), nginx);
  const files = services * 22 + 2;
  const scan = measure(['scan', repo, '--json']);
  const doc = JSON.parse(scan.stdout);
  console.log(
    `scan: ${files} files (${services} services, ${services} ignored), ${doc.hops.length} hops, ${doc.hops.filter((h) => h.verdict === 'violation').length} violations: ${scan.ms} ms, peak RSS ${scan.rssMb} MB (exit ${scan.code})`,
  );

  // ---- image: a docker save tarball with one big layer; only manifest.json and the config are read
  const tarPath = join(dir, 'image.tar');
  const config = JSON.stringify({
    config: { Env: ['UVICORN_TIMEOUT_KEEP_ALIVE=65'], Cmd: ['uvicorn', 'app:app'] },
  });
  const header = (name, size) => {
    const h = Buffer.alloc(512);
    h.write(name, 0);
    h.write('0000644\0', 100);
    h.write('0000000\0', 108);
    h.write('0000000\0', 116);
    h.write(`${size.toString(8).padStart(11, '0')}\0`, 124);
    h.write('00000000000\0', 136);
    h.write('        ', 148);
    h.write('0', 156);
    h.write('ustar\0', 257);
    h.write('00', 263);
    let sum = 0;
    for (const b of h) sum += b;
    h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148);
    return h;
  };
  const fd = openSync(tarPath, 'w');
  const layerBytes = layerMb * 1024 * 1024;
  writeSync(fd, header('layer/layer.tar', layerBytes));
  const chunk = Buffer.alloc(8 * 1024 * 1024, 7);
  for (let written = 0; written < layerBytes; written += chunk.length)
    writeSync(fd, chunk, 0, Math.min(chunk.length, layerBytes - written));
  for (const [name, body] of [
    ['cfg.json', config],
    [
      'manifest.json',
      JSON.stringify([{ Config: 'cfg.json', RepoTags: ['bench:1'], Layers: ['layer/layer.tar'] }]),
    ],
  ]) {
    const b = Buffer.from(body);
    writeSync(fd, header(name, b.length));
    writeSync(fd, Buffer.concat([b, Buffer.alloc((512 - (b.length % 512)) % 512)]));
  }
  writeSync(fd, Buffer.alloc(1024));
  closeSync(fd);
  const image = measure(['check', '--lb', '60s', '--backend', `image:${tarPath}`, '--json']);
  console.log(
    `image: docker save tar with a ${layerMb} MiB layer: ${image.ms} ms, peak RSS ${image.rssMb} MB (exit ${image.code})`,
  );
  const baseline = measure(['check', '--lb', '60s', '--backend', '65s', '--json']);
  console.log(`baseline: check with a literal value: ${baseline.ms} ms, peak RSS ${baseline.rssMb} MB`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
