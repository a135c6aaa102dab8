import * as net from 'node:net';
import { monotonicMs, sleep } from './clock.js';
import type { ManagedProcess } from './processes.js';

/** A free TCP port on 127.0.0.1, picked by binding port 0 (for programs that need a port number). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function tryConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** Waits until 127.0.0.1:`port` accepts connections; false if the process exits or time runs out. */
export async function waitListening(
  port: number,
  process: ManagedProcess,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<boolean> {
  const deadline = monotonicMs() + timeoutMs;
  while (monotonicMs() < deadline) {
    if (process.hasExited()) return false;
    if (await tryConnect(port)) return !process.hasExited();
    await sleep(25, signal);
  }
  return false;
}
