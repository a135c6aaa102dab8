/**
 * The embedded proxy, run as its own process:
 *   node node-proxy-process.js '{"upstreamPort":N,"idleMs":10000,"retryIdempotent":false}'
 *
 * A plain Node reverse proxy built the way many Node gateways are: a keep-alive `http.Agent` with
 * a pool of one socket (`maxSockets: 1`), the pool's idle timeout set by the agent's `timeout`,
 * and no retry. With `retryIdempotent`, a request whose reused pooled socket fails before any
 * response byte is retried once on a fresh connection, for idempotent methods only.
 *
 * It logs one JSON line per event on stdout (monotonic timestamps):
 *   ready {port} · access {rid, method, status, reused, retried} · error {rid, method, message, reused, retrying}
 */
import * as http from 'node:http';

interface ProxyOptions {
  upstreamPort: number;
  idleMs: number;
  retryIdempotent: boolean;
  port?: number;
}

const options = JSON.parse(process.argv[2] ?? '{}') as ProxyOptions;
const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS', 'TRACE', 'PUT', 'DELETE']);
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'te',
  'trailer',
  'upgrade',
]);

function emit(event: string, fields: Record<string, unknown>): void {
  process.stdout.write(
    `${JSON.stringify({ t: Number(process.hrtime.bigint()) / 1e6, ev: event, ...fields })}\n`,
  );
}

const agent = new http.Agent({
  keepAlive: true,
  maxSockets: 1,
  maxFreeSockets: 1,
  timeout: options.idleMs,
  scheduling: 'lifo',
});

function forwardHeaders(headers: http.IncomingHttpHeaders): http.OutgoingHttpHeaders {
  const out: http.OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined && !HOP_BY_HOP.has(name)) out[name] = value;
  }
  out.connection = 'keep-alive';
  return out;
}

const server = http.createServer((request, response) => {
  const chunks: Buffer[] = [];
  request.on('data', (chunk: Buffer) => chunks.push(chunk));
  request.on('end', () => forward(request, response, Buffer.concat(chunks), 1));
});

function forward(
  request: http.IncomingMessage,
  response: http.ServerResponse,
  body: Buffer,
  attempt: number,
): void {
  const method = request.method ?? 'GET';
  const rid = String(request.headers['x-request-id'] ?? '');
  const upstream = http.request({
    host: '127.0.0.1',
    port: options.upstreamPort,
    method,
    path: request.url,
    headers: forwardHeaders(request.headers),
    agent,
  });
  upstream.on('response', (upstreamResponse) => {
    const headers: http.OutgoingHttpHeaders = {};
    for (const [name, value] of Object.entries(upstreamResponse.headers)) {
      if (value !== undefined && !HOP_BY_HOP.has(name)) headers[name] = value;
    }
    response.writeHead(upstreamResponse.statusCode ?? 502, headers);
    upstreamResponse.pipe(response);
    // The upstream closed or reset in the middle of the body: say so, and cut the client's response.
    upstreamResponse.on('aborted', () => {
      emit('error', {
        rid,
        method,
        reused: upstream.reusedSocket,
        retrying: false,
        message: `upstream ${upstream.reusedSocket ? 'reused pooled' : 'fresh'} connection failed after the response header was sent (body cut)`,
      });
      response.destroy();
    });
    emit('access', {
      rid,
      method,
      status: upstreamResponse.statusCode,
      reused: upstream.reusedSocket,
      retried: attempt > 1,
    });
  });
  upstream.on('error', (error: NodeJS.ErrnoException) => {
    const reused = upstream.reusedSocket;
    const retrying =
      options.retryIdempotent && attempt === 1 && reused && IDEMPOTENT.has(method) && !response.headersSent;
    emit('error', {
      rid,
      method,
      reused,
      retrying,
      message: `upstream ${reused ? 'reused pooled' : 'fresh'} connection failed ${response.headersSent ? 'after the response header was sent' : 'before the response'} (${error.code && !error.message.includes(error.code) ? `${error.message}, ${error.code}` : error.message})${retrying ? ', retrying once on a fresh connection' : ''}`,
    });
    if (retrying) {
      forward(request, response, body, attempt + 1);
      return;
    }
    if (response.headersSent) {
      response.destroy();
      return;
    }
    const text = 'bad gateway\n';
    response.writeHead(502, { 'content-type': 'text/plain', 'content-length': Buffer.byteLength(text) });
    response.end(text);
    emit('access', { rid, method, status: 502, reused, retried: attempt > 1 });
  });
  upstream.end(body);
}

server.listen(options.port ?? 0, '127.0.0.1', () => {
  const address = server.address();
  emit('ready', { port: typeof address === 'object' && address ? address.port : null });
});

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => {
    server.close();
    server.closeAllConnections();
    agent.destroy();
    process.exit(0);
  });
}

// If the lab itself dies without stopping us (SIGKILL), do not outlive it.
const parentPid = process.ppid;
setInterval(() => {
  if (process.ppid !== parentPid) process.exit(0);
}, 1000).unref();
