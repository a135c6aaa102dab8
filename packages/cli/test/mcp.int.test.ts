import assert from 'node:assert/strict';
import { readdirSync, readFileSync, readlinkSync, statSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Tool } from '@modelcontextprotocol/sdk/types.js';
import { Ajv } from 'ajv';
import { pcap, scenarioPackets } from '../../core/test/capture-builder.js';
import { type CloudWatchServer, startCloudWatchServer } from './aws-helpers/cloudwatch-server.js';
import { awsTestEnv } from './aws-helpers/elbv2-server.js';
import { parseJson, runCli } from './cli-helpers.js';
import {
  makeTempDir,
  NGINX_LOG_FORMAT,
  removeDir,
  request,
  sleep,
  startBackend,
  startNginx,
} from './diagnose-helpers/harness.js';
import { childPids, type McpSession, startMcp } from './mcp-helpers/client.js';
import { skipUnless } from './support/binaries.js';
import { waitForLogLines } from './support/logs.js';
import { refusedPort } from './support/servers.js';

/**
 * The MCP server as an MCP client sees it: the SDK's real Client over stdio, spawning the built CLI.
 * Every tool result below is validated twice against the tool's outputSchema: by the SDK client
 * (callTool validates structuredContent) and explicitly with Ajv here.
 */

const SCAN_REPO = fileURLToPath(new URL('./fixtures/scan-repo', import.meta.url));
let mcp: McpSession;
let tools: Map<string, Tool>;
const validated = new Set<string>();
// The SDK lists draft-07 schemas (zod's JSON Schema output): Ajv's default dialect.
const ajv = new Ajv({ strict: false, allErrors: true });

// Fake AWS credentials (never real ones): cloudwatch: inputs go to a local CloudWatch endpoint.
const AWS_ENV = awsTestEnv(undefined);

before(async () => {
  mcp = await startMcp(undefined, AWS_ENV);
  tools = new Map((await mcp.client.listTools()).tools.map((t) => [t.name, t]));
});

after(async () => {
  await mcp?.close();
});

async function call(
  name: string,
  args: Record<string, unknown>,
  options: Parameters<McpSession['client']['callTool']>[2] = {},
) {
  const result = await mcp.client.callTool({ name, arguments: args }, undefined, options);
  if (result.structuredContent !== undefined) {
    const schema = tools.get(name)!.outputSchema!;
    const validate = ajv.compile(schema);
    assert.ok(validate(result.structuredContent), `${name}: ${JSON.stringify(validate.errors, null, 1)}`);
    validated.add(name);
  }
  return result as typeof result & {
    structuredContent?: Record<string, any>;
    content: Array<{ type: string; text: string }>;
  };
}

function socketFds(pid: number): number {
  return readdirSync(`/proc/${pid}/fd`).filter((fd) => {
    try {
      return readlinkSync(`/proc/${pid}/fd/${fd}`).startsWith('socket:');
    } catch {
      return false; // closed while listing
    }
  }).length;
}

describe('MCP server (stdio, SDK client, built CLI)', () => {
  it('lists one tool per command, each with an input and an output schema and annotations', () => {
    // In the playbook's order: scope, metrics/logs, both timeouts, the fix and its verification, proof.
    assert.deepEqual(
      [...tools.keys()],
      ['diagnose', 'scan', 'check', 'defaults', 'probe', 'evidence', 'verify', 'lab'],
    );
    for (const tool of tools.values()) {
      assert.equal(tool.inputSchema.type, 'object', tool.name);
      assert.equal(tool.outputSchema?.type, 'object', tool.name);
      assert.ok(ajv.compile(tool.outputSchema!), tool.name);
      assert.equal(typeof tool.annotations?.readOnlyHint, 'boolean', tool.name);
      assert.equal(typeof tool.annotations?.openWorldHint, 'boolean', tool.name);
    }
    assert.equal(tools.get('probe')!.annotations!.openWorldHint, true);
    assert.equal(tools.get('scan')!.annotations!.openWorldHint, false);
    assert.equal(tools.get('evidence')!.annotations!.openWorldHint, false);
    assert.equal(tools.get('verify')!.annotations!.openWorldHint, true);
    assert.equal(tools.get('verify')!.annotations!.readOnlyHint, true);
    // An agent learns from the listing alone that diagnose and verify take metrics inputs.
    for (const name of ['diagnose', 'verify']) {
      const tool = tools.get(name)!;
      assert.match(tool.description!, /prom:URL/, name);
      assert.match(tool.description!, /cloudwatch:alb:NAME/, name);
      const properties = tool.inputSchema.properties as Record<string, unknown>;
      for (const option of ['since', 'until', 'period', 'endpointUrl'])
        assert.ok(properties[option], `${name}.${option}`);
    }
    assert.match(tools.get('lab')!.description!, /127\.0\.0\.1/);
    assert.match(tools.get('lab')!.description!, /\d+-\d+ s/);
  });

  it('check: the same report as `check --json`, as structured content', async () => {
    const args = ['--lb', '60s', '--backend', 'runtime:gunicorn'];
    const result = await call('check', { lb: ['60s'], backend: ['runtime:gunicorn'] });
    assert.equal(result.isError, false);
    assert.equal(result.structuredContent!.verdict, 'violation');
    assert.equal(result.structuredContent!.findings[0].id, 'keepalive-below-pool-idle');
    assert.match(result.content[0]!.text, /exit 1/);
    const cli = parseJson(await runCli(['check', ...args, '--json']));
    assert.deepEqual(result.structuredContent, cli);
  });

  it('defaults: knowledge-base entries with their sources', async () => {
    const result = await call('defaults', { product: 'gunicorn' });
    assert.equal(result.isError, false);
    const entry = result.structuredContent!.entries.find((e: any) => e.id === 'gunicorn/keepalive');
    assert.equal(entry.defaultMs, 2000);
    assert.match(entry.sourceUrl, /^https:\/\//);
  });

  it('scan: the fixture repository, with file:line for config-read values', async () => {
    const result = await call('scan', { path: SCAN_REPO });
    assert.equal(result.isError, false);
    const doc = result.structuredContent!;
    assert.equal(doc.verdict, 'violation');
    const violating = doc.hops.find((h: any) => h.verdict === 'violation');
    assert.deepEqual(violating.client.facts[0].provenance, {
      kind: 'file',
      file: 'nginx/nginx.conf',
      line: violating.client.facts[0].provenance.line,
    });
    assert.ok(violating.client.facts[0].provenance.line > 0);
  });

  it('a bad argument is a tool error with the CLI message, and the server keeps serving', async () => {
    const missing = await call('check', { lb: ['60s'] });
    assert.equal(missing.isError, true);
    assert.equal(
      missing.content[0]!.text,
      'keepalive-parity check: error: check: --backend is missing: give --lb and --backend in pairs (1 --lb, 0 --backend)',
    );
    const cli = await runCli(['check', '--lb', '60s']);
    assert.equal(cli.code, 2);
    assert.equal(cli.stderr.trim(), missing.content[0]!.text);
    const wrongType = await call('check', { lb: 60 });
    assert.equal(wrongType.isError, true);
    assert.match(wrongType.content[0]!.text, /expected array/);
    const badDuration = await call('check', { lb: ['sixty'], backend: ['65s'] });
    assert.equal(badDuration.isError, true);
    assert.match(badDuration.content[0]!.text, /^keepalive-parity check: error: /);
    // Exit 2 with a report (a hop that cannot be judged): an error result that keeps the report.
    const undecided = await call('check', { lb: ['runtime:azure-appgw'], backend: ['65s'] });
    assert.equal(undecided.isError, true);
    assert.match(undecided.content[0]!.text, /exit 2 .*verdict unknown/);
    assert.equal(undecided.structuredContent!.verdict, 'unknown');
    // A probe that cannot connect (a port nothing listens on): exit 2, the probe's own message.
    const deadPort = await refusedPort();
    const refused = await call('probe', { url: `http://127.0.0.1:${deadPort}/`, samples: 1 });
    assert.equal(refused.isError, true);
    assert.match(refused.content[0]!.text, /keepalive-parity probe: exit 2 .*: .*(refused|ECONNREFUSED)/i);
    const unknownTool = await mcp.client.callTool({ name: 'nope', arguments: {} });
    assert.equal(unknownTool.isError, true);
    // Still serving.
    const again = await call('defaults', { products: true });
    assert.equal(again.isError, false);
    assert.ok(again.structuredContent!.products.length > 10);
  });

  it('resources: every rule page by id, the defaults knowledge base and one entry by id', async () => {
    const { resources } = await mcp.client.listResources();
    const ruleUris = resources.filter((r) => r.uri.startsWith('keepalive-parity://rules/')).map((r) => r.uri);
    const ruleFiles = readdirSync(fileURLToPath(new URL('../../../docs/rules/', import.meta.url)))
      .filter((f) => f.endsWith('.md') && f !== 'README.md')
      .map((f) => `keepalive-parity://rules/${f.replace(/\.md$/, '')}`);
    assert.deepEqual(ruleUris.sort(), ruleFiles.sort());
    for (const uri of ruleUris) {
      const { contents } = await mcp.client.readResource({ uri });
      const id = uri.split('/').pop()!;
      const file = readFileSync(
        fileURLToPath(new URL(`../../../docs/rules/${id}.md`, import.meta.url)),
        'utf8',
      );
      assert.equal((contents[0] as { text: string }).text, file, uri);
    }
    const kb = JSON.parse(
      (
        (await mcp.client.readResource({ uri: 'keepalive-parity://defaults' })).contents[0] as {
          text: string;
        }
      ).text,
    );
    assert.ok(kb.length > 50);
    const one = JSON.parse(
      (
        (await mcp.client.readResource({ uri: 'keepalive-parity://defaults/gunicorn/keepalive' }))
          .contents[0] as { text: string }
      ).text,
    );
    assert.equal(one.id, 'gunicorn/keepalive');
    await assert.rejects(mcp.client.readResource({ uri: 'keepalive-parity://rules/no-such-rule' }));
  });

  it('prompt investigate-502 walks the playbook in order: scope, logs, both timeouts, fix and verification', async () => {
    const prompt = await mcp.client.getPrompt({ name: 'investigate-502', arguments: { lb: 'alb:web' } });
    const text = (prompt.messages[0]!.content as { text: string }).text;
    const order = [
      'Scope first',
      'cloudwatch:alb:NAME',
      'diagnose',
      'logs',
      'scan',
      'check',
      'probe',
      'defaults',
      'evidence',
      'fix and its verification',
      'verify tool with changeAt',
      'lab',
    ];
    let at = -1;
    for (const word of order) {
      const next = text.indexOf(word, at + 1);
      assert.ok(next > at, `${word} after position ${at}`);
      at = next;
    }
    assert.match(text, /alb:web/);
  });

  describe('probe on a local Node server', () => {
    let server: http.Server;
    let port: number;
    before(async () => {
      server = http.createServer((_req, res) => res.end('ok\n'));
      server.keepAliveTimeout = 400;
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      port = (server.address() as AddressInfo).port;
    });
    after(async () => {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    });

    it('measures the idle close, with a progress notification per sample', async () => {
      const progress: Array<{ progress: number; total?: number }> = [];
      const result = await call(
        'probe',
        { url: `http://127.0.0.1:${port}/`, samples: 2 },
        {
          onprogress: (p) => progress.push(p),
          timeout: 30_000,
        },
      );
      assert.equal(result.isError, false, result.content[0]!.text);
      const doc = result.structuredContent!;
      assert.equal(doc.samples.length, 2);
      // Node closes an idle connection at keepAliveTimeout, or up to ~1 s later (Node 20's timer slack).
      assert.ok(doc.summary.medianMs >= 400 && doc.summary.medianMs < 2500, String(doc.summary.medianMs));
      // One notification per sample, of 2. The last one may be dropped by the SDK's client when it
      // arrives in the same read as the response (it handles notifications a microtask later), so
      // the first is required and the rest must follow in order.
      assert.deepEqual(progress[0], { progress: 1, total: 2, message: progress[0]!.message });
      assert.match(String((progress[0] as { message?: string }).message), /^sample 1: fin after \d/);
      assert.deepEqual(
        progress.map((p) => [p.progress, p.total]),
        [
          [1, 2],
          [2, 2],
        ].slice(0, progress.length),
      );
    });
  });

  it('a cancelled probe leaves no socket and no process behind, and the server keeps serving', async () => {
    // A server that never closes an idle connection by itself: only the probe can end it.
    const server = http.createServer((_req, res) => res.end('ok\n'));
    server.keepAliveTimeout = 600_000;
    let connected!: () => void;
    const firstConnection = new Promise<void>((r) => (connected = r));
    server.on('connection', () => connected());
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    const socketsBefore = socketFds(mcp.pid);
    try {
      const controller = new AbortController();
      const pending = mcp.client.callTool(
        { name: 'probe', arguments: { url: `http://127.0.0.1:${port}/`, samples: 3 } },
        undefined,
        { signal: controller.signal, timeout: 60_000 },
      );
      await firstConnection;
      await sleep(200); // the response is read; the probe now waits for the idle close
      assert.equal(await connections(server), 1);
      controller.abort();
      await assert.rejects(pending);
      // The probe closes its socket on cancellation; poll (bounded: 5 s) until the server sees it.
      for (let i = 0; i < 100 && (await connections(server)) > 0; i++) await sleep(50);
      assert.equal(await connections(server), 0, 'the probe socket is still open');
      assert.equal(socketFds(mcp.pid), socketsBefore);
      assert.deepEqual(childPids(mcp.pid), []);
    } finally {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
    const again = await call('defaults', { product: 'nginx' });
    assert.equal(again.isError, false);
  });

  it('diagnose: a real nginx log of the keep-alive race → keepalive-race, the same document as the CLI', async (t) => {
    if (skipUnless(t, 'nginx')) return;
    const startedMs = Date.now();
    const backend = await startBackend(200, 60);
    const dir = makeTempDir('kap-mcp-diagnose-');
    try {
      const proxy = await startNginx(dir, { upstreamPort: backend.port });
      let seen502 = 0;
      try {
        // The backend stops reading at its 200 ms idle deadline and closes 60 ms later; a request
        // sent 210 ms after the last response (as diagnose-e2e does) lands in that window
        // (lab-findings §3.3), unless the machine delays it by more than ~40 ms. The race verdict
        // needs three failures; rounds stop after three 502s, at most 40: even if half the rounds
        // missed the window (far more than seen), fewer than three hits in 40 has probability
        // (1 + 40 + 780) / 2^40 ≈ 7.5e-10 < 1e-6.
        let sent = 0;
        for (let round = 0; round < 40 && seen502 < 3; round++) {
          await request(proxy.port, '/app/ok');
          await sleep(210);
          if ((await request(proxy.port, '/app/ok')) === 502) seen502++;
          sent += 2;
        }
        // Every request has its access-log line before nginx is stopped (logs[0]: the access log).
        await waitForLogLines(proxy.logs[0]!, sent);
      } finally {
        await proxy.stop();
      }
      assert.ok(seen502 >= 3, 'the race was not provoked three times');
      const progress: number[] = [];
      const result = await call(
        'diagnose',
        { inputs: proxy.logs, nginxLogFormat: NGINX_LOG_FORMAT, jobs: 1 },
        { onprogress: (p) => progress.push(p.progress) },
      );
      assert.equal(result.isError, false, result.content[0]!.text);
      const doc = result.structuredContent!;
      assert.equal(doc.verdict, 'keepalive-race');
      assert.equal(doc.totals.lb502, seen502);
      const cli = parseJson(
        await runCli([
          'diagnose',
          ...proxy.logs,
          '--nginx-log-format',
          NGINX_LOG_FORMAT,
          '--jobs',
          '1',
          '--json',
        ]),
      );
      assert.deepEqual(doc, cli);

      // verify on the same log, the change after its last line: the 502s are counted before it and
      // no traffic came after, so it cannot decide yet: exit 2 (isError) with the report, which says
      // how much traffic to wait for. Its two log passes report one increasing progress count.
      const second = (ms: number) => new Date(Math.floor(ms / 1000) * 1000).toISOString();
      const verifyProgress: Array<{ progress: number; message?: string }> = [];
      const verified = await call(
        'verify',
        {
          inputs: proxy.logs,
          nginxLogFormat: NGINX_LOG_FORMAT,
          since: second(startedMs),
          changeAt: second(Date.now() + 2000),
          until: second(Date.now() + 62_000),
          jobs: 1,
        },
        { onprogress: (p) => verifyProgress.push(p) },
      );
      assert.equal(verified.isError, true);
      assert.match(verified.content[0]!.text, /exit 2 .*verdict too-little-traffic/);
      const logs = verified.structuredContent!.sources[0];
      assert.equal(logs.source, 'logs');
      assert.equal(logs.result.before.raceErrors, doc.totals.raceCandidates);
      assert.ok(logs.result.before.raceErrors > 0, JSON.stringify(logs.result.before)); // the verdict was keepalive-race
      assert.equal(logs.result.after.requests, 0);
      assert.ok(verifyProgress.length >= 1);
      assert.match(String(verifyProgress[0]!.message), /^logs, before window: /);
      for (let i = 1; i < verifyProgress.length; i++) {
        assert.ok(
          verifyProgress[i]!.progress > verifyProgress[i - 1]!.progress,
          JSON.stringify(verifyProgress),
        );
      }
    } finally {
      await backend.close();
      removeDir(dir);
    }
  });

  it('lab: one mismatch attempt through the embedded proxy on 127.0.0.1, no process left behind', async () => {
    const result = await call(
      'lab',
      { proxy: 'node', scenario: ['mismatch'], attempts: 1, timeout: '30s' },
      { timeout: 60_000, onprogress: () => {} },
    );
    assert.ok(result.structuredContent, result.content[0]!.text);
    assert.equal(result.structuredContent!.mode, 'deterministic');
    assert.deepEqual(
      result.structuredContent!.scenarios.map((s: any) => s.name),
      ['mismatch'],
    );
    assert.deepEqual(await noChildrenWithin(mcp.pid, 5000), []);
  });

  it('a cancelled lab (real nginx) stops every process it started, and the server keeps serving', async (t) => {
    if (skipUnless(t, 'nginx')) return;
    const controller = new AbortController();
    let started!: () => void;
    const running = new Promise<void>((r) => (started = r));
    const pending = mcp.client.callTool(
      { name: 'lab', arguments: { proxy: 'nginx', scenario: ['mismatch'], attempts: 3 } },
      undefined,
      { signal: controller.signal, timeout: 60_000, onprogress: () => started() },
    );
    await running;
    // Wait (bounded: 15 s) until the lab has children (watchdog, backend, nginx), then cancel.
    for (let i = 0; i < 300 && childPids(mcp.pid).length < 2; i++) await sleep(50);
    const children = childPids(mcp.pid);
    assert.ok(children.length >= 2, `lab children: ${children.join(',')}`);
    controller.abort();
    await assert.rejects(pending);
    assert.deepEqual(await noChildrenWithin(mcp.pid, 10_000), []);
    for (const pid of children) assert.equal(alive(pid), false, `PID ${pid} still runs`);
    const again = await call('defaults', { product: 'haproxy' });
    assert.equal(again.isError, false);
  });

  it('evidence: a capture with a race and idle closes → the race, the measured keep-alive, the same document as the CLI', async () => {
    const dir = makeTempDir('kap-mcp-evidence-');
    try {
      // The capture builder of the core tests: one connection the server closes after 1 s idle, then
      // one where the client reuses the connection just as the server closes it (the race).
      const file = join(dir, 'race.pcap');
      writeFileSync(
        file,
        pcap(
          [
            ...scenarioPackets({ cport: 41001, idleMs: 1000 }),
            ...scenarioPackets({
              cport: 41002,
              idleMs: 1000,
              race: 'fin-then-request',
              startUs: 1_780_000_100_000_000,
            }),
          ],
          { link: 'ethernet' },
        ),
      );
      const progress: Array<{ progress: number; total?: number }> = [];
      const result = await call('evidence', { captures: [file] }, { onprogress: (p) => progress.push(p) });
      assert.equal(result.isError, false, result.content[0]!.text);
      assert.match(result.content[0]!.text, /exit 1/);
      const doc = result.structuredContent!;
      assert.equal(doc.racesTotal, 1);
      assert.equal(doc.races[0].connection, '10.0.3.5:41002>10.0.3.7:8080');
      assert.equal(doc.interrupted, false);
      assert.equal(doc.servers[0].address, '10.0.3.7:8080');
      assert.ok(Math.abs(doc.servers[0].idleCloseMs.median - 1000) < 1, JSON.stringify(doc.servers[0]));
      const size = statSync(file).size;
      for (const p of progress) assert.ok(p.total === size && p.progress <= size, JSON.stringify(p));
      assert.deepEqual(doc, parseJson(await runCli(['evidence', file, '--json'])));
      // Not a capture: exit 2 with the report (nothing readable); a missing file: the CLI's error line.
      const text = join(dir, 'notes.txt');
      writeFileSync(text, 'not a capture\n');
      const unreadable = await call('evidence', { captures: [text] });
      assert.equal(unreadable.isError, true);
      assert.equal(unreadable.structuredContent!.diagnostics[0].code, 'not-a-capture');
      const missing = await call('evidence', { captures: [join(dir, 'nope.pcap')] });
      assert.equal(missing.isError, true);
      assert.equal(
        missing.content[0]!.text,
        (await runCli(['evidence', join(dir, 'nope.pcap'), '--json'])).stderr.trim(),
      );
      assert.equal((await call('evidence', { captures: [] })).isError, true);
      assert.equal((await call('defaults', { product: 'nginx' })).isError, false);
    } finally {
      removeDir(dir);
    }
  });

  describe('metrics: cloudwatch:alb: through the real AWS SDK to a local CloudWatch endpoint', () => {
    // One ALB, 60 minutes three hours ago: 100 requests a minute; three ELB 502s a minute for the
    // first 30 (target 5xx zero), none after the fix deployed at minute 30.
    const MIN = 60_000;
    const T0 = Math.floor(Date.now() / MIN) * MIN - 3 * 3600_000;
    const at = (minute: number) => new Date(T0 + minute * MIN).toISOString();
    const lb = 'app/mcp/50dc6c495c0c9188';
    const perMinute = (f: (i: number) => number) =>
      Array.from({ length: 60 }, (_, i) => [T0 + i * MIN, f(i)] as const).filter(([, v]) => v !== 0);
    let server: CloudWatchServer;
    before(async () => {
      server = await startCloudWatchServer([
        {
          namespace: 'AWS/ApplicationELB',
          name: 'RequestCount',
          dimensions: { LoadBalancer: lb },
          points: perMinute(() => 100),
        },
        {
          namespace: 'AWS/ApplicationELB',
          name: 'HTTPCode_ELB_502_Count',
          dimensions: { LoadBalancer: lb },
          points: perMinute((i) => (i < 30 ? 3 : 0)),
        },
      ]);
    });
    after(async () => {
      await server?.close();
    });

    it('diagnose on cloudwatch:alb:NAME with since/until/endpointUrl → keepalive-race from the metrics', async () => {
      const result = await call('diagnose', {
        inputs: ['cloudwatch:alb:mcp'],
        since: at(0),
        until: at(60),
        endpointUrl: server.url,
      });
      assert.equal(result.isError, false, result.content[0]!.text);
      const doc = result.structuredContent!;
      assert.equal(doc.verdict, 'keepalive-race');
      assert.equal(doc.metrics.reasons[0].code, 'race-signature');
      assert.equal(doc.metrics.inputs[0].name, 'cloudwatch:alb:mcp');
    });

    it('verify on cloudwatch:alb:NAME: 502s before the change, none after → verified with the exact binomial tail, as the CLI', async () => {
      const args = { inputs: ['cloudwatch:alb:mcp'], changeAt: at(30), since: at(0), until: at(60) };
      const result = await call('verify', { ...args, endpointUrl: server.url });
      assert.equal(result.isError, false, result.content[0]!.text);
      assert.match(result.content[0]!.text, /exit 0 .*verdict verified/);
      const doc = result.structuredContent!;
      assert.equal(doc.verdict, 'verified');
      const r = doc.sources[0].result;
      assert.equal(doc.sources[0].source, 'metrics');
      assert.deepEqual([r.before.raceErrors, r.before.requests, r.after.raceErrors], [90, 3000, 0]);
      // Old ratio 90/3000 = 0.03: P(X = 0 | Binomial(3000, 0.03)) = 0.97^3000.
      assert.ok(Math.abs(r.probability - 0.97 ** 3000) <= 1e-9 * 0.97 ** 3000);
      const cli = await runCli(
        [
          'verify',
          '--change-at',
          at(30),
          '--since',
          at(0),
          '--until',
          at(60),
          '--endpoint-url',
          server.url,
          'cloudwatch:alb:mcp',
          '--json',
        ],
        { env: AWS_ENV },
      );
      assert.deepEqual(doc, parseJson(cli));
    });

    it('verify: a bad argument is a tool error with the CLI message; the server keeps serving', async () => {
      const noWindow = await call('verify', { inputs: ['cloudwatch:alb:mcp'], endpointUrl: server.url });
      assert.equal(noWindow.isError, true);
      assert.equal(
        noWindow.content[0]!.text,
        'keepalive-parity verify: error: verify: give --change-at TIME, or --before FROM/TO and --after FROM/TO',
      );
      const badPeriod = await call('verify', {
        inputs: ['prom:http://127.0.0.1:9'],
        changeAt: at(30),
        period: '1h',
      });
      assert.equal(badPeriod.isError, true);
      assert.match(badPeriod.content[0]!.text, /--period must be seconds or minutes/);
      assert.equal((await call('verify', { inputs: 'cloudwatch:alb:mcp', changeAt: at(30) })).isError, true);
      const again = await call('defaults', { product: 'haproxy' });
      assert.equal(again.isError, false);
    });
  });

  it('every tool returned structured content valid against its outputSchema', () => {
    assert.deepEqual([...validated].sort(), [...tools.keys()].sort());
  });
});

/** Polls (every 50 ms, at most `ms`) until the process has no child; returns the children left. */
async function noChildrenWithin(pid: number, ms: number): Promise<number[]> {
  const deadline = Date.now() + ms;
  while (childPids(pid).length > 0 && Date.now() < deadline) await sleep(50);
  return childPids(pid);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function connections(server: http.Server): Promise<number> {
  return new Promise((resolve, reject) => server.getConnections((e, n) => (e ? reject(e) : resolve(n))));
}
