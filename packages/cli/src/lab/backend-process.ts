/**
 * The lab's backend, run as its own process:
 *   node backend-process.js '{"keepAliveMs":1000,"closeLagMs":20}'
 *
 * An HTTP/1.1 server whose idle keep-alive close is exact and observable. Node's own keep-alive
 * timer is disabled (Node 20 closes `keepAliveTimeout` + 1 s late); instead the backend arms its
 * own timer of exactly `keepAliveMs` after each response has been written.
 *
 * `closeLagMs` > 0 models a backend whose event loop is busy when its idle timer fires: at the
 * deadline it stops reading the connection, and closes it `closeLagMs` later. A request that
 * arrives in between is never read, so the close sends an RST and no handler runs: the natural
 * race, widened to a known window.
 *
 * Every event is one JSON line on stdout, timestamped with the host's monotonic clock:
 *   ready {port} · open {conn} · handler {conn, rid, method} · finish {conn, rid}
 *   ka_timeout {conn} · close {conn, bytesRead}
 */
import * as http from 'node:http';
import type { Socket } from 'node:net';

interface BackendOptions {
  keepAliveMs: number;
  closeLagMs: number;
  /** A stock Node server instead: `server.keepAliveTimeout = keepAliveMs`, Node's own idle timer. */
  stockNode?: boolean;
  port?: number;
}

const options = JSON.parse(process.argv[2] ?? '{}') as BackendOptions;
const keepAliveMs = Number(options.keepAliveMs);
const closeLagMs = Number(options.closeLagMs ?? 0);
const stockNode = options.stockNode === true;
if (!(keepAliveMs > 0) || !(closeLagMs >= 0)) {
  process.stderr.write('backend: usage: backend-process.js \'{"keepAliveMs":1000,"closeLagMs":20}\'\n');
  process.exit(2);
}

function emit(event: string, fields: Record<string, unknown> = {}): void {
  process.stdout.write(
    `${JSON.stringify({ t: Number(process.hrtime.bigint()) / 1e6, ev: event, ...fields })}\n`,
  );
}

interface ConnState {
  id: number;
  idleTimer: NodeJS.Timeout | null;
  closing: boolean;
}
const connections = new WeakMap<Socket, ConnState>();
let nextConnId = 1;

function armIdleTimer(socket: Socket, state: ConnState): void {
  if (state.idleTimer) clearTimeout(state.idleTimer);
  state.idleTimer = setTimeout(() => {
    state.idleTimer = null;
    if (state.closing || socket.destroyed) return;
    state.closing = true;
    emit('ka_timeout', { conn: state.id });
    if (closeLagMs <= 0) {
      socket.destroy();
      return;
    }
    // Stop reading at the deadline: whatever arrives now stays unread in the kernel, so the
    // close below is sent as an RST and no handler runs for it.
    const handle = (socket as unknown as { _handle?: { readStop?: () => number } })._handle;
    handle?.readStop?.();
    setTimeout(() => socket.destroy(), closeLagMs);
  }, keepAliveMs);
}

const server = http.createServer((request, response) => {
  const socket = request.socket;
  const state = connections.get(socket);
  if (state?.idleTimer) {
    clearTimeout(state.idleTimer);
    state.idleTimer = null;
  }
  const url = new URL(request.url ?? '/', 'http://lab.invalid');
  const rid = String(request.headers['x-request-id'] ?? url.searchParams.get('rid') ?? '');
  emit('handler', { conn: state?.id ?? null, rid, method: request.method, path: url.pathname });
  request.resume();
  request.on('end', () => {
    const body = `ok ${rid}\n`;
    response.writeHead(200, { 'content-type': 'text/plain', 'content-length': Buffer.byteLength(body) });
    response.end(body);
  });
  response.on('finish', () => {
    emit('finish', { conn: state?.id ?? null, rid });
    if (state && !socket.destroyed && !stockNode) armIdleTimer(socket, state);
  });
});
if (stockNode) {
  // Stock Node: its own idle timer (Node 20 arms it at keepAliveTimeout + 1 s).
  server.keepAliveTimeout = keepAliveMs;
} else {
  // Node's own keep-alive timer off: the backend closes idle connections itself, exactly.
  server.keepAliveTimeout = 0;
  server.headersTimeout = 0;
  server.requestTimeout = 0;
}

server.on('connection', (socket: Socket) => {
  const state: ConnState = { id: nextConnId++, idleTimer: null, closing: false };
  connections.set(socket, state);
  emit('open', { conn: state.id, remotePort: socket.remotePort });
  if (stockNode) {
    // Node's own listener (registered first) destroys the idle socket; this one only records it.
    socket.on('timeout', () => {
      state.closing = true;
      emit('ka_timeout', { conn: state.id });
    });
  }
  socket.on('close', () => {
    if (state.idleTimer) clearTimeout(state.idleTimer);
    emit('close', { conn: state.id, bytesRead: socket.bytesRead, byIdleTimer: state.closing });
  });
});

server.listen(options.port ?? 0, '127.0.0.1', () => {
  const address = server.address();
  emit('ready', {
    port: typeof address === 'object' && address ? address.port : null,
    keepAliveMs,
    closeLagMs,
    stockNode,
  });
});

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => {
    server.close();
    server.closeAllConnections();
    process.exit(0);
  });
}

// If the lab itself dies without stopping us (SIGKILL), do not outlive it.
const parentPid = process.ppid;
setInterval(() => {
  if (process.ppid !== parentPid) process.exit(0);
}, 1000).unref();
