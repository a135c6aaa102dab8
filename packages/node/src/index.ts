/**
 * @keepalive-parity/node: zero-dependency helpers that keep the keep-alive rule at run time.
 *
 *   server keep-alive >= client pool idle + margin
 *
 * On the server side, `applyServerKeepAlive` sets a Node server's keep-alive above the idle
 * timeout of the load balancer in front of it. On the client side, `poolIdleFor` gives an
 * http.Agent / undici idle timeout safely below the keep-alive of the server it calls.
 */
import type { Server } from 'node:http';

export const DEFAULT_MARGIN_MS = 5000;

export class KeepAliveConfigError extends Error {
  readonly code = 'KAP_RUNTIME_CONFIG';
  constructor(message: string) {
    super(message);
    this.name = 'KeepAliveConfigError';
  }
}

function wholeMs(name: string, value: number): number {
  if (!Number.isFinite(value) || !Number.isInteger(value) || value < 0) {
    throw new KeepAliveConfigError(
      `${name} must be a whole, non-negative number of milliseconds (got ${String(value)})`,
    );
  }
  return value;
}

export interface ServerKeepAliveOptions {
  /** Idle timeout of the pool in front of this server (ALB `idle_timeout.timeout_seconds` × 1000). */
  readonly upstreamIdleTimeoutMs: number;
  /** Headroom above the upstream idle timeout (default 5000 ms). */
  readonly marginMs?: number;
}

export interface ServerKeepAliveSettings {
  readonly keepAliveTimeoutMs: number;
  /** Above keepAliveTimeout, so slow-header protection never closes an idle keep-alive socket first. */
  readonly headersTimeoutMs: number;
}

/** The settings a Node server needs behind a pool with the given idle timeout. */
export function serverKeepAliveFor(options: ServerKeepAliveOptions): ServerKeepAliveSettings {
  const idle = wholeMs('upstreamIdleTimeoutMs', options.upstreamIdleTimeoutMs);
  const margin = wholeMs('marginMs', options.marginMs ?? DEFAULT_MARGIN_MS);
  const keepAliveTimeoutMs = idle + margin;
  return { keepAliveTimeoutMs, headersTimeoutMs: keepAliveTimeoutMs + 1000 };
}

/**
 * Sets `keepAliveTimeout` and `headersTimeout` on a Node http(s) server (Express's `app.listen()`
 * returns one) and returns what was applied. `requestTimeout` is raised to at least
 * `headersTimeout` when it is set, as Node requires.
 */
export function applyServerKeepAlive(
  server: Server,
  options: ServerKeepAliveOptions,
): ServerKeepAliveSettings {
  const settings = serverKeepAliveFor(options);
  server.keepAliveTimeout = settings.keepAliveTimeoutMs;
  server.headersTimeout = settings.headersTimeoutMs;
  if (server.requestTimeout > 0 && server.requestTimeout < settings.headersTimeoutMs) {
    server.requestTimeout = settings.headersTimeoutMs;
  }
  return settings;
}

export interface PoolIdleOptions {
  /** Keep-alive timeout of the server this pool calls. */
  readonly serverKeepAliveMs: number;
  readonly marginMs?: number;
}

/**
 * Idle timeout for a client pool calling a server with the given keep-alive (for
 * `new http.Agent({ keepAlive: true, timeout })` or undici's `keepAliveTimeout`).
 * Throws when the server keep-alive is too short for any safe pool idle.
 */
export function poolIdleFor(options: PoolIdleOptions): number {
  const server = wholeMs('serverKeepAliveMs', options.serverKeepAliveMs);
  const margin = wholeMs('marginMs', options.marginMs ?? DEFAULT_MARGIN_MS);
  const idle = server - margin;
  if (idle < 1) {
    throw new KeepAliveConfigError(
      `a server keep-alive of ${server} ms leaves no safe pool idle with a ${margin} ms margin; disable reuse or lower the margin`,
    );
  }
  return idle;
}

const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 } as const;
export type DurationUnit = keyof typeof UNIT_MS;

/**
 * Reads a duration from an environment variable strictly: a missing, empty, non-numeric or
 * negative value throws, and a bare number is read in `unit` (it must be stated).
 * `readDurationEnv('KEEP_ALIVE_TIMEOUT', 's')` → ms.
 */
export function readDurationEnv(
  name: string,
  unit: DurationUnit,
  env: Record<string, string | undefined> = process.env,
): number {
  const raw = env[name];
  if (raw === undefined) throw new KeepAliveConfigError(`environment variable ${name} is not set`);
  const text = raw.trim();
  if (text === '') throw new KeepAliveConfigError(`environment variable ${name} is empty`);
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text);
  if (!match)
    throw new KeepAliveConfigError(`environment variable ${name}=${JSON.stringify(raw)} is not a duration`);
  const ms = Number(match[1]) * UNIT_MS[(match[2] as DurationUnit | undefined) ?? unit];
  if (!Number.isSafeInteger(Math.ceil(ms)))
    throw new KeepAliveConfigError(`environment variable ${name}=${JSON.stringify(raw)} is too large`);
  return Math.ceil(ms);
}
