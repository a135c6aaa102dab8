/**
 * The lab's client: one fresh TCP connection per request (`Connection: close`), opened before the
 * send time so that connecting costs nothing, and a request written within about 0.1 ms of its
 * target instant (timer, then a short busy wait). Raw bytes, so nothing (no client pool, no retry)
 * stands between the lab and the proxy under test.
 */
import * as net from 'node:net';
import { monotonicMs, waitUntil } from './clock.js';

export interface DriverRequest {
  readonly port: number;
  readonly method: 'GET' | 'POST';
  readonly path: string;
  readonly rid: string;
  /** Monotonic instant at which to write the request; now when absent. */
  readonly writeAtMs?: number;
  /** Give up on the response after this long. */
  readonly timeoutMs: number;
  readonly signal?: AbortSignal;
}

export interface DriverResponse {
  /** HTTP status from the proxy; null when the connection failed or no status line came. */
  readonly status: number | null;
  /** Monotonic instant the request bytes were handed to the kernel. */
  readonly writtenAtMs: number;
  /** Monotonic instant the response was complete (the proxy closed the connection). */
  readonly endedAtMs: number;
  /** Client-side error (connection refused, reset, timeout), if any. */
  readonly error: string | null;
}

const PREOPEN_MS = 50;

export async function sendRequest(request: DriverRequest): Promise<DriverResponse> {
  if (request.writeAtMs !== undefined) {
    const preopenAt = request.writeAtMs - PREOPEN_MS;
    if (preopenAt > monotonicMs()) await waitUntil(preopenAt, request.signal, 0);
  }
  const body = request.method === 'POST' ? `rid=${request.rid}\n` : '';
  const head =
    `${request.method} ${request.path} HTTP/1.1\r\n` +
    'Host: 127.0.0.1\r\n' +
    `X-Request-Id: ${request.rid}\r\n` +
    'User-Agent: keepalive-parity-lab\r\n' +
    'Connection: close\r\n' +
    (request.method === 'POST'
      ? `Content-Type: application/x-www-form-urlencoded\r\nContent-Length: ${Buffer.byteLength(body)}\r\n`
      : '') +
    '\r\n';
  const socket = net.connect({ host: '127.0.0.1', port: request.port });
  socket.setNoDelay(true);
  const chunks: Buffer[] = [];
  let error: string | null = null;
  const closed = new Promise<void>((resolve) => {
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', (e) => {
      error = e.message;
    });
    socket.on('close', () => resolve());
  });
  const timeout = setTimeout(() => {
    error = `no complete response within ${request.timeoutMs} ms`;
    socket.destroy();
  }, request.timeoutMs);
  const onAbort = () => socket.destroy();
  request.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    await new Promise<void>((resolve) => {
      socket.once('connect', resolve);
      socket.once('close', resolve);
    });
    let writtenAtMs = monotonicMs();
    if (!socket.destroyed) {
      if (request.writeAtMs !== undefined) await waitUntil(request.writeAtMs, request.signal);
      writtenAtMs = monotonicMs();
      socket.write(head + body);
    }
    await closed;
    const endedAtMs = monotonicMs();
    const text = Buffer.concat(chunks).toString('latin1');
    const match = /^HTTP\/1\.[01] (\d{3})/.exec(text);
    return { status: match ? Number(match[1]) : null, writtenAtMs, endedAtMs, error: match ? null : error };
  } finally {
    clearTimeout(timeout);
    request.signal?.removeEventListener('abort', onAbort);
    socket.destroy();
  }
}
