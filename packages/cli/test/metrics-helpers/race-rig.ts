import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { type AddressInfo, connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { type LabBackend, startBackend } from '../../src/lab/backend.js';
import { monotonicMs, waitUntil } from '../../src/lab/clock.js';
import { sendRequest } from '../../src/lab/driver.js';
import { freePort, spawnListening, waitListening } from '../../src/lab/net-util.js';
import { tempDir, testProcessGroup } from '../support/servers.js';
import { startPrometheus } from './prometheus.js';

/**
 * The real race, driven the lab's way, through a real HAProxy or nginx, with a real Prometheus
 * scraping HAProxy's built-in exporter. Three upstreams behind one proxy, chosen by path:
 *
 * - /race  → the lab's backend (backend-process.ts) with keep-alive 200 ms and the deterministic
 *            late close: at its idle deadline it stops reading, and resets the connection 100 ms
 *            later. A request written 250 ms after the previous response lands in the middle of
 *            that 100 ms window: never read, reset, and the proxy answers 502 (no handler runs).
 * - /fixed → the same backend with keep-alive 5 s: the fix (keep-alive above every gap here).
 * - /err   → a Node server that answers every request with a real 500.
 *
 * A cycle is the lab's pair: a prime request (the proxy pools its upstream connection), then a test
 * request written GAP_MS after the prime's response, each on a new client connection
 * (`Connection: close`, the lab's driver), so HAProxy answers the race with 502 and counts it in
 * both its 5xx and its response-error counters.
 */

export const RACE_KEEPALIVE_MS = 200;
export const RACE_LAG_MS = 100;
export const GAP_MS = RACE_KEEPALIVE_MS + RACE_LAG_MS / 2;

export interface Drive {
  readonly statuses: ReadonlyArray<number | null>;
  readonly startMs: number;
  readonly endMs: number;
}

export interface Rig {
  readonly proxyPort: number;
  readonly promUrl: string | null;
  /** nginx's access log, or HAProxy's httplog (its stdout). */
  readonly accessLog: string | null;
  readonly pids: readonly number[];
  /** Drives `cycles` prime + test pairs on `path`; returns the statuses of every request and the window. */
  drive(path: '/race' | '/fixed' | '/err', cycles: number): Promise<Drive>;
  /**
   * The same cycles on ONE keep-alive client connection (reopened after a failure): the form of the
   * race HAProxy answers with no response at all (null in `statuses`).
   */
  driveReused(path: '/race' | '/fixed', cycles: number): Promise<Drive>;
  /** Waits until Prometheus has scraped everything sent so far (two scrape intervals and a margin). */
  settle(): Promise<void>;
  stop(): Promise<void>;
}

/** A keep-alive client connection that sends requests one at a time and reads each response. */
class ReusedClient {
  private socket: Socket | null = null;
  private buffer = Buffer.alloc(0);
  private closed = true;
  private wake: (() => void) | null = null;
  constructor(private readonly port: number) {}

  private async open(): Promise<Socket> {
    if (this.socket && !this.closed) return this.socket;
    const socket = connect({ host: '127.0.0.1', port: this.port });
    socket.setNoDelay(true);
    this.buffer = Buffer.alloc(0);
    this.closed = false;
    socket.on('data', (chunk: Buffer) => {
      this.buffer = Buffer.concat([this.buffer, chunk]);
      this.wake?.();
    });
    const end = () => {
      this.closed = true;
      this.wake?.();
    };
    socket.on('error', end);
    socket.on('close', end);
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    this.socket = socket;
    return socket;
  }

  /** Status of the response, or null when the connection closed without one; `endedAtMs` monotonic. */
  async request(path: string, writeAtMs?: number): Promise<{ status: number | null; endedAtMs: number }> {
    const socket = await this.open();
    if (writeAtMs !== undefined) await waitUntil(writeAtMs);
    socket.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`);
    const deadline = monotonicMs() + 5000;
    for (;;) {
      const head = this.buffer.indexOf('\r\n\r\n');
      if (head >= 0) {
        const text = this.buffer.subarray(0, head).toString('latin1');
        const length = Number(/content-length:\s*(\d+)/i.exec(text)?.[1] ?? 0);
        if (this.buffer.length >= head + 4 + length) {
          this.buffer = this.buffer.subarray(head + 4 + length);
          return {
            status: Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0) || null,
            endedAtMs: monotonicMs(),
          };
        }
      }
      if (this.closed) {
        this.socket?.destroy();
        this.socket = null;
        return { status: null, endedAtMs: monotonicMs() };
      }
      if (monotonicMs() > deadline) throw new Error('no response within 5 s');
      await new Promise<void>((resolve) => {
        this.wake = resolve;
        setTimeout(resolve, 100);
      });
      this.wake = null;
    }
  }

  close(): void {
    this.socket?.destroy();
  }
}

function errServer(): Promise<Server> {
  const server = createServer((req, res) => {
    req.resume();
    res.writeHead(500, { 'content-type': 'text/plain' });
    res.end('boom\n');
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

export async function startRig(proxy: 'haproxy' | 'nginx', withPrometheus: boolean): Promise<Rig> {
  const dir = await tempDir(`kap-rig-${proxy}-`);
  const group = testProcessGroup();
  let err: Server | null = null;
  try {
    const race: LabBackend = await startBackend(group, {
      keepAliveMs: RACE_KEEPALIVE_MS,
      closeLagMs: RACE_LAG_MS,
      dir: dir.path,
      name: 'backend-race',
    });
    const fixed: LabBackend = await startBackend(group, {
      keepAliveMs: 5000,
      closeLagMs: RACE_LAG_MS,
      dir: dir.path,
      name: 'backend-fixed',
    });
    err = await errServer();
    const errPort = (err.address() as AddressInfo).port;
    // Picked again for each start-up attempt: a port another program took makes HAProxy fail to bind.
    let statsPort = 0;
    let accessLog: string | null = null;
    const proxyStarted = await spawnListening(
      group,
      {
        name: proxy,
        timeoutMs: 10_000,
        attempts: 3,
        stdoutFile: join(dir.path, `${proxy}.log`),
        stderrFile: join(dir.path, `${proxy}.log`),
      },
      async (port) => {
        if (proxy === 'haproxy') {
          statsPort = await freePort();
          const conf = `global
  # A port another program holds is a bind error, not a shared listener (SO_REUSEPORT).
  noreuseport
  maxconn 256
  log stdout format raw local0 info
defaults
  mode http
  log global
  option httplog
  retries 0
  no option redispatch
  timeout connect 2s
  timeout client 30s
  timeout server 10s
  timeout http-keep-alive 30s
frontend fe
  bind 127.0.0.1:${port}
  use_backend be_fixed if { path_beg /fixed }
  use_backend be_err if { path_beg /err }
  default_backend be_race
frontend stats
  bind 127.0.0.1:${statsPort}
  http-request use-service prometheus-exporter
backend be_race
  http-reuse always
  server s1 127.0.0.1:${race.port} pool-max-conn 1 pool-purge-delay 10s
backend be_fixed
  http-reuse always
  server s1 127.0.0.1:${fixed.port} pool-max-conn 1 pool-purge-delay 10s
backend be_err
  http-reuse always
  server s1 127.0.0.1:${errPort} pool-max-conn 1 pool-purge-delay 10s
`;
          const file = join(dir.path, 'haproxy.cfg');
          writeFileSync(file, conf);
          return { command: 'haproxy', args: ['-f', file, '-db'] };
        }
        for (const sub of ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'])
          mkdirSync(join(dir.path, 'tmp', sub), { recursive: true });
        accessLog = join(dir.path, 'access.log');
        const upstream = (name: string, p: number) =>
          `  upstream ${name} {\n    server 127.0.0.1:${p};\n    keepalive 1;\n    keepalive_timeout 10s;\n    keepalive_requests 100000;\n  }\n`;
        const conf = `worker_processes 1;
pid ${dir.path}/nginx.pid;
error_log ${dir.path}/error.log error;
events { worker_connections 256; }
http {
  log_format kap '$remote_addr [$time_local] "$request" $status $upstream_addr $upstream_status $upstream_connect_time $request_time';
  access_log ${accessLog} kap;
  client_body_temp_path ${dir.path}/tmp/client_body;
  proxy_temp_path ${dir.path}/tmp/proxy;
  fastcgi_temp_path ${dir.path}/tmp/fastcgi;
  uwsgi_temp_path ${dir.path}/tmp/uwsgi;
  scgi_temp_path ${dir.path}/tmp/scgi;
${upstream('race', race.port)}${upstream('fixed', fixed.port)}${upstream('err', errPort)}
  server {
    listen 127.0.0.1:${port};
    proxy_http_version 1.1;
    proxy_set_header Connection "";
    proxy_next_upstream off;
    proxy_connect_timeout 2s;
    proxy_read_timeout 10s;
    location /race { proxy_pass http://race; }
    location /fixed { proxy_pass http://fixed; }
    location /err { proxy_pass http://err; }
  }
}
`;
        const file = join(dir.path, 'nginx.conf');
        writeFileSync(file, conf);
        return {
          command: 'nginx',
          args: ['-p', dir.path, '-c', file, '-e', join(dir.path, 'error.log'), '-g', 'daemon off;'],
        };
      },
    );
    if (proxy === 'haproxy') accessLog = join(dir.path, 'haproxy.log');
    let promUrl: string | null = null;
    if (proxy === 'haproxy' && !(await waitListening(statsPort, proxyStarted.process, 10_000))) {
      throw new Error('the HAProxy exporter frontend did not listen');
    }
    if (withPrometheus)
      promUrl = await startPrometheus(group, join(dir.path, 'prometheus'), 'haproxy', statsPort);
    const proxyPort = proxyStarted.port;
    let rid = 0;
    return {
      proxyPort,
      promUrl,
      accessLog,
      pids: group.all.map((p) => p.pid),
      async drive(path, cycles) {
        const startMs = Date.now();
        const statuses: Array<number | null> = [];
        for (let i = 0; i < cycles; i++) {
          const prime = await sendRequest({
            port: proxyPort,
            method: 'GET',
            path: `${path}?rid=p${rid}`,
            rid: `p${rid++}`,
            timeoutMs: 5000,
          });
          const test = await sendRequest({
            port: proxyPort,
            method: 'GET',
            path: `${path}?rid=t${rid}`,
            rid: `t${rid++}`,
            writeAtMs: prime.endedAtMs + GAP_MS,
            timeoutMs: 5000,
          });
          statuses.push(prime.status, test.status);
        }
        return { statuses, startMs, endMs: Date.now() };
      },
      async driveReused(path, cycles) {
        const startMs = Date.now();
        const statuses: Array<number | null> = [];
        const client = new ReusedClient(proxyPort);
        try {
          for (let i = 0; i < cycles; i++) {
            const prime = await client.request(`${path}?rid=p${rid++}`);
            const test = await client.request(`${path}?rid=t${rid++}`, prime.endedAtMs + GAP_MS);
            statuses.push(prime.status, test.status);
          }
        } finally {
          client.close();
        }
        return { statuses, startMs, endMs: Date.now() };
      },
      settle: () => new Promise((r) => setTimeout(r, 3500)),
      async stop() {
        await group.stopAll();
        await new Promise<void>((r) => (err ? err.close(() => r()) : r()));
        await dir.remove();
      },
    };
  } catch (error) {
    await group.stopAll();
    await new Promise<void>((r) => (err ? err.close(() => r()) : r()));
    await dir.remove();
    throw error;
  }
}
