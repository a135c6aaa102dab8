import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net, { type AddressInfo, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A small end-to-end harness for diagnose: a Node backend with a deterministic late-close window
 * (it stops reading at its idle deadline and closes `closeLagMs` later, so a request sent inside that
 * window gets an RST and no handler runs: lab-findings §3.3), nginx or HAProxy in front of it with one
 * pooled upstream connection and retries off, and a driver. Every process is stopped by its PID.
 */

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

export interface Backend {
  readonly port: number;
  readonly handled: string[];
  close(): Promise<void>;
}

/** Routes: `/…/ok` 200, `/…/crash` 500, `/…/slow` answers after 1.5 s. */
export async function startBackend(keepAliveMs: number, closeLagMs: number): Promise<Backend> {
  const handled: string[] = [];
  const sockets = new Set<Socket>();
  const timers = new Map<Socket, NodeJS.Timeout>();
  const server = http.createServer((req, res) => {
    handled.push(req.url ?? '');
    const url = req.url ?? '';
    res.on('finish', () => arm(req.socket));
    if (url.endsWith('/crash')) {
      res.writeHead(500, { 'content-type': 'text/plain' }).end('crash: internal error\n');
    } else if (url.endsWith('/slow')) {
      const t = setTimeout(() => res.writeHead(200).end('slow\n'), 1500);
      res.on('close', () => clearTimeout(t));
    } else {
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n');
    }
  });
  server.keepAliveTimeout = 0; // our own idle timer below
  function arm(socket: Socket): void {
    clearTimeout(timers.get(socket));
    timers.set(
      socket,
      setTimeout(() => {
        socket.pause(); // stop reading: a request arriving now stays unread
        timers.set(
          socket,
          setTimeout(() => socket.destroy(), closeLagMs),
        );
      }, keepAliveMs),
    );
  }
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('data', () => clearTimeout(timers.get(socket)));
    socket.on('close', () => {
      clearTimeout(timers.get(socket));
      timers.delete(socket);
      sockets.delete(socket);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    port,
    handled,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** One request on a fresh client connection; resolves with the status (0 on a socket error). */
export function request(port: number, path: string, method = 'GET'): Promise<number> {
  return new Promise((resolve) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        path,
        method,
        agent: false,
        headers: { connection: 'close' },
        timeout: 10_000,
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', () => resolve(0));
    req.end();
  });
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface ProxyInstance {
  readonly port: number;
  readonly dir: string;
  readonly logs: string[];
  stop(): Promise<void>;
}

async function waitForPort(port: number, child: ChildProcess, deadlineMs: number): Promise<void> {
  const end = Date.now() + deadlineMs;
  while (Date.now() < end) {
    if (child.exitCode !== null) throw new Error(`proxy exited with ${child.exitCode}`);
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect(port, '127.0.0.1');
      s.once('connect', () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    await sleep(25);
  }
  throw new Error(`proxy did not listen on ${port} within ${deadlineMs} ms`);
}

function stopChild(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.pid === undefined) return resolve();
    const kill = setTimeout(() => {
      try {
        process.kill(child.pid!, 'SIGKILL');
      } catch {}
    }, 3000);
    child.once('exit', () => {
      clearTimeout(kill);
      resolve();
    });
    try {
      process.kill(child.pid, 'SIGTERM');
    } catch {
      clearTimeout(kill);
      resolve();
    }
  });
}

/** Runs a proxy in the foreground, stdout/stderr to files in `dir`, stopped by PID. */
async function runProxy(
  bin: string,
  args: string[],
  dir: string,
  port: number,
  logs: string[],
  env: NodeJS.ProcessEnv = {},
): Promise<ProxyInstance> {
  const out = openSync(join(dir, 'stdout.log'), 'a');
  const child = spawn(bin, args, { cwd: dir, stdio: ['ignore', out, out], env: { ...process.env, ...env } });
  try {
    await waitForPort(port, child, 5000);
  } catch (error) {
    await stopChild(child);
    throw error;
  }
  return { port, dir, logs, stop: () => stopChild(child) };
}

export const NGINX_LOG_FORMAT =
  '$remote_addr [$time_local] $msec "$request" $status $body_bytes_sent $request_time $connection $connection_requests up=$upstream_addr us=$upstream_status uct=$upstream_connect_time uht=$upstream_header_time urt=$upstream_response_time';

export interface ProxyOptions {
  readonly upstreamPort: number;
  /** Retry idempotent requests on an upstream error (nginx `proxy_next_upstream error timeout`). */
  readonly retry?: boolean;
  readonly readTimeoutMs?: number;
}

export function makeTempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

export async function startNginx(dir: string, options: ProxyOptions): Promise<ProxyInstance> {
  const port = await freePort();
  mkdirSync(join(dir, 'tmp'), { recursive: true });
  const access = join(dir, 'access.log');
  const error = join(dir, 'error.log');
  const conf = `daemon off;
master_process off;
worker_processes 1;
pid ${join(dir, 'nginx.pid')};
error_log ${error} error;
events { worker_connections 64; }
http {
  log_format kap '${NGINX_LOG_FORMAT}';
  access_log ${access} kap;
  client_body_temp_path ${join(dir, 'tmp')};
  proxy_temp_path ${join(dir, 'tmp')};
  fastcgi_temp_path ${join(dir, 'tmp')};
  uwsgi_temp_path ${join(dir, 'tmp')};
  scgi_temp_path ${join(dir, 'tmp')};
  upstream backend {
    server 127.0.0.1:${options.upstreamPort};
    keepalive 1;
    keepalive_timeout 10s;
    keepalive_requests 100000;
  }
  server {
    listen 127.0.0.1:${port};
    location / {
      proxy_pass http://backend;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_next_upstream ${options.retry ? 'error timeout' : 'off'};
      proxy_connect_timeout 2s;
      proxy_read_timeout ${options.readTimeoutMs ?? 10_000}ms;
    }
  }
}
`;
  writeFileSync(join(dir, 'nginx.conf'), conf);
  return runProxy('nginx', ['-p', dir, '-c', join(dir, 'nginx.conf'), '-e', error], dir, port, [
    access,
    error,
  ]);
}

export async function startHaproxy(dir: string, options: ProxyOptions): Promise<ProxyInstance> {
  const port = await freePort();
  const conf = `global
  log stdout format raw local0
defaults
  mode http
  log global
  option httplog
  retries 0
  no option redispatch
  timeout connect 2s
  timeout client 30s
  timeout server ${options.readTimeoutMs ?? 10_000}ms
  timeout http-keep-alive 30s
frontend fe
  bind 127.0.0.1:${port}
  default_backend be
backend be
  http-reuse always
  server s1 127.0.0.1:${options.upstreamPort} pool-max-conn 1 pool-purge-delay 10s
`;
  writeFileSync(join(dir, 'haproxy.cfg'), conf);
  return runProxy('haproxy', ['-db', '-f', join(dir, 'haproxy.cfg')], dir, port, [join(dir, 'stdout.log')]);
}

/** Caddy: access log to `access.log`; error entries go to the default logger (stderr → stdout.log). */
export async function startCaddy(dir: string, options: ProxyOptions): Promise<ProxyInstance> {
  const port = await freePort();
  const access = join(dir, 'access.log');
  const conf = `{
  admin off
  auto_https off
}
http://127.0.0.1:${port} {
  bind 127.0.0.1
  log {
    output file ${access}
    format json
  }
  reverse_proxy 127.0.0.1:${options.upstreamPort} {
    transport http {
      keepalive 10s
      keepalive_idle_conns 1
      keepalive_idle_conns_per_host 1
      response_header_timeout ${options.readTimeoutMs ?? 10_000}ms
    }
  }
}
`;
  writeFileSync(join(dir, 'Caddyfile'), conf);
  return runProxy(
    'caddy',
    ['run', '--config', join(dir, 'Caddyfile'), '--adapter', 'caddyfile'],
    dir,
    port,
    [access, join(dir, 'stdout.log')],
    { XDG_DATA_HOME: dir, XDG_CONFIG_HOME: dir, HOME: dir },
  );
}
