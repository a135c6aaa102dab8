#!/usr/bin/env node
// Benchmark for the balancer-side readers: big nginx / HAProxy / Kubernetes / Terraform inputs, and
// `alb:all` against a local ELBv2 Query API endpoint with many load balancers.
// Usage: node bench/balancer-readers/run.mjs [UPSTREAMS=2000] [ALBS=1000]
// Needs a built CLI (npm run build). Wall time and peak RSS of the spawned CLI through /usr/bin/time
// -f %M (GNU time), including Node's start-up; next to `nginx -t` / `haproxy -c` on the same input
// when those binaries are installed. Everything is written under a temp dir removed at the end.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../../packages/cli/dist/bin.js', import.meta.url));
const upstreams = Number(process.argv[2] ?? 2000);
const albs = Number(process.argv[3] ?? 1000);
const dir = mkdtempSync(join(tmpdir(), 'kap-bench-readers-'));

function timed(cmd, args, options = {}) {
  const started = process.hrtime.bigint();
  const r = spawnSync('/usr/bin/time', ['-f', '%M', cmd, ...args], {
    encoding: 'utf8',
    maxBuffer: 512 * 1024 * 1024,
    ...options,
  });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  const rssKb = Number(r.stderr.trim().split('\n').pop());
  return {
    code: r.status,
    ms: Math.round(ms),
    rssMb: Math.round(rssKb / 1024),
    stdout: r.stdout,
    stderr: r.stderr,
  };
}

/** The spawned CLI, measured like `timed`; stdin optional. */
function cli(args, input, env = {}) {
  return timed(process.execPath, [BIN, ...args], { input, env: { ...process.env, NO_COLOR: '1', ...env } });
}

/** Same, but async (for the alb:all case, where this process also serves the API). */
function cliAsync(args, env) {
  return new Promise((resolve) => {
    const started = process.hrtime.bigint();
    const child = spawn('/usr/bin/time', ['-f', '%M', process.execPath, BIN, ...args], {
      env: { ...process.env, NO_COLOR: '1', ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const killer = setTimeout(() => child.kill('SIGKILL'), 300_000);
    child.on('close', (code) => {
      clearTimeout(killer);
      resolve({
        code,
        ms: Math.round(Number(process.hrtime.bigint() - started) / 1e6),
        rssMb: Math.round(Number(stderr.trim().split('\n').pop()) / 1024),
        stdout,
      });
    });
  });
}

function hops(result) {
  try {
    return JSON.parse(result.stdout).hops.length;
  } catch {
    return `? (exit ${result.code})`;
  }
}

const rows = [];
const row = (name, r, extra = '') => rows.push(`| ${name} | ${r.ms} ms | ${r.rssMb} MB | ${extra} |`);
const have = (bin) => spawnSync('sh', ['-c', `command -v ${bin}`]).status === 0;

try {
  row(
    'baseline: `check --lb 60s --backend 65s`',
    cli(['check', '--lb', '60s', '--backend', '65s', '--json']),
    '1 hop',
  );

  // ---- nginx: UPSTREAMS upstreams over 100 included files, one location each.
  const ngx = join(dir, 'nginx');
  mkdirSync(join(ngx, 'conf.d'), { recursive: true });
  const perFile = Math.ceil(upstreams / 100);
  for (let f = 0; f < 100; f++) {
    let text = '';
    let server = 'server {\n  listen 127.0.0.1:18080;\n';
    for (let i = f * perFile; i < Math.min(upstreams, (f + 1) * perFile); i++) {
      text += `upstream u${i} {\n  server 127.0.0.1:${10000 + (i % 5000)};\n  keepalive 8;\n  keepalive_timeout ${30 + (i % 60)}s; # comment\n}\n`;
      server += `  location /u${i}/ { proxy_pass http://u${i}; proxy_http_version 1.1; proxy_set_header Connection ""; }\n`;
    }
    writeFileSync(
      join(ngx, 'conf.d', `f${String(f).padStart(3, '0')}.conf`),
      `${text}${f === 0 ? `${server}}\n` : ''}`,
    );
  }
  writeFileSync(
    join(ngx, 'nginx.conf'),
    `pid ${ngx}/nginx.pid;\nerror_log ${ngx}/error.log;\nevents {}\nhttp {\n  access_log off;\n  include conf.d/*.conf;\n}\n`,
  );
  const nginxFile = cli(['check', '--lb', `nginx:${join(ngx, 'nginx.conf')}`, '--backend', '65s', '--json']);
  row(
    `\`check --lb nginx:FILE\` (${upstreams} upstreams, 100 includes)`,
    nginxFile,
    `${hops(nginxFile)} hops`,
  );
  if (have('nginx')) {
    row(
      '  next to: `nginx -t` on the same files',
      timed('nginx', ['-t', '-p', ngx, '-c', join(ngx, 'nginx.conf'), '-e', join(ngx, 'error.log')]),
    );
    const dump = spawnSync(
      'nginx',
      ['-T', '-p', ngx, '-c', join(ngx, 'nginx.conf'), '-e', join(ngx, 'error.log')],
      {
        encoding: 'utf8',
        maxBuffer: 256 * 1024 * 1024,
      },
    ).stdout;
    const stdin = cli(['check', '--lb', 'nginx:-', '--backend', '65s', '--json'], dump);
    row(
      `\`nginx -T \\| check --lb nginx:-\` (${(dump.length / 1e6).toFixed(1)} MB dump)`,
      stdin,
      `${hops(stdin)} hops`,
    );
  }

  // ---- HAProxy: UPSTREAMS backends.
  let cfg =
    'defaults\n  mode http\n  timeout connect 5s\n  timeout client 30s\n  timeout server 30s\n  timeout http-keep-alive 10s\n\nfrontend fe\n  bind 127.0.0.1:18081\n  default_backend b0\n';
  for (let i = 0; i < upstreams; i++) {
    cfg += `\nbackend b${i}\n  http-reuse safe\n  retry-on conn-failure empty-response\n  server s1 127.0.0.1:${10000 + (i % 5000)} pool-purge-delay 5s max-reuse 1000\n`;
  }
  writeFileSync(join(dir, 'haproxy.cfg'), cfg);
  const hap = cli(['check', '--lb', `haproxy:${join(dir, 'haproxy.cfg')}`, '--backend', '65s', '--json']);
  row(`\`check --lb haproxy:FILE\` (${upstreams} backends)`, hap, `${hops(hap)} hops`);
  if (have('haproxy'))
    row(
      '  next to: `haproxy -c` on the same file',
      timed('haproxy', ['-c', '-q', '-f', join(dir, 'haproxy.cfg')]),
    );

  // ---- Kubernetes: UPSTREAMS/2 DestinationRules + UPSTREAMS/2 ALB Ingresses in 100 files.
  const k8s = join(dir, 'k8s');
  mkdirSync(k8s);
  for (let f = 0; f < 100; f++) {
    const docs = [];
    for (let i = f * perFile; i < Math.min(upstreams, (f + 1) * perFile); i++) {
      docs.push(
        i % 2
          ? `apiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata: { name: dr${i} }\nspec:\n  host: svc${i}\n  trafficPolicy:\n    connectionPool:\n      http: { idleTimeout: ${30 + (i % 60)}s }\n`
          : `apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: ing${i}\n  annotations:\n    alb.ingress.kubernetes.io/load-balancer-attributes: idle_timeout.timeout_seconds=${60 + (i % 60)}\nspec: { ingressClassName: alb }\n`,
      );
    }
    writeFileSync(join(k8s, `f${f}.yaml`), docs.join('---\n'));
  }
  const k = cli(['check', '--lb', `k8s:${k8s}`, '--backend', '65s', '--json']);
  row(`\`check --lb k8s:FOLDER\` (${upstreams} objects, 100 files)`, k, `${hops(k)} hops`);

  // ---- Terraform: UPSTREAMS/10 aws_lb in 20 .tf files (HCL through the wasm parser).
  const tf = join(dir, 'tf');
  mkdirSync(tf);
  const lbs = Math.max(20, Math.round(upstreams / 10));
  for (let f = 0; f < 20; f++) {
    let text = '';
    for (let i = f; i < lbs; i += 20)
      text += `resource "aws_lb" "lb${i}" {\n  name         = "lb${i}"\n  idle_timeout = ${60 + (i % 100)}\n}\n\n`;
    writeFileSync(join(tf, `f${f}.tf`), text);
  }
  const t = cli(['check', '--lb', `terraform:${tf}`, '--backend', '65s', '--json']);
  row(`\`check --lb terraform:FOLDER\` (${lbs} aws_lb, 20 .tf files)`, t, `${hops(t)} hops`);

  // ---- alb:all against a local ELBv2 Query API: ALBS load balancers, 400 per page.
  const arn = (i) =>
    `arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/lb${i}/${String(i).padStart(16, '0')}`;
  let calls = 0;
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      calls++;
      const p = Object.fromEntries(new URLSearchParams(body));
      const ns = 'http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/';
      res.writeHead(200, { 'content-type': 'text/xml' });
      if (p.Action === 'DescribeLoadBalancers') {
        const start = Number(p.Marker ?? 0);
        const end = Math.min(albs, start + Number(p.PageSize ?? 400));
        let members = '';
        for (let i = start; i < end; i++)
          members += `<member><LoadBalancerArn>${arn(i)}</LoadBalancerArn><LoadBalancerName>lb${i}</LoadBalancerName><Type>application</Type></member>`;
        res.end(
          `<DescribeLoadBalancersResponse xmlns="${ns}"><DescribeLoadBalancersResult><LoadBalancers>${members}</LoadBalancers>${end < albs ? `<NextMarker>${end}</NextMarker>` : ''}</DescribeLoadBalancersResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></DescribeLoadBalancersResponse>`,
        );
      } else {
        const i = Number(/lb(\d+)\//.exec(p.LoadBalancerArn ?? '')?.[1] ?? 0);
        res.end(
          `<DescribeLoadBalancerAttributesResponse xmlns="${ns}"><DescribeLoadBalancerAttributesResult><Attributes><member><Key>idle_timeout.timeout_seconds</Key><Value>${60 + (i % 100)}</Value></member></Attributes></DescribeLoadBalancerAttributesResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></DescribeLoadBalancerAttributesResponse>`,
        );
      }
    });
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const endpoint = `http://127.0.0.1:${server.address().port}`;
  const a = await cliAsync(['check', '--lb', 'alb:all', '--backend', '65s', '--json'], {
    AWS_ACCESS_KEY_ID: 'AKIDBENCH',
    AWS_SECRET_ACCESS_KEY: 'bench',
    AWS_REGION: 'eu-west-1',
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_ENDPOINT_URL_ELASTIC_LOAD_BALANCING_V2: endpoint,
  });
  server.close();
  row(
    `\`check --lb alb:all\` (${albs} ALBs, local endpoint, 4 attribute reads in flight)`,
    a,
    `${hops(a)} hops, ${calls} API calls`,
  );

  console.log('| case | wall time | peak RSS | result |\n|---|---|---|---|');
  console.log(rows.join('\n'));
} finally {
  rmSync(dir, { recursive: true, force: true });
}
