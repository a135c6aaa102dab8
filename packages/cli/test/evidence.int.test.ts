/**
 * `evidence` and `pcap:` on captures made by the real tcpdump during real lab scenarios (nginx,
 * HAProxy, Apache, the embedded Node proxy) and real servers: the 502s the lab counted equal the
 * races found; the measured keep-alive lands near the configured value; crashes, max requests and
 * refused connects are told apart; -i any, -s 96, pcapng (editcap), gzip and truncated captures.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { startBackend } from '../src/lab/backend.js';
import { BIN, parseJson, runCli } from './cli-helpers.js';
import { withCaptures } from './evidence-helpers/capture.js';
import { alivePids, runLabForTest, scenario } from './lab-helpers/run-lab.js';
import { startNginx } from './probe-helpers/servers.js';
import { requireBinaries, skipUnless } from './support/binaries.js';
import { refusedPort, startServer, testProcessGroup } from './support/servers.js';

const ROOT = `/tmp/kap-evidence-${process.pid}`;
const KEEP = process.env.KAP_KEEP_EVIDENCE === '1';
const isRoot = process.getuid?.() === 0;
/** tcpdump captures on lo only as root here (as the lab's own capture test assumes), and if installed. */
const capturing = (...others: string[]) =>
  isRoot ? requireBinaries('tcpdump', ...others) : { skip: 'tcpdump needs root here' };

/**
 * The lab backend's own idle-at-close times (ms): from its event log, the `ka_timeout` of each
 * connection minus that connection's last `finish` (both on the host's monotonic clock). This is
 * when the backend really closed, whatever its configured value: a loaded host fires the timer a
 * few ms late, and the capture must show exactly that.
 */
function backendIdleAtCloseMs(events: readonly { t: number; ev: string; conn?: number | null }[]): number[] {
  const lastFinish = new Map<number, number>();
  const out: number[] = [];
  for (const e of events) {
    if (e.conn == null) continue;
    if (e.ev === 'finish') lastFinish.set(e.conn, e.t);
    if (e.ev === 'ka_timeout' && lastFinish.has(e.conn)) out.push(e.t - lastFinish.get(e.conn)!);
  }
  return out;
}

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[values.length >> 1]!;

/**
 * `evidence` must measure the close the backend really made within 5 ms (the acceptance:
 * capture timestamps against the process's own clock; on loopback the FIN follows the timer by
 * microseconds), and that close must be the configured keep-alive plus the timer's lateness, which
 * the host's load decides: bounded at 100 ms, far above the 0.4–16 ms measured here under load.
 */
function assertMeasuredKeepAlive(
  measuredMs: number,
  backendEvents: Parameters<typeof backendIdleAtCloseMs>[0],
  configuredMs: number,
): void {
  const real = backendIdleAtCloseMs(backendEvents);
  assert.ok(real.length > 0, 'the backend logged no idle close');
  const realMs = median(real);
  assert.ok(
    Math.abs(measuredMs - realMs) <= 5,
    `measured ${measuredMs} ms, the backend closed after ${realMs} ms`,
  );
  assert.ok(
    realMs >= configuredMs - 1 && realMs <= configuredMs + 100,
    `the backend closed after ${realMs} ms, configured ${configuredMs} ms`,
  );
}

async function evidence(...args: string[]) {
  const result = await runCli(['evidence', ...args, '--json'], { timeoutMs: 60_000 });
  return { code: result.code, stderr: result.stderr, report: parseJson(result) };
}

async function checkVerdict(...args: string[]): Promise<{ code: number | null; verdict: string }> {
  const result = await runCli(['check', ...args, '--json'], { timeoutMs: 60_000 });
  return { code: result.code, verdict: String(parseJson(result).verdict) };
}

before(() => mkdirSync(ROOT, { recursive: true }));
after(() => KEEP || rmSync(ROOT, { recursive: true, force: true }));

describe('evidence on lab captures (tcpdump -i lo)', capturing(), () => {
  for (const proxy of ['nginx', 'haproxy', 'apache', 'node'] as const) {
    const program = { nginx: 'nginx', haproxy: 'haproxy', apache: 'apache2|httpd', node: '' }[proxy];
    test(`${proxy}: the races in the capture are the 502s the lab counted; none in the fixed scenario`, async (t) => {
      if (program && skipUnless(t, program)) return;
      const dir = join(ROOT, `lab-${proxy}`);
      const { result, pids } = await runLabForTest({
        proxy,
        scenarios: ['mismatch', 'fixed'],
        keepArtifactsDir: dir,
        capture: true,
      });
      const mismatch = scenario(result, 'mismatch');
      assert.ok(mismatch.capture, JSON.stringify(mismatch.notes));
      assert.ok(mismatch.proxy502 > 0, 'the lab reproduced the race');
      const found = await evidence(mismatch.capture);
      assert.equal(found.code, 1);
      assert.equal(
        found.report.racesTotal,
        mismatch.proxy502,
        `502s ${mismatch.proxy502}, races ${JSON.stringify(found.report.races)}`,
      );
      for (const race of found.report.races) {
        assert.match(race.answer, /^(rst|fin-then-rst)$/);
        assert.ok(race.idleBeforeRequestMs > 900, JSON.stringify(race));
        assert.match(race.connection, /^127\.0\.0\.1:\d+>127\.0\.0\.1:\d+$/);
      }
      const fixed = scenario(result, 'fixed');
      assert.ok(fixed.capture);
      assert.equal(fixed.proxy502, 0);
      const clean = await evidence(fixed.capture);
      assert.equal(clean.report.racesTotal, 0);
      assert.equal(clean.code, 0);
      assert.deepEqual(alivePids(pids), []);
    });
  }

  test('the measured server keep-alive lands within 5 ms of the configured 1000 ms; check on pcap: agrees with check on the true values', async (t) => {
    if (skipUnless(t, 'nginx')) return;
    const dir = join(ROOT, 'lab-exact');
    // A fixed gap longer than the keep-alive: the backend closes exactly at its deadline (no
    // deliberate lag), every pooled connection closes idle, and nginx opens a new one.
    const { result } = await runLabForTest({
      proxy: 'nginx',
      scenarios: ['mismatch'],
      fixedGapMs: 1300,
      attempts: 4,
      keepArtifactsDir: dir,
      capture: true,
    });
    const capture = scenario(result, 'mismatch').capture;
    assert.ok(capture);
    const { report } = await evidence(capture);
    const server = report.servers[0];
    assert.ok(server.idleCloses >= 4, JSON.stringify(server));
    const backendLog = readFileSync(join(dir, 'mismatch', 'backend-mismatch.log'), 'utf8')
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line));
    assertMeasuredKeepAlive(server.idleCloseMs.median, backendLog, 1000);
    assert.equal(report.hops[0].verdict, 'violation');
    const fromCapture = await checkVerdict('--backend', `pcap:${capture}`, '--lb', `pcap:${capture}`);
    const fromTruth = await checkVerdict('--backend', '1000ms', '--lb', '10s');
    assert.equal(fromTruth.verdict, 'violation');
    assert.deepEqual(fromCapture, fromTruth);
  });

  test('fixed timeouts: check on a probe capture (backend) and the lab capture (proxy) holds, as on the true values', async (t) => {
    if (skipUnless(t, 'nginx')) return;
    const dir = join(ROOT, 'lab-fixed');
    // Proxy idle 600 ms, backend 600 + 1500 ms; requests 900 ms apart: nginx closes each pooled
    // connection at 600 ms idle (a client idle close), the backend never gets to close one.
    const { result } = await runLabForTest({
      proxy: 'nginx',
      scenarios: ['fixed'],
      proxyIdleMs: 600,
      fixedMarginMs: 1500,
      fixedGapMs: 900,
      attempts: 3,
      keepArtifactsDir: dir,
      capture: true,
    });
    const lbCapture = scenario(result, 'fixed').capture;
    assert.ok(lbCapture);
    const lb = await evidence(lbCapture);
    assert.equal(lb.report.racesTotal, 0);
    assert.ok(lb.report.clients[0].idleCloses >= 2, JSON.stringify(lb.report.clients));
    assert.ok(
      Math.abs(lb.report.clients[0].idleCloseMs.median - 600) < 50,
      JSON.stringify(lb.report.clients),
    );
    assert.equal(lb.report.servers[0]?.idleCloses ?? 0, 0);
    // The backend side: the same backend (the lab's, 2100 ms) probed under tcpdump.
    const group = testProcessGroup();
    const backendCapture = join(dir, 'backend-probe.pcap');
    let backendEvents: Parameters<typeof backendIdleAtCloseMs>[0] = [];
    try {
      const backend = await startBackend(group, {
        keepAliveMs: 2100,
        closeLagMs: 0,
        dir,
        name: 'probe-backend',
      });
      backendEvents = backend.log.events;
      await withCaptures(dir, [{ file: backendCapture, port: backend.port }], async () => {
        const probe = await runCli(
          ['probe', `http://127.0.0.1:${backend.port}/`, '--samples', '3', '--json'],
          {
            timeoutMs: 30_000,
          },
        );
        assert.equal(probe.code, 0, probe.stderr);
      });
    } finally {
      await group.stopAll();
    }
    const backendSide = await evidence(backendCapture);
    assertMeasuredKeepAlive(backendSide.report.servers[0]?.idleCloseMs?.median, backendEvents, 2100);
    const fromCaptures = await checkVerdict(
      '--backend',
      `pcap:${backendCapture}`,
      '--lb',
      `pcap:${lbCapture}`,
      '--margin',
      '1s',
    );
    const fromTruth = await checkVerdict('--backend', '2100ms', '--lb', '600ms', '--margin', '1s');
    assert.equal(fromTruth.verdict, 'holds');
    assert.deepEqual(fromCaptures, fromTruth);
  });
});

function get(agent: http.Agent, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const request = http.get({ host: '127.0.0.1', port, path: '/', agent }, (response) => {
      response.resume();
      response.on('end', () => resolve(response.statusCode ?? 0));
    });
    request.on('error', reject);
  });
}

describe('evidence on real servers, capture variants', capturing('nginx'), () => {
  const dir = join(ROOT, 'variants');
  const files = {
    lo: join(dir, 'lo.pcap'),
    any: join(dir, 'any.pcap'),
    snap: join(dir, 'snap96.pcap'),
  };
  let port = 0;
  before(async () => {
    mkdirSync(dir, { recursive: true });
    const nginx = await startNginx(1, 'keepalive_requests 3;');
    port = nginx.port;
    try {
      await withCaptures(
        dir,
        [
          { file: files.lo, port },
          { file: files.any, port, iface: 'any' },
          { file: files.snap, port, snapLength: 96 },
        ],
        async () => {
          // Six requests on one keep-alive client: nginx closes after every third (keepalive_requests 3).
          const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
          for (let i = 0; i < 6; i++) assert.equal(await get(agent, port), 200);
          // Then three more connections, one request each, and an idle wait: nginx closes each
          // idle connection after 1 s (three closes: the median shrugs off one late timer).
          await new Promise((r) => setTimeout(r, 200));
          const idle = [0, 1, 2].map(() => new http.Agent({ keepAlive: true, maxSockets: 1 }));
          assert.deepEqual(await Promise.all(idle.map((a) => get(a, port))), [200, 200, 200]);
          await new Promise((r) => setTimeout(r, 1600));
          for (const a of [agent, ...idle]) a.destroy();
        },
      );
    } finally {
      await nginx.stop();
    }
  });

  function assertNginxReport(report: Record<string, any>, label: string): void {
    assert.equal(report.racesTotal, 0, `${label}: ${JSON.stringify(report.races)}`);
    const afterRequests = report.otherCloses.find((o: any) => o.kind === 'server-after-requests');
    assert.ok(afterRequests, `${label}: ${JSON.stringify(report.otherCloses)}`);
    assert.equal(afterRequests.count, 2, `${label}: ${JSON.stringify(report.otherCloses)}`);
    assert.deepEqual(afterRequests.requests, { min: 3, max: 3 }, label);
    assert.equal(report.servers[0].address, `127.0.0.1:${port}`, label);
    assert.equal(report.servers[0].idleCloses, 3, `${label}: ${JSON.stringify(report.servers)}`);
    // What nginx really did on the wire: its own timer fires a few ms late on a busy host (7 ms
    // seen at load average 12); the 5 ms acceptance is asserted on the lab's exact backend above.
    const { median } = report.servers[0].idleCloseMs;
    assert.ok(median >= 999 && median <= 1030, `${label}: ${JSON.stringify(report.servers)}`);
    // Each capture timestamps the same packets on its own: the same value within 1 ms.
    if (firstMedian === null) firstMedian = median;
    assert.ok(Math.abs(median - firstMedian) < 1, `${label}: ${median} vs ${firstMedian}`);
  }
  let firstMedian: number | null = null;

  test('-i lo (Ethernet), -i any (Linux cooked) and -s 96 give the same findings', async () => {
    for (const [label, file] of Object.entries(files)) {
      const { report, code } = await evidence(file);
      assertNginxReport(report, label);
      assert.equal(code, 1, `${label}: 1 s keep-alive vs a client that held it: violation`);
    }
    const any = await evidence(files.any);
    assert.ok(any.report.files[0].linkTypes.some((t: number) => t === 113 || t === 276));
  });

  test('pcapng (editcap -F pcapng), gzip, a folder and stdin', requireBinaries('editcap'), async () => {
    const ng = join(dir, 'converted.pcapng');
    execFileSync('editcap', ['-F', 'pcapng', files.lo, ng]);
    assert.equal(readFileSync(ng).readUInt32LE(0), 0x0a0d0d0a);
    assertNginxReport((await evidence(ng)).report, 'pcapng');
    const gz = join(dir, 'gz', 'lo.pcap.gz');
    mkdirSync(join(dir, 'gz'), { recursive: true });
    writeFileSync(gz, gzipSync(readFileSync(files.lo)));
    assertNginxReport((await evidence(join(dir, 'gz'))).report, 'gzip folder');
    const stdin = spawnSync(process.execPath, [BIN, 'evidence', '-', '--json'], {
      input: gzipSync(readFileSync(ng)),
      encoding: 'utf8',
    });
    assertNginxReport(JSON.parse(stdin.stdout), 'gzip pcapng on stdin');
  });

  test('truncated in the middle of a record: file and offset named, the rest counted', async () => {
    const whole = readFileSync(files.lo);
    const cut = join(dir, 'cut.pcap');
    writeFileSync(cut, whole.subarray(0, whole.length - 7));
    const { report, stderr } = await evidence(cut);
    assert.equal(report.diagnostics[0].code, 'truncated-record');
    assert.equal(report.diagnostics[0].file, cut);
    assert.ok(report.diagnostics[0].offset > 24);
    assert.equal(report.racesTotal, 0);
    assert.equal(report.otherCloses.find((o: any) => o.kind === 'server-after-requests').count, 2);
    const human = await runCli(['evidence', cut]);
    assert.match(
      human.stdout,
      new RegExp(`${cut.replace(/[.]/g, '\\.')}: byte \\d+: the last record is cut short`),
    );
    void stderr;
  });

  test('not a capture, or nothing readable: exit 2 with file and offset', async () => {
    const text = join(dir, 'notes.txt');
    writeFileSync(text, 'not a capture\n');
    const result = await runCli(['evidence', text]);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /notes\.txt: byte 0: not a packet capture/);
    const mixed = await runCli(['evidence', text, files.lo, '--json']);
    assert.equal(mixed.code, 1, 'the readable file still counts (its violation)');
    assert.equal(parseJson(mixed).files.length, 2);
  });

  test('HTML report: race-free capture still has the histogram; everything escaped', async () => {
    const html = join(dir, 'report.html');
    const result = await runCli(['evidence', files.lo, '--html', html]);
    assert.equal(result.code, 1);
    const text = readFileSync(html, 'utf8');
    assert.match(text, /<svg[^>]*aria-label="Idle at close, server 127\.0\.0\.1:\d+"/);
    assert.doesNotMatch(text, /<script/);
  });
});

describe('evidence on failures that are not the race', capturing(), () => {
  test('a backend that crashes mid-response, and a refused connect', async () => {
    const dir = join(ROOT, 'crash');
    mkdirSync(dir, { recursive: true });
    // A real Node backend (its own process) that sends half a response body and exits.
    const script = `const http = require('node:http');
const server = http.createServer((req, res) => {
  if (req.url !== '/crash') return res.end('ok');
  res.writeHead(200, { 'Content-Length': '100000' });
  res.write('x'.repeat(1000), () => process.exit(1));
});
server.listen(Number(process.argv[1]), '127.0.0.1', () => console.log('listening'));`;
    const backend = await startServer({
      name: 'crashing-backend',
      command: process.execPath,
      args: (_d, p) => ['-e', script, String(p)],
    });
    const deadPort = await refusedPort();
    const crashCapture = join(dir, 'crash.pcap');
    const refusedCapture = join(dir, 'refused.pcap');
    try {
      await withCaptures(
        dir,
        [
          { file: crashCapture, port: backend.port },
          { file: refusedCapture, port: deadPort },
        ],
        async () => {
          const outcome = await new Promise<string>((resolve) => {
            const request = http.get(
              { host: '127.0.0.1', port: backend.port, path: '/crash' },
              (response) => {
                response.on('data', () => {});
                response.on('error', (e) => resolve(e.message));
                response.on('end', () => resolve('ended'));
                response.on('aborted', () => resolve('aborted'));
              },
            );
            request.on('error', (e) => resolve(e.message));
          });
          assert.match(outcome, /aborted|socket hang up|ECONNRESET/);
          const refused = await new Promise<string>((resolve) => {
            const socket = net.connect(deadPort, '127.0.0.1');
            socket.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? ''));
            socket.on('connect', () => resolve('connected'));
          });
          assert.equal(refused, 'ECONNREFUSED');
        },
      );
    } finally {
      await backend.stop();
    }
    const crash = await evidence(crashCapture);
    assert.equal(crash.report.racesTotal, 0);
    assert.deepEqual(
      crash.report.otherCloses.map((o: any) => [o.kind, o.count]),
      [['server-during-response', 1]],
      JSON.stringify(crash.report),
    );
    assert.equal(crash.report.servers.length, 0, 'a crash is not an idle close');
    const refused = await evidence(refusedCapture);
    assert.equal(refused.report.racesTotal, 0);
    assert.deepEqual(
      refused.report.otherCloses.map((o: any) => [o.kind, o.count]),
      [['connect-refused', 1]],
    );
    assert.ok(statSync(refusedCapture).size > 24);
  });
});
