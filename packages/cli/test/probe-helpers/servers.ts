/**
 * Real servers for the probe tests and the accuracy benchmark, on 127.0.0.1 with free ports.
 * Every server runs in its own temp dir and is stopped by its PID (SIGTERM, then SIGKILL), through
 * the shared test support (../support/servers.ts); the config templates here are the probe's own.
 */
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startServer } from '../support/servers.js';

export { freePort, refusedPort } from '../support/servers.js';

export interface RunningServer {
  readonly name: string;
  readonly port: number;
  readonly pid: number;
  /** Configured idle keep-alive timeout in ms (null: none, e.g. gunicorn sync). */
  readonly configuredMs: number | null;
  /** When the server really closes an idle connection, if that differs from the configuration. */
  readonly expectedCloseMs: number | null;
  readonly dir: string;
  stop(): Promise<void>;
}

async function launch(
  name: string,
  configuredMs: number | null,
  command: string,
  args: string[],
  build: (dir: string, port: number) => Promise<void>,
): Promise<RunningServer> {
  const server = await startServer({
    name,
    command,
    args: (dir, port) => args.map((arg) => arg.replaceAll('{dir}', dir).replaceAll('{port}', String(port))),
    prepare: build,
  });
  return {
    name,
    port: server.port,
    pid: server.pid,
    configuredMs,
    expectedCloseMs: configuredMs,
    dir: server.dir,
    stop: server.stop,
  };
}

/** nginx with `keepalive_timeout`; `httpDirectives` adds lines to its http block (e.g. keepalive_requests). */
export function startNginx(keepaliveSeconds = 2, httpDirectives = ''): Promise<RunningServer> {
  return launch(
    'nginx',
    keepaliveSeconds * 1000,
    'nginx',
    ['-p', '{dir}', '-c', '{dir}/nginx.conf', '-e', '{dir}/error.log'],
    async (dir, port) => {
      await mkdir(join(dir, 'tmp'), { recursive: true });
      await writeFile(
        join(dir, 'nginx.conf'),
        `daemon off;
master_process on;
worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log;
events { worker_connections 64; }
http {
  access_log off;
  client_body_temp_path ${dir}/tmp/body;
  proxy_temp_path ${dir}/tmp/proxy;
  fastcgi_temp_path ${dir}/tmp/fastcgi;
  uwsgi_temp_path ${dir}/tmp/uwsgi;
  scgi_temp_path ${dir}/tmp/scgi;
  keepalive_timeout ${keepaliveSeconds}s;
  ${httpDirectives}
  server {
    listen 127.0.0.1:${port};
    location / { return 200 "ok\\n"; }
  }
}
`,
      );
    },
  );
}

const APACHE_MODULES = '/usr/lib/apache2/modules';

export function startApache(keepaliveSeconds = 2): Promise<RunningServer> {
  return launch(
    'apache',
    keepaliveSeconds * 1000,
    'apache2',
    ['-d', '{dir}', '-f', '{dir}/httpd.conf', '-DFOREGROUND'],
    async (dir, port) => {
      await mkdir(join(dir, 'htdocs'), { recursive: true });
      await writeFile(join(dir, 'htdocs', 'index.html'), 'ok\n');
      // Workers run as www-data: the document root must be readable by it.
      await chmod(dir, 0o755);
      await chmod(join(dir, 'htdocs'), 0o755);
      await chmod(join(dir, 'htdocs', 'index.html'), 0o644);
      const user = process.getuid?.() === 0 ? 'User www-data\nGroup www-data\n' : '';
      await writeFile(
        join(dir, 'httpd.conf'),
        `ServerRoot ${dir}
DefaultRuntimeDir ${dir}
PidFile ${dir}/httpd.pid
ErrorLog ${dir}/error.log
LogLevel warn
Mutex file:${dir} default
LoadModule mpm_event_module ${APACHE_MODULES}/mod_mpm_event.so
LoadModule authz_core_module ${APACHE_MODULES}/mod_authz_core.so
LoadModule dir_module ${APACHE_MODULES}/mod_dir.so
${user}ServerName localhost
Listen 127.0.0.1:${port}
StartServers 1
ServerLimit 1
ThreadsPerChild 25
MaxRequestWorkers 25
KeepAlive On
KeepAliveTimeout ${keepaliveSeconds}
MaxKeepAliveRequests 100
DocumentRoot ${dir}/htdocs
DirectoryIndex index.html
<Directory ${dir}/htdocs>
  Require all granted
</Directory>
`,
      );
    },
  );
}

export function startHaproxy(keepaliveSeconds = 2): Promise<RunningServer> {
  return launch(
    'haproxy',
    keepaliveSeconds * 1000,
    'haproxy',
    ['-db', '-f', '{dir}/haproxy.cfg'],
    async (dir, port) => {
      await writeFile(
        join(dir, 'haproxy.cfg'),
        `global
  maxconn 100
defaults
  mode http
  timeout connect 2s
  timeout client 30s
  timeout server 30s
  timeout http-keep-alive ${keepaliveSeconds}s
frontend fe
  bind 127.0.0.1:${port}
  http-request return status 200 content-type text/plain string ok
`,
      );
    },
  );
}

const ASGI_APP = `async def app(scope, receive, send):
    if scope["type"] != "http":
        return
    await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/plain"), (b"content-length", b"3")]})
    await send({"type": "http.response.body", "body": b"ok\\n"})
`;

export function startUvicorn(keepaliveSeconds = 2): Promise<RunningServer> {
  return launch(
    'uvicorn',
    keepaliveSeconds * 1000,
    '/usr/bin/python3',
    [
      '-m',
      'uvicorn',
      '--app-dir',
      '{dir}',
      '--host',
      '127.0.0.1',
      '--port',
      '{port}',
      '--timeout-keep-alive',
      String(keepaliveSeconds),
      '--no-access-log',
      'asgiapp:app',
    ],
    async (dir) => {
      await writeFile(join(dir, 'asgiapp.py'), ASGI_APP);
    },
  );
}

const WSGI_APP = `def app(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", "3")])
    return [b"ok\\n"]
`;

/** gunicorn's default sync worker: it closes the connection after every response. */
export function startGunicornSync(): Promise<RunningServer> {
  return launch(
    'gunicorn-sync',
    null,
    '/usr/bin/python3',
    ['-m', 'gunicorn', '--chdir', '{dir}', '-b', '127.0.0.1:{port}', '-w', '1', 'wsgiapp:app'],
    async (dir) => {
      await writeFile(join(dir, 'wsgiapp.py'), WSGI_APP);
    },
  );
}

/**
 * A Node `http.createServer` in a child process (so its timers are not slowed by the probe's
 * own process). `keepAliveTimeoutMs` is what the user configures; see `nodeEffectiveCloseMs`.
 */
function startNodeServer(keepAliveTimeoutMs: number): Promise<RunningServer> {
  return launch(
    `node-${keepAliveTimeoutMs}`,
    keepAliveTimeoutMs,
    process.execPath,
    ['{dir}/server.mjs', '{port}'],
    async (dir) => {
      await writeFile(
        join(dir, 'server.mjs'),
        `import http from 'node:http';
import { writeFileSync } from 'node:fs';
const server = http.createServer((req, res) => res.end('ok\\n'));
server.keepAliveTimeout = ${keepAliveTimeoutMs};
writeFileSync(new URL('./buffer.txt', import.meta.url), String(server.keepAliveTimeoutBuffer ?? 1000));
server.listen(Number(process.argv[2]), '127.0.0.1');
process.on('SIGTERM', () => process.exit(0));
`,
      );
    },
  );
}

/**
 * Node's real close: Node 20.20.2 arms its idle timer at keepAliveTimeout plus a hard-coded
 * 1000 ms buffer (nodejs/node#54863; later lines expose it as server.keepAliveTimeoutBuffer, which
 * the child reports). Measured on this machine in lab-findings §2.
 */
export async function startNodeServerWithBuffer(keepAliveTimeoutMs: number): Promise<RunningServer> {
  const server = await startNodeServer(keepAliveTimeoutMs);
  const bufferText = await readFile(join(server.dir, 'buffer.txt'), 'utf8').catch(() => '1000');
  const bufferMs = Number(bufferText) || 1000;
  return { ...server, expectedCloseMs: keepAliveTimeoutMs + bufferMs };
}
