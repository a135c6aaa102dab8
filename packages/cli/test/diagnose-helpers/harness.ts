import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { APACHE_MODULES, APACHE_ONE_PROCESS, apacheModuleDir, findOnPath } from '../../src/lab/proxies.js';
import { startServer } from '../support/servers.js';

export { freePort, refusedPort } from '../support/servers.js';

/**
 * A small end-to-end harness for diagnose: a Node backend with a deterministic late-close window
 * (it stops reading at its idle deadline and closes `closeLagMs` later, so a request sent inside that
 * window gets an RST and no handler runs: lab-findings §3.3), nginx or HAProxy in front of it with one
 * pooled upstream connection and retries off, and a driver. Every process is stopped by its PID.
 */

export interface Backend {
  readonly port: number;
  readonly handled: string[];
  close(): Promise<void>;
}

/**
 * The deterministic late-close window on a server's idle sockets: `arm(socket)` after each response;
 * `keepAliveMs` later the socket stops reading, `closeLagMs` after that it is destroyed. Tracks the
 * server's sockets in `sockets`. Sets `server.keepAliveTimeout = 0` (this timer replaces it).
 */
export function lateCloseIdleSockets(
  server: http.Server,
  sockets: Set<Socket>,
  keepAliveMs: number,
  closeLagMs: number,
): { arm(socket: Socket): void } {
  const timers = new Map<Socket, NodeJS.Timeout>();
  server.keepAliveTimeout = 0;
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
  return { arm };
}

/** Routes: `/…/ok` 200, `/…/crash` 500, `/…/slow` answers after 1.5 s. */
export async function startBackend(keepAliveMs: number, closeLagMs: number): Promise<Backend> {
  const handled: string[] = [];
  const sockets = new Set<Socket>();
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
  const { arm } = lateCloseIdleSockets(server, sockets, keepAliveMs, closeLagMs);
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

/**
 * One request on a fresh client connection; resolves with the status once the response is over,
 * also when its body is cut (a crash mid-body), and 0 when no response came. Bounded by 10 s.
 */
export function request(
  port: number,
  path: string,
  method = 'GET',
  headers: Record<string, string> = {},
): Promise<number> {
  return new Promise((resolve) => {
    let done = false;
    const finish = (status: number) => {
      if (!done) {
        done = true;
        resolve(status);
      }
    };
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        path,
        method,
        agent: false,
        headers: { connection: 'close', ...headers },
        timeout: 10_000,
      },
      (res) => {
        const status = res.statusCode ?? 0;
        res.on('error', () => finish(status));
        res.on('close', () => finish(status));
        res.resume();
      },
    );
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', () => finish(0));
    req.on('close', () => setTimeout(() => finish(0), 100));
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

/**
 * Runs a proxy in the foreground in `dir` on a free port, its config (`config(port)`) in
 * `configFile`, stdout and stderr both to `dir/stdout.log`; stopped by its PID (shared test support).
 */
async function runProxy(spec: {
  name: string;
  bin: string;
  args: string[];
  dir: string;
  configFile: string;
  config: (port: number) => string;
  logs: string[];
  env?: NodeJS.ProcessEnv;
}): Promise<ProxyInstance> {
  const server = await startServer({
    name: spec.name,
    command: spec.bin,
    args: () => spec.args,
    prepare: (_dir, port) => writeFileSync(spec.configFile, spec.config(port)),
    dir: spec.dir,
    outputFile: join(spec.dir, 'stdout.log'),
    env: { ...process.env, ...spec.env },
    startTimeoutMs: 5000,
  });
  return { port: server.port, dir: spec.dir, logs: spec.logs, stop: server.stop };
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

export function startNginx(dir: string, options: ProxyOptions): Promise<ProxyInstance> {
  mkdirSync(join(dir, 'tmp'), { recursive: true });
  const access = join(dir, 'access.log');
  const error = join(dir, 'error.log');
  const config = (port: number) => `daemon off;
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
  const configFile = join(dir, 'nginx.conf');
  return runProxy({
    name: 'nginx',
    bin: 'nginx',
    args: ['-p', dir, '-c', configFile, '-e', error],
    dir,
    configFile,
    config,
    logs: [access, error],
  });
}

export function startHaproxy(dir: string, options: ProxyOptions): Promise<ProxyInstance> {
  const config = (port: number) => `global
  # A port another program holds is a bind error, not a shared listener (SO_REUSEPORT).
  noreuseport
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
  const configFile = join(dir, 'haproxy.cfg');
  return runProxy({
    name: 'haproxy',
    bin: 'haproxy',
    args: ['-db', '-f', configFile],
    dir,
    configFile,
    config,
    logs: [join(dir, 'stdout.log')],
  });
}

/** Caddy: access log to `access.log`; error entries go to the default logger (stderr → stdout.log). */
export function startCaddy(dir: string, options: ProxyOptions): Promise<ProxyInstance> {
  const access = join(dir, 'access.log');
  const config = (port: number) => `{
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
  const configFile = join(dir, 'Caddyfile');
  return runProxy({
    name: 'caddy',
    bin: 'caddy',
    args: ['run', '--config', configFile, '--adapter', 'caddyfile'],
    dir,
    configFile,
    config,
    logs: [access, join(dir, 'stdout.log')],
    env: { XDG_DATA_HOME: dir, XDG_CONFIG_HOME: dir, HOME: dir },
  });
}

/**
 * The access LogFormat the corpus gives Apache, and the same layout as an nginx `log_format` for
 * `diagnose --nginx-log-format`: the client ip and port (`%{remote}p`, the port Apache's error log
 * writes in `[client ip:port]`, read as `$connection` so each error line joins its own request),
 * when the request began to the millisecond (`$msec`), and the balancer member that served it
 * (`%{BALANCER_WORKER_NAME}e`, read as `$upstream_addr`, so idle gaps per upstream can be measured).
 * Plain `combined` has none of these: its 5xx cannot be joined reliably or told apart by idle gaps.
 */
export const APACHE_LOG_FORMAT =
  '%a %{remote}p %{begin:sec}t.%{begin:msec_frac}t \\"%r\\" %>s %b up=%{BALANCER_WORKER_NAME}e';
export const APACHE_AS_NGINX_LOG_FORMAT =
  '$remote_addr $connection $msec "$request" $status $body_bytes_sent up=http://$upstream_addr';

/**
 * Apache httpd (mpm_event, one process) with mod_proxy_http behind a one-member balancer (so the
 * access log can name the upstream): one pooled upstream connection (`max=1`), a 10 s pool idle
 * (`ttl=10`), `retry=0` (a failed member is tried again at once), the error log at `warn`. Apache
 * has no retry of a failed reused connection for GET (lab-findings), so `retry` is not offered.
 */
export function startApache(dir: string, options: ProxyOptions): Promise<ProxyInstance> {
  const bin = findOnPath('apache2') ?? findOnPath('httpd') ?? 'apache2';
  const compiledIn = spawnSync(bin, ['-l'], { encoding: 'utf8', timeout: 5000 }).stdout ?? '';
  const modules = apacheModuleDir(bin);
  const access = join(dir, 'access.log');
  const error = join(dir, 'error.log');
  mkdirSync(join(dir, 'run'), { recursive: true });
  const user =
    process.getuid?.() === 0
      ? 'User nobody\nGroup nogroup'
      : `User #${process.getuid?.() ?? 0}\nGroup #${process.getgid?.() ?? 0}`;
  // Whole seconds: ProxyPass `timeout=400ms` was accepted but not applied here (Apache 2.4.71).
  const timeout =
    options.readTimeoutMs === undefined ? '' : ` timeout=${Math.ceil(options.readTimeoutMs / 1000)}`;
  const config = (port: number) => `ServerRoot "${dir}"
ServerName 127.0.0.1
${[...APACHE_MODULES, 'slotmem_shm', 'proxy_balancer', 'lbmethod_byrequests']
  .filter((m) => !compiledIn.includes(`mod_${m}.c`))
  .map((m) => `LoadModule ${m}_module ${modules}/mod_${m}.so`)
  .join('\n')}
${user}
PidFile ${join(dir, 'httpd.pid')}
DefaultRuntimeDir ${join(dir, 'run')}
Mutex file:${join(dir, 'run')} default
ErrorLog ${error}
LogLevel warn
LogFormat "${APACHE_LOG_FORMAT}" kap
CustomLog ${access} kap
Listen 127.0.0.1:${port}
${APACHE_ONE_PROCESS}
<Proxy "balancer://kap">
  BalancerMember "http://127.0.0.1:${options.upstreamPort}" max=1 ttl=10 retry=0 connectiontimeout=2${timeout}
</Proxy>
ProxyPass "/" "balancer://kap/"
`;
  const configFile = join(dir, 'httpd.conf');
  return runProxy({
    name: 'apache',
    bin,
    args: ['-d', dir, '-f', configFile, '-DFOREGROUND'],
    dir,
    configFile,
    config,
    logs: [access, error],
  });
}
