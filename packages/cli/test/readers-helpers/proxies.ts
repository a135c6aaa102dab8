import { spawnSync } from 'node:child_process';
import { createServer as createHttpServer, request, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export { waitListening } from '../../src/lab/net-util.js';
/** The skip reason when a program is missing (the shared lookup of test/support/binaries.ts). */
export { missingBinaries } from '../support/binaries.js';
export { freePort, type StartedServer, startServer, tempDir } from '../support/servers.js';

/** Runs a short command (nginx -t, haproxy -c) and returns its exit code and output; bounded. */
export function runSync(
  cmd: string,
  args: string[],
): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 20_000 });
  return { code: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}

/** A backend that counts TCP connections and records when each one closes. Keeps connections 60 s. */
export interface CountingBackend {
  readonly port: number;
  /** Connections opened so far. */
  connections(): number;
  /** Resolves with the ms between the last response and the close of that socket; rejects after `limitMs`. */
  nextCloseAfterResponse(limitMs: number): Promise<number>;
  close(): Promise<void>;
}

export async function startCountingBackend(): Promise<CountingBackend> {
  let opened = 0;
  const sockets = new Set<Socket>();
  let lastResponseAt = 0;
  let waiter: ((ms: number) => void) | undefined;
  const server: Server = createHttpServer((req, res) => {
    res.on('finish', () => {
      lastResponseAt = performance.now();
    });
    res.end('ok');
    void req;
  });
  server.keepAliveTimeout = 60_000;
  server.on('connection', (socket: Socket) => {
    opened++;
    sockets.add(socket);
    socket.on('close', () => {
      sockets.delete(socket);
      waiter?.(performance.now() - lastResponseAt);
      waiter = undefined;
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    port,
    connections: () => opened,
    nextCloseAfterResponse: (limitMs) =>
      new Promise<number>((resolve, reject) => {
        const timer = setTimeout(() => {
          waiter = undefined;
          reject(new Error(`no backend connection closed within ${limitMs} ms`));
        }, limitMs);
        waiter = (ms) => {
          clearTimeout(timer);
          resolve(ms);
        };
      }),
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** GET through the proxy on a fresh client connection; returns the status. */
export function get(port: number, path = '/'): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, path, agent: false, headers: { connection: 'close' } },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.setTimeout(10_000, () => req.destroy(new Error('request timed out')));
    req.on('error', reject);
    req.end();
  });
}
