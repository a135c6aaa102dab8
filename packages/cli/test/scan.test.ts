import assert from 'node:assert/strict';
import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parseJson, runCli } from './cli-helpers.js';

const FIXTURES = fileURLToPath(new URL('./fixtures/', import.meta.url));
const BROKEN = join(FIXTURES, 'scan-repo');
const FIXED = join(FIXTURES, 'scan-repo-fixed');

const hopByName = (doc: Record<string, any>, pattern: RegExp) => {
  const hop = doc.hops.find((h: any) => pattern.test(h.name));
  assert.ok(hop, `no hop matching ${pattern}: ${doc.hops.map((h: any) => h.name).join(' | ')}`);
  return hop;
};

describe('scan on a fixture repository (nginx + compose + Kubernetes + Terraform + Dockerfiles)', () => {
  let doc: Record<string, any>;
  let code: number | null;

  before(async () => {
    const result = await runCli(['scan', BROKEN, '--json']);
    code = result.code;
    doc = parseJson(result);
  });

  it('finds every hop, pairs them, and reports exactly the wrong ones (exit 1)', () => {
    assert.equal(code, 1);
    assert.equal(doc.command, 'scan');
    assert.equal(doc.verdict, 'violation');
    assert.equal(doc.hops.length, 5);
    const violating = doc.hops.filter((h: any) => h.verdict === 'violation').map((h: any) => h.name);
    assert.equal(violating.length, 3, JSON.stringify(violating));
    for (const pattern of [
      /^ALB .*public → ECS billing container billing/,
      /^Ingress shop .*→ Deployment orders/,
      /^nginx upstream web → compose service web/,
    ])
      assert.ok(
        violating.some((n: string) => pattern.test(n)),
        `${pattern} not among ${JSON.stringify(violating)}`,
      );
    const holding = doc.hops.filter((h: any) => h.verdict === 'holds').map((h: any) => h.name);
    assert.equal(holding.length, 2, JSON.stringify(holding));
    assert.ok(holding.some((n: string) => /^nginx upstream api → compose service api/.test(n)));
    assert.ok(holding.includes('CloudFront → edge nginx'));
  });

  it('nginx upstream → compose service → its Dockerfile; compose env overrides the image ENV', () => {
    const web = hopByName(doc, /upstream web/);
    assert.equal(web.clientIdleMs, 30_000);
    assert.equal(web.serverKeepAliveMs, 20_000);
    assert.match(web.pairedBy, /web:3000 → compose service web/);
    const fact = web.server.facts.find((f: any) => f.subject === 'server-keepalive');
    assert.deepEqual(fact.provenance, { kind: 'file', file: 'docker-compose.yml', line: 12 });
    assert.ok(
      fact.notes.some((n: string) =>
        /overrides KEEP_ALIVE_TIMEOUT=5000 \(Dockerfile ENV \(services\/web\/Dockerfile:4\)\)/.test(n),
      ),
      JSON.stringify(fact.notes),
    );
    const api = hopByName(doc, /upstream api/);
    assert.equal(api.serverKeepAliveMs, 75_000);
  });

  it('Ingress → Service → Deployment with the value from a ConfigMap, against the controller default', () => {
    const orders = hopByName(doc, /Ingress shop/);
    assert.equal(orders.serverKeepAliveMs, 30_000);
    assert.equal(orders.clientIdleMs, 60_000);
    assert.match(orders.pairedBy, /Service orders/);
    const client = orders.client.facts.find((f: any) => f.subject === 'pool-idle');
    assert.equal(client.isDefault, true);
    assert.equal(client.provenance.kind, 'knowledge-base');
  });

  it('Terraform ALB → listener → target group → ECS service → jsonencode container', () => {
    const billing = hopByName(doc, /ALB .*public/);
    assert.equal(billing.clientIdleMs, 120_000);
    assert.equal(billing.serverKeepAliveMs, 75_000);
    assert.match(billing.pairedBy, /aws_lb_target_group\.billing/);
    const fix = doc.findings.find(
      (f: any) => f.hopIndex === billing.index && f.id === 'keepalive-below-pool-idle',
    );
    assert.equal(fix.fixes[0].text, 'gunicorn --keep-alive 125');
  });

  it('the hops file names a pair the files cannot show', () => {
    const cdn = hopByName(doc, /CloudFront/);
    assert.equal(cdn.pairedBy, 'named in keepalive-parity.yaml');
    assert.equal(cdn.serverKeepAliveMs, 75_000);
    assert.equal(doc.hopsFile, 'keepalive-parity.yaml');
  });

  it("lists unpaired sides with what was found, reads a Deployment's command from its Dockerfile, respects .gitignore", () => {
    const labels = doc.unpaired.map((u: any) => u.label);
    // Server sides nothing routes to: the edge nginx container, the reports Deployment (and, once
    // the Terraform reader describes it, the ALB's own client-facing side).
    assert.ok(labels.length >= 2 && labels.length <= 3, JSON.stringify(labels));
    assert.ok(
      doc.unpaired.every((u: any) => u.role === 'server'),
      JSON.stringify(labels),
    );
    const reports = doc.unpaired.find((u: any) => /Deployment reports/.test(u.label));
    // No command in the manifest: the image's Dockerfile runs puma -C config/puma.rb (90 s).
    assert.equal(reports.value, '90 s');
    assert.match(reports.label, /command from services\/reports\/Dockerfile/);
    assert.ok(doc.unpaired.some((u: any) => u.label === 'compose service edge' && u.value === 'unknown'));
    const allFiles = Object.values(doc.detected).flat();
    assert.ok(!allFiles.includes('build/Dockerfile'), 'build/ is in .gitignore');
    assert.ok(!allFiles.includes('k8s/debug.local.yaml'), '*.local.yaml is in .gitignore');
    assert.equal(doc.skipped.ignored, 2);
  });

  it('the same repository with the values fixed exits 0', async () => {
    const result = await runCli(['scan', FIXED, '--json']);
    assert.equal(result.code, 0, result.stdout.slice(0, 2000));
    const fixed = parseJson(result);
    assert.equal(fixed.hops.length, 5);
    assert.equal(fixed.hops.filter((h: any) => h.verdict === 'violation').length, 0);
  });

  it('the human view: hops, how each was paired, the unpaired list', async () => {
    const result = await runCli(['scan', BROKEN]);
    assert.equal(result.code, 1);
    assert.match(result.stdout, /VIOLATION \(3 of 5 hops violate the rule\)/);
    assert.match(result.stdout, /how each hop was paired/);
    assert.match(result.stdout, /unpaired \(\d\): found, but no pair/);
  });
});

describe('scan: input errors and a bad config', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kap-scan-'));
    await cp(FIXED, dir, { recursive: true });
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('exit 2: not a folder, a hops file that does not parse', async () => {
    const notDir = await runCli(['scan', join(FIXED, 'docker-compose.yml')]);
    assert.equal(notDir.code, 2);
    assert.match(notDir.stderr, /is not a folder/);
    await writeFile(join(dir, 'keepalive-parity.yaml'), 'hops: [\n');
    const badHops = await runCli(['scan', dir]);
    assert.equal(badHops.code, 2);
    assert.match(badHops.stderr, /keepalive-parity\.yaml:\d+: not valid YAML/);
  });

  it('a manifest that does not parse is reported with file:line, and the rest is still checked', async () => {
    await writeFile(
      join(dir, 'keepalive-parity.yaml'),
      'hops:\n  - client: 60s\n    server: nginx:nginx/nginx.conf#edge\n',
    );
    await writeFile(join(dir, 'k8s', 'broken.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x\n');
    const result = await runCli(['scan', dir, '--json']);
    assert.equal(result.code, 0, result.stderr);
    const doc = parseJson(result);
    assert.ok(
      doc.diagnostics.some((d: any) => d.file === 'k8s/broken.yaml' && d.severity === 'error'),
      JSON.stringify(doc.diagnostics),
    );
    assert.equal(doc.hops.length, 5);
  });
});

describe('scan: Ingress controllers described in the manifests', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kap-scan-ingress-'));
    await writeFile(
      join(dir, 'cluster.yaml'),
      `apiVersion: v1
kind: ConfigMap
metadata: { name: ingress-nginx-controller, namespace: ingress-nginx }
data:
  upstream-keepalive-timeout: "20"
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: { name: site, namespace: shop }
spec:
  ingressClassName: nginx
  defaultBackend: { service: { name: catalog, port: { number: 80 } } }
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: public-api
  namespace: shop
  annotations:
    alb.ingress.kubernetes.io/load-balancer-attributes: idle_timeout.timeout_seconds=300
spec:
  ingressClassName: alb
  rules:
    - http:
        paths:
          - { path: /, pathType: Prefix, backend: { service: { name: api, port: { number: 80 } } } }
---
apiVersion: v1
kind: Service
metadata: { name: catalog, namespace: shop }
spec: { selector: { app: catalog } }
---
apiVersion: v1
kind: Service
metadata: { name: api, namespace: shop }
spec: { selector: { app: api } }
---
apiVersion: apps/v1
kind: Deployment
metadata: { name: catalog, namespace: shop }
spec:
  template:
    metadata: { labels: { app: catalog } }
    spec:
      containers:
        - { name: catalog, image: catalog:1, args: ["uvicorn", "catalog:app", "--timeout-keep-alive", "30"] }
---
apiVersion: apps/v1
kind: Deployment
metadata: { name: api, namespace: shop }
spec:
  template:
    metadata: { labels: { app: api } }
    spec:
      containers:
        - { name: api, image: api:1, command: ["gunicorn", "-k", "gthread", "--keep-alive", "75", "api:app"] }
`,
    );
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('ingress-nginx ConfigMap → nginx-class Ingress; ALB annotations → alb-class Ingress', async () => {
    const result = await runCli(['scan', dir, '--json']);
    assert.equal(result.code, 1, result.stderr);
    const doc = parseJson(result);
    const catalog = hopByName(doc, /→ Deployment catalog/);
    assert.equal(catalog.clientIdleMs, 20_000);
    assert.equal(catalog.verdict, 'holds');
    const api = hopByName(doc, /→ Deployment api/);
    assert.equal(api.clientIdleMs, 300_000);
    assert.equal(api.verdict, 'violation');
    assert.equal(doc.hops.length, 2);
  });
});
