/**
 * The proxies the lab can put between its driver and its backend: configuration templates (one
 * pooled upstream connection, a long upstream idle timeout, retries off, plus the retry variant),
 * start-up as a foreground child process confined to a temporary directory, version detection,
 * and reading their logs.
 */

import { execFile } from 'node:child_process';
import { accessSync, constants, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { EventLog } from './backend.js';
import { childScriptCommand } from './child-script.js';
import { LabSetupError } from './errors.js';
import { spawnListening } from './net-util.js';
import type { ManagedProcess, ProcessGroup } from './processes.js';

export const PROXY_NAMES = ['nginx', 'haproxy', 'apache', 'caddy', 'node'] as const;
export type ProxyName = (typeof PROXY_NAMES)[number];

export interface ProxyStartOptions {
  readonly group: ProcessGroup;
  readonly bin: string;
  /** A directory of its own: configuration, pid file, logs and temp files all live here. */
  readonly dir: string;
  readonly upstreamPort: number;
  readonly idleMs: number;
  /** The scenario's retry variant instead of retries off. */
  readonly retry: boolean;
  readonly name: string;
  readonly signal?: AbortSignal;
}

export interface RunningProxy {
  readonly port: number;
  readonly process: ManagedProcess;
  readonly configFile: string | null;
  /** Log files to read for evidence, in order of relevance. */
  readonly logFiles: readonly string[];
}

export interface ProxyAdapter {
  readonly name: ProxyName;
  readonly displayName: string;
  /** Executable names looked up on PATH (and in /usr/sbin, where Debian puts daemons). */
  readonly executables: readonly string[];
  detectVersion(bin: string): Promise<string | null>;
  start(options: ProxyStartOptions): Promise<RunningProxy>;
  /** Test requests with a GET would be retried invisibly by default: the mismatch uses POST. */
  readonly masksGetRace: boolean;
  /** What the retry scenarios configure, in one line. */
  readonly retryVariant: string;
  /** What the retries-off scenarios configure, in one line. */
  readonly baseConfig: (idleMs: number) => string;
  /** True when the proxy's retry variant is a real retry (false: a mitigation or nothing). */
  readonly retryIsRetry: boolean;
  /** The retry variant replays non-idempotent requests too (measured: HAProxy's retry-on). */
  readonly retryReplaysPost?: boolean;
  /** Request ids the proxy's logs show as retried; null when the proxy does not log retries. */
  retriedRids(logText: string): Set<string> | null;
  /** A log line reduced to the message that explains a failed request, or null if unrelated. */
  summarize(line: string): string | null;
  /** Notes shown with the fixed scenario (e.g. why it cannot be expressed exactly). */
  readonly fixedNote?: string;
}

function run(bin: string, args: string[]): Promise<string> {
  return new Promise((resolve) => {
    execFile(bin, args, { timeout: 5000 }, (error, stdout, stderr) => {
      resolve(error && !stdout && !stderr ? '' : `${stdout}\n${stderr}`);
    });
  });
}

async function startConfigured(
  options: ProxyStartOptions,
  build: (port: number) => {
    command: string;
    args: string[];
    env?: NodeJS.ProcessEnv;
    configFile: string;
    logFiles: string[];
  },
): Promise<RunningProxy> {
  const stdoutFile = join(options.dir, `${options.name}.stdout.log`);
  const stderrFile = join(options.dir, `${options.name}.stderr.log`);
  const started = await spawnListening(
    options.group,
    {
      name: options.name,
      cwd: options.dir,
      stdoutFile,
      stderrFile,
      timeoutMs: 15_000,
      attempts: 3,
      signal: options.signal,
      failureDetails: (spec) => {
        let lastError = existsSync(stderrFile) ? readFileSync(stderrFile, 'utf8').trim().slice(-2000) : '';
        const errorLog = spec.logFiles.find((f) => f.endsWith('error.log'));
        if (errorLog && existsSync(errorLog))
          lastError += `\n${readFileSync(errorLog, 'utf8').trim().slice(-2000)}`;
        return lastError;
      },
      failureHint: ` (config in ${options.dir})`,
    },
    build,
  );
  return {
    port: started.port,
    process: started.process,
    configFile: started.spec.configFile,
    logFiles: [...started.spec.logFiles, stdoutFile, stderrFile],
  };
}

// ---------------------------------------------------------------------------------------------
// nginx

const nginx: ProxyAdapter = {
  name: 'nginx',
  displayName: 'nginx',
  executables: ['nginx'],
  masksGetRace: false,
  retryIsRetry: true,
  retryVariant: 'proxy_next_upstream error timeout',
  baseConfig: (idleMs) => `upstream { keepalive 1; keepalive_timeout ${idleMs}ms; } proxy_next_upstream off`,
  async detectVersion(bin) {
    return /nginx\/([\w.]+)/.exec(await run(bin, ['-v']))?.[1] ?? null;
  },
  start(options) {
    return startConfigured(options, (port) => {
      const d = options.dir;
      for (const sub of ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'])
        mkdirSync(join(d, 'tmp', sub), { recursive: true });
      const conf = `# generated by keepalive-parity lab
worker_processes 1;
pid ${d}/nginx.pid;
error_log ${d}/error.log error;
events { worker_connections 256; }
http {
  log_format lab '$remote_addr [$time_local] "$request" $status rid=$http_x_request_id '
                 'up=$upstream_addr ustatus=$upstream_status uct=$upstream_connect_time urt=$upstream_response_time';
  access_log ${d}/access.log lab;
  client_body_temp_path ${d}/tmp/client_body;
  proxy_temp_path ${d}/tmp/proxy;
  fastcgi_temp_path ${d}/tmp/fastcgi;
  uwsgi_temp_path ${d}/tmp/uwsgi;
  scgi_temp_path ${d}/tmp/scgi;
  upstream backend {
    server 127.0.0.1:${options.upstreamPort};
    keepalive 1;
    keepalive_timeout ${options.idleMs}ms;
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
      proxy_read_timeout 10s;
    }
  }
}
`;
      const configFile = join(d, 'nginx.conf');
      writeFileSync(configFile, conf);
      return {
        command: options.bin,
        args: ['-p', d, '-c', configFile, '-e', join(d, 'error.log'), '-g', 'daemon off;'],
        configFile,
        logFiles: [join(d, 'error.log'), join(d, 'access.log')],
      };
    });
  },
  retriedRids(logText) {
    const rids = new Set<string>();
    for (const line of logText.split('\n')) {
      const rid = /rid=(\S+)/.exec(line)?.[1];
      if (rid && /ustatus=\S+, /.test(line)) rids.add(rid);
    }
    return rids;
  },
  summarize(line) {
    const message = /\[error\] \d+#\d+: \*\d+ (.+?)(?:, client: |$)/.exec(line)?.[1];
    if (message) return message;
    return /" 502 /.test(line) ? line.replace(/^\S+ \[[^\]]+\] /, '') : null;
  },
};

// ---------------------------------------------------------------------------------------------
// HAProxy

const haproxy: ProxyAdapter = {
  name: 'haproxy',
  displayName: 'HAProxy',
  executables: ['haproxy'],
  masksGetRace: false,
  retryIsRetry: true,
  retryVariant: 'retries 1 + retry-on conn-failure empty-response response-timeout',
  retryReplaysPost: true,
  baseConfig: (idleMs) => `http-reuse always; server pool-max-conn 1 pool-purge-delay ${idleMs}ms; retries 0`,
  fixedNote:
    'HAProxy 2.6 has no per-connection idle timer on pooled server connections: pool-purge-delay purges idle ' +
    'connections in batches (measured on this kind of host: idle connections reused up to about 3× the delay), so ' +
    '"backend keep-alive >= proxy idle + margin" cannot be guaranteed from its configuration. What works: a backend ' +
    'keep-alive far above pool-purge-delay (this scenario) together with retry-on conn-failure empty-response ' +
    '(the retry scenarios).',
  async detectVersion(bin) {
    return /HA-?Proxy version ([\w.+~-]+)/i.exec(await run(bin, ['-v']))?.[1] ?? null;
  },
  start(options) {
    return startConfigured(options, (port) => {
      const d = options.dir;
      const retry = options.retry
        ? '  retries 1\n  retry-on conn-failure empty-response response-timeout\n'
        : '  retries 0\n';
      const conf = `# generated by keepalive-parity lab
global
  # A port another program holds is a bind error, not a shared listener (SO_REUSEPORT).
  noreuseport
  maxconn 256
  log stdout format raw local0 info
defaults
  mode http
  log global
  option httplog
  option dontlognull
${retry}  no option redispatch
  timeout connect 2s
  timeout client 30s
  timeout server 10s
  timeout http-keep-alive 30s
frontend fe
  bind 127.0.0.1:${port}
  default_backend be
backend be
  http-reuse always
  server s1 127.0.0.1:${options.upstreamPort} pool-max-conn 1 pool-purge-delay ${options.idleMs}ms
`;
      const configFile = join(d, 'haproxy.cfg');
      writeFileSync(configFile, conf);
      return { command: options.bin, args: ['-f', configFile, '-db'], configFile, logFiles: [] };
    });
  },
  retriedRids(logText) {
    const rids = new Set<string>();
    for (const line of logText.split('\n')) {
      const match = /\s[\w-]{4} \d+\/\d+\/\d+\/\d+\/\+?(\d+) .*rid=([\w-]+)/.exec(line);
      if (match && Number(match[1]) > 0 && !/ 502 /.test(line)) rids.add(match[2]!);
    }
    return rids;
  },
  summarize(line) {
    const match = / (\d{3}) \d+ - - ([\w-]{4}) /.exec(line);
    if (match?.[1] !== '502') return null;
    const state = match[2]!;
    const meaning = state.startsWith('SH')
      ? 'the server aborted before sending its response headers'
      : state.startsWith('SC')
        ? 'the server refused or reset the connection'
        : 'see HAProxy termination states';
    return `502 with termination state ${state} (${meaning})`;
  },
};

// ---------------------------------------------------------------------------------------------
// Apache httpd

export const APACHE_MODULES = [
  'mpm_event',
  'unixd',
  'authz_core',
  'log_config',
  'env',
  'proxy',
  'proxy_http',
];

/** mpm_event with one child process of 25 threads (one upstream pool to reason about). */
export const APACHE_ONE_PROCESS = `StartServers 1
ServerLimit 1
ThreadLimit 25
ThreadsPerChild 25
MaxRequestWorkers 25
MinSpareThreads 1
MaxSpareThreads 25`;

export function apacheModuleDir(bin: string): string {
  for (const dir of ['/usr/lib/apache2/modules', '/usr/lib64/httpd/modules', '/usr/lib/httpd/modules']) {
    if (existsSync(join(dir, 'mod_proxy.so'))) return dir;
  }
  return join(bin, '..', '..', 'lib', 'apache2', 'modules');
}

const apache: ProxyAdapter = {
  name: 'apache',
  displayName: 'Apache httpd',
  executables: ['apache2', 'httpd'],
  masksGetRace: false,
  retryIsRetry: false,
  retryVariant:
    'no retry for a failed reused connection exists; mitigation: SetEnv proxy-initial-not-pooled 1',
  baseConfig: (idleMs) =>
    `ProxyPass max=1 ttl=${Math.max(1, Math.round(idleMs / 1000))} (mpm_event, one process)`,
  async detectVersion(bin) {
    return /Apache\/([\w.]+)/.exec(await run(bin, ['-v']))?.[1] ?? null;
  },
  async start(options) {
    // Debian compiles some modules in (unixd, log_config); loading those again is an error.
    const compiledIn = await run(options.bin, ['-l']);
    const toLoad = APACHE_MODULES.filter((m) => !compiledIn.includes(`mod_${m}.c`));
    return startConfigured(options, (port) => {
      const d = options.dir;
      mkdirSync(join(d, 'run'), { recursive: true });
      const modules = apacheModuleDir(options.bin);
      const asRoot = typeof process.getuid === 'function' && process.getuid() === 0;
      const user = asRoot
        ? 'User nobody\nGroup nogroup\n'
        : `User #${process.getuid?.() ?? 0}\nGroup #${process.getgid?.() ?? 0}\n`;
      const conf = `# generated by keepalive-parity lab
ServerRoot "${d}"
ServerName 127.0.0.1
${toLoad.map((m) => `LoadModule ${m}_module ${modules}/mod_${m}.so`).join('\n')}
${user}PidFile ${d}/httpd.pid
DefaultRuntimeDir ${d}/run
Mutex file:${d}/run default
ErrorLog ${d}/error.log
LogLevel warn
LogFormat "%h %t \\"%r\\" %>s rid=%{X-Request-Id}i %D" lab
CustomLog ${d}/access.log lab
Listen 127.0.0.1:${port}
${APACHE_ONE_PROCESS}
KeepAlive Off
${options.retry ? 'SetEnv proxy-initial-not-pooled 1\n' : ''}ProxyPass "/" "http://127.0.0.1:${options.upstreamPort}/" max=1 ttl=${Math.max(1, Math.round(options.idleMs / 1000))}
`;
      const configFile = join(d, 'httpd.conf');
      writeFileSync(configFile, conf);
      return {
        command: options.bin,
        args: ['-d', d, '-f', configFile, '-DFOREGROUND'],
        configFile,
        logFiles: [join(d, 'error.log'), join(d, 'access.log')],
      };
    });
  },
  retriedRids: () => null,
  summarize(line) {
    const message = /\[proxy(?:_http)?:error\] \[pid [^\]]+\] (.+)$/.exec(line)?.[1];
    return message ? message.replace(/\[client [^\]]+\] /, '').replace(/ \d+\.\d+\.\d+\.\d+:\d+$/, '') : null;
  },
};

// ---------------------------------------------------------------------------------------------
// Caddy

const caddy: ProxyAdapter = {
  name: 'caddy',
  displayName: 'Caddy',
  executables: ['caddy'],
  masksGetRace: true,
  retryIsRetry: true,
  retryVariant:
    "no setting: Go's HTTP transport itself replays an idempotent request whose reused connection failed",
  baseConfig: (idleMs) =>
    `transport http { keepalive ${idleMs}ms; keepalive_idle_conns 1 } (no lb_try_duration)`,
  async detectVersion(bin) {
    return /v?(\d+\.\d+\.\d+[\w.-]*)/.exec(await run(bin, ['version']))?.[1] ?? null;
  },
  start(options) {
    return startConfigured(options, (port) => {
      const d = options.dir;
      const conf = `# generated by keepalive-parity lab
{
  admin off
  auto_https off
  storage file_system ${d}/data
}
http://127.0.0.1:${port} {
  bind 127.0.0.1
  log {
    output file ${d}/access.log
    format json
  }
  reverse_proxy 127.0.0.1:${options.upstreamPort} {
    transport http {
      keepalive ${options.idleMs}ms
      keepalive_idle_conns 1
      keepalive_idle_conns_per_host 1
    }
  }
}
`;
      const configFile = join(d, 'Caddyfile');
      writeFileSync(configFile, conf);
      return {
        command: options.bin,
        args: ['run', '--config', configFile, '--adapter', 'caddyfile'],
        env: { ...process.env, HOME: d, XDG_CONFIG_HOME: join(d, 'config'), XDG_DATA_HOME: join(d, 'data') },
        configFile,
        logFiles: [join(d, 'access.log')],
      };
    });
  },
  retriedRids: () => null,
  summarize(line) {
    if (!/"status":\s*502/.test(line) && !/"level":"error"/.test(line)) return null;
    const error = /"error":"([^"]+)"/.exec(line)?.[1] ?? /"msg":"([^"]+)"/.exec(line)?.[1];
    return error && /reset|EOF|closed|refused|broken/i.test(error) ? error : null;
  },
};

// ---------------------------------------------------------------------------------------------
// The embedded Node proxy

interface NodeProxyEvent {
  ev: string;
  rid?: string;
  port?: number;
  retried?: boolean;
  message?: string;
}

const nodeProxy: ProxyAdapter = {
  name: 'node',
  displayName: 'embedded Node proxy (http.Agent, keep-alive pool of 1 socket)',
  executables: [],
  masksGetRace: false,
  retryIsRetry: true,
  retryVariant: 'idempotent requests retried once on a fresh connection when a reused socket fails',
  baseConfig: (idleMs) => `http.Agent({ keepAlive: true, maxSockets: 1, timeout: ${idleMs} }), no retry`,
  async detectVersion() {
    return process.version.replace(/^v/, '');
  },
  async start(options) {
    const log = new EventLog<NodeProxyEvent>();
    const { command, args } = childScriptCommand('node-proxy-process');
    const stdoutFile = join(options.dir, `${options.name}.log`);
    const managed = options.group.spawn(
      options.name,
      command,
      [
        ...args,
        JSON.stringify({
          upstreamPort: options.upstreamPort,
          idleMs: options.idleMs,
          retryIdempotent: options.retry,
        }),
      ],
      {
        stdoutFile,
        stderrFile: join(options.dir, `${options.name}.stderr.log`),
        onStdoutLine: (l) => log.push(l),
      },
    );
    const ready = await Promise.race([
      log.waitFor((e) => e.ev === 'ready', 15_000, options.signal),
      managed.exited.then(() => null),
    ]);
    if (!ready?.port) throw new LabSetupError(`the embedded proxy did not start (see ${options.dir})`);
    return { port: ready.port, process: managed, configFile: null, logFiles: [stdoutFile] };
  },
  retriedRids(logText) {
    const rids = new Set<string>();
    for (const line of logText.split('\n')) {
      if (line.includes('"ev":"access"') && line.includes('"retried":true')) {
        const rid = /"rid":"([^"]*)"/.exec(line)?.[1];
        if (rid && !line.includes('"status":502')) rids.add(rid);
      }
    }
    return rids;
  },
  summarize(line) {
    return line.includes('"ev":"error"') ? (/"message":"([^"]+)"/.exec(line)?.[1] ?? null) : null;
  },
};

export const PROXIES: Record<ProxyName, ProxyAdapter> = { nginx, haproxy, apache, caddy, node: nodeProxy };

/** The first executable of `adapter` found on PATH (or in the sbin directories), or null. */
export function findExecutable(
  adapter: ProxyAdapter,
  env: NodeJS.ProcessEnv = process.env,
  includeSbin = true,
): string | null {
  for (const name of adapter.executables) {
    const found = findOnPath(name, env, includeSbin);
    if (found) return found;
  }
  return null;
}

/**
 * `name` on PATH, or (with `includeSbin`) in the sbin directories, where Debian installs daemons
 * and which a normal user's PATH does not include. Only a regular executable file counts (not a
 * directory, not a path masked by a bind-mounted /dev/null). Null if absent.
 */
export function findOnPath(
  name: string,
  env: NodeJS.ProcessEnv = process.env,
  includeSbin = true,
): string | null {
  const sbin = includeSbin ? ['/usr/sbin', '/usr/local/sbin', '/sbin'] : [];
  const dirs = [...(env.PATH ?? '').split(delimiter), ...sbin].filter(Boolean);
  for (const dir of dirs) {
    const candidate = join(dir, name);
    if (isExecutableFile(candidate)) return candidate;
  }
  return null;
}

function isExecutableFile(path: string): boolean {
  try {
    if (!statSync(path).isFile()) return false;
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
