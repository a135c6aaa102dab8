import { appendFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { lateCloseIdleSockets } from '../diagnose-helpers/harness.js';

/**
 * The corpus's backend: a Node HTTP server with injected faults, chosen per request by its path,
 * that writes its own log (one JSON line per request whose handler ran: `{rid, path, fault}`), the
 * ground truth the corpus labels are checked against.
 *
 * Idle connections follow the lab's deterministic late-close window (lab-findings §3.3): at
 * `keepAliveMs` after its last response the socket stops reading, and `closeLagMs` later it is
 * destroyed. A request sent inside that window is never read (no handler runs, no log line) and
 * the proxy sees the connection close under it: the keep-alive race, on demand.
 *
 * Paths: `/ok`, `/err` (500), `/slow` (answers after 1.5 s), `/crash-head-fin` and
 * `/crash-head-rst` (the handler runs, then the socket is closed with FIN or reset, no response),
 * `/crash-body-fin` and `/crash-body-rst` (200 with Content-Length 4096, 512 bytes sent, then FIN or
 * RST). With `closeEvery` N, every Nth response on a connection says `Connection: close` (a server's
 * max-requests-per-connection). `stop()`/`resume()` close and reopen the listener on the same port
 * (a rolling restart).
 */

export interface FaultBackend {
  readonly port: number;
  readonly logFile: string;
  /** Request ids whose handler ran, with the fault applied. */
  readonly handled: Map<string, string>;
  stop(): Promise<void>;
  resume(): Promise<void>;
  close(): Promise<void>;
}

export interface FaultBackendOptions {
  readonly keepAliveMs: number;
  readonly closeLagMs: number;
  readonly logFile: string;
  readonly closeEvery?: number;
}

export async function startFaultBackend(options: FaultBackendOptions): Promise<FaultBackend> {
  const handled = new Map<string, string>();
  const sockets = new Set<Socket>();
  const served = new WeakMap<Socket, number>();
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const rid = url.searchParams.get('rid') ?? '';
    const fault = url.pathname.replace(/^\/+/, '');
    handled.set(rid, fault);
    appendFileSync(options.logFile, `${JSON.stringify({ t: Date.now(), rid, path: url.pathname, fault })}\n`);
    const socket = req.socket;
    const n = (served.get(socket) ?? 0) + 1;
    served.set(socket, n);
    res.on('finish', () => arm(socket));
    const close = options.closeEvery !== undefined && n % options.closeEvery === 0;
    const headers = { 'content-type': 'text/plain', ...(close ? { connection: 'close' } : {}) };
    switch (fault) {
      case 'err':
        res.writeHead(500, headers).end('internal error\n');
        return;
      case 'slow': {
        const t = setTimeout(() => res.writeHead(200, headers).end('slow\n'), 1500);
        res.on('close', () => clearTimeout(t));
        return;
      }
      case 'crash-head-fin':
        socket.end();
        return;
      case 'crash-head-rst':
        socket.resetAndDestroy();
        return;
      case 'crash-body-fin':
      case 'crash-body-rst':
        res.writeHead(200, { ...headers, 'content-length': '4096' });
        res.write('x'.repeat(512), () => {
          setTimeout(() => (fault === 'crash-body-fin' ? socket.end() : socket.resetAndDestroy()), 20);
        });
        return;
      default:
        res.writeHead(200, headers).end('ok\n');
    }
  });
  const { arm } = lateCloseIdleSockets(server, sockets, options.keepAliveMs, options.closeLagMs);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const closeAll = () =>
    new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    });
  return {
    port,
    logFile: options.logFile,
    handled,
    stop: closeAll,
    resume: () => new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve)),
    close: () => (server.listening ? closeAll() : Promise.resolve()),
  };
}
