/**
 * The probe engine: raw HTTP/1.1 over `node:net` / `node:tls`, so the instant of the last response
 * byte and of the server's close are both taken from the same monotonic clock (`process.hrtime`).
 *
 * FIN is seen as the socket's `end` event (the socket is half-open so `end` is reported before we
 * close our side); RST is `ECONNRESET`.
 */
import * as net from 'node:net';
import * as tls from 'node:tls';
import {
  parseKeepAliveHeader,
  type ResponseHead,
  type ResponseParseError,
  ResponseParser,
  responseClosesConnection,
} from './http1.js';

export type IdleCloseKind =
  /** The server closed the idle connection with a FIN (an orderly close). */
  | 'fin'
  /** The server reset the idle connection (RST). */
  | 'rst'
  /** The server did not close within `maxWaitMs`. */
  | 'timeout'
  /** The server closed (FIN or RST) before the response was complete. */
  | 'closed-before-response'
  /** The server closes after every response (`Connection: close`, HTTP/1.0, close-delimited body). */
  | 'no-keepalive';

export interface ProbeTarget {
  readonly host: string;
  readonly port: number;
  /** Request target, `/` when absent. */
  readonly path?: string;
  readonly method?: 'GET' | 'HEAD';
  /** Extra request headers (Host, auth). They are sent, never reported. */
  readonly headers?: Record<string, string>;
  /** Present: connect with TLS (SNI from `servername`, else the host when it is a name). */
  readonly tls?: { servername?: string; insecure?: boolean };
  /** Connection and response deadline; defaults to min(maxWaitMs, 30 s). */
  readonly responseTimeoutMs?: number;
}

export interface MeasureIdleCloseOptions extends ProbeTarget {
  /** Give up waiting for the server's idle close after this long (closeKind 'timeout'). */
  readonly maxWaitMs: number;
  readonly signal?: AbortSignal;
  /**
   * Keep the event loop awake (1 ms timer) from this many ms after the last byte, for a precise
   * close timestamp. Default: 1 s before the advertised Keep-Alive timeout, else from the start.
   * `Infinity` turns it off.
   */
  readonly keepWarmFromMs?: number;
}

export interface IdleCloseSample {
  /** Milliseconds (fractional) from the last response byte to the server's close; null when unknown. */
  idleCloseMs: number | null;
  closeKind: IdleCloseKind;
  /** How the transport ended: FIN, RST, or null (we gave up). Also set for 'no-keepalive'. */
  transportClose: 'fin' | 'rst' | null;
  /** Final response status; null when no complete head arrived. */
  status: number | null;
  /** `1.1` or `1.0`; null when no head arrived. */
  httpVersion: string | null;
  /** The raw `Keep-Alive` response header, or null. */
  keepAliveHeader: string | null;
  /** The raw `Connection` response header, or null. */
  connectionHeader: string | null;
  /** `timeout=` of the Keep-Alive header, in seconds. */
  advertisedTimeoutSeconds: number | null;
  /** `max=` of the Keep-Alive header (requests). */
  advertisedMaxRequests: number | null;
  /** Milliseconds from connect start to connected (TLS handshake included). */
  connectMs: number;
  /** Milliseconds from writing the request to the last response byte; null when incomplete. */
  responseMs: number | null;
  /** Milliseconds from writing the request to the close, for 'closed-before-response'. */
  closedAfterRequestMs: number | null;
  /** Response body bytes received. */
  bodyBytes: number;
  /** How the body was framed. */
  bodyFraming: 'none' | 'content-length' | 'chunked' | 'until-close' | null;
  /** Local port of the probe's connection (to join with server logs or captures). */
  localPort: number | null;
  /** Bytes the server sent after the response while the connection was idle (e.g. a 408 before closing). */
  unsolicitedBytes: number;
  /** Wall-clock start of the sample (ISO-8601). */
  startedAt: string;
}

export type ProbeErrorCode =
  | 'connect-failed'
  | 'tls-failed'
  /** The server speaks only HTTP/2 (ALPN or frames): out of scope for this race. */
  | 'http2-only'
  | 'protocol-error'
  | 'response-timeout'
  | 'aborted';

export class ProbeError extends Error {
  readonly code: ProbeErrorCode;
  constructor(code: ProbeErrorCode, message: string) {
    super(message);
    this.name = code === 'aborted' ? 'AbortError' : 'ProbeError';
    this.code = code;
  }
}

const DEFAULT_RESPONSE_TIMEOUT_MS = 30_000;
const ANNOUNCED_CLOSE_WAIT_MS = 5_000;

function nowNs(): bigint {
  return process.hrtime.bigint();
}

function msBetween(fromNs: bigint, toNs: bigint): number {
  return Number(toNs - fromNs) / 1e6;
}

/** Builds the request bytes; throws on header names/values that would split the request. */
export function buildRequest(target: ProbeTarget): string {
  const method = target.method ?? 'GET';
  const path = target.path && target.path.length > 0 ? target.path : '/';
  if (/[\s]/.test(path)) throw new ProbeError('protocol-error', 'request path must not contain whitespace');
  const defaultPort = target.tls ? 443 : 80;
  const hostName = target.host.includes(':') ? `[${target.host}]` : target.host;
  const headers = new Map<string, [string, string]>();
  headers.set('host', ['Host', target.port === defaultPort ? hostName : `${hostName}:${target.port}`]);
  headers.set('user-agent', ['User-Agent', 'keepalive-parity-probe']);
  headers.set('accept', ['Accept', '*/*']);
  // Explicit in HTTP/1.1 too: like browsers and Node's keep-alive agent. Apache only advertises
  // its `Keep-Alive: timeout=` when the client asks this way.
  headers.set('connection', ['Connection', 'keep-alive']);
  for (const [name, value] of Object.entries(target.headers ?? {})) {
    if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name) || /[\r\n\0]/.test(value)) {
      throw new ProbeError('protocol-error', `invalid request header ${JSON.stringify(name)}`);
    }
    headers.set(name.toLowerCase(), [name, value]);
  }
  let text = `${method} ${path} HTTP/1.1\r\n`;
  for (const [name, value] of headers.values()) text += `${name}: ${value}\r\n`;
  return `${text}\r\n`;
}

export interface ResponseResult {
  readonly complete: boolean;
  readonly head: ResponseHead | null;
  readonly framing: IdleCloseSample['bodyFraming'];
  readonly bodyBytes: number;
  readonly requestWrittenAtNs: bigint;
  /** Instant the last byte arrived (complete responses). */
  readonly lastByteAtNs: bigint | null;
  /** True when the response announced or implied the close (Connection: close, HTTP/1.0, until-close). */
  readonly serverWillClose: boolean;
}

interface CloseEvent {
  readonly kind: 'fin' | 'rst';
  readonly atNs: bigint;
}

/**
 * One probe connection. It sends requests one at a time and records when and how the server
 * closed. Callers must `destroy()` it (it is also destroyed on close).
 */
export class ProbeConnection {
  closeEvent: CloseEvent | null = null;
  localPort: number | null = null;
  connectMs = 0;
  /** Bytes the server sent when no response was expected. */
  unexpectedBytes = 0;
  private parser: ResponseParser | null = null;
  private requestWrittenAtNs = 0n;
  private responseWaiter: {
    resolve: (result: ResponseResult) => void;
    reject: (error: Error) => void;
  } | null = null;
  private closeWaiters: Array<() => void> = [];
  private destroyedByProbe = false;

  private constructor(
    private readonly socket: net.Socket,
    private readonly target: ProbeTarget,
  ) {
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('end', () => this.onClosed('fin'));
    // ECONNRESET is the RST; EPIPE and other errors after connect also mean the peer is gone.
    socket.on('error', (error: NodeJS.ErrnoException) => this.onClosed('rst', error));
    socket.on('close', () => this.onClosed('fin'));
  }

  static open(target: ProbeTarget, signal?: AbortSignal): Promise<ProbeConnection> {
    const timeoutMs = target.responseTimeoutMs ?? DEFAULT_RESPONSE_TIMEOUT_MS;
    return new Promise((resolve, reject) => {
      if (signal?.aborted) {
        reject(new ProbeError('aborted', 'probe aborted'));
        return;
      }
      const startNs = nowNs();
      let socket: net.Socket;
      const servername = target.tls?.servername ?? (net.isIP(target.host) ? undefined : target.host);
      if (target.tls) {
        // tls.connect passes allowHalfOpen to the TLSSocket; the typings do not list it.
        const tlsOptions: tls.ConnectionOptions & { allowHalfOpen: boolean } = {
          host: target.host,
          port: target.port,
          ...(servername ? { servername } : {}),
          rejectUnauthorized: !target.tls.insecure,
          ALPNProtocols: ['http/1.1'],
          allowHalfOpen: true,
        };
        socket = tls.connect(tlsOptions);
      } else {
        socket = net.connect({ host: target.host, port: target.port, allowHalfOpen: true });
      }
      socket.setNoDelay(true);
      let settled = false;
      const finish = (error: Error | null) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        socket.off('error', onError);
        if (error) {
          socket.on('error', () => {}); // late errors of a socket we gave up on
          socket.destroy();
          reject(error);
          return;
        }
        const connection = new ProbeConnection(socket, target);
        connection.connectMs = msBetween(startNs, nowNs());
        connection.localPort = socket.localPort ?? null;
        resolve(connection);
      };
      const onError = (error: NodeJS.ErrnoException) => {
        const alpnRefused = /no.application.protocol|NO_APPLICATION_PROTOCOL/i.test(
          `${error.code ?? ''} ${error.message}`,
        );
        if (alpnRefused) {
          finish(new ProbeError('http2-only', 'the server refused HTTP/1.1 in ALPN (HTTP/2 only)'));
        } else {
          finish(
            new ProbeError(
              target.tls && error.code !== 'ECONNREFUSED' ? 'tls-failed' : 'connect-failed',
              `cannot connect to ${target.host}:${target.port}: ${error.code ?? error.message}`,
            ),
          );
        }
      };
      const onAbort = () => finish(new ProbeError('aborted', 'probe aborted'));
      const timer = setTimeout(
        () => finish(new ProbeError('connect-failed', `connect to ${target.host}:${target.port} timed out`)),
        timeoutMs,
      );
      signal?.addEventListener('abort', onAbort, { once: true });
      socket.on('error', onError);
      socket.once(target.tls ? 'secureConnect' : 'connect', () => {
        if (target.tls) {
          const alpn = (socket as tls.TLSSocket).alpnProtocol;
          if (alpn && alpn !== 'http/1.1') {
            finish(new ProbeError('http2-only', `the server chose ALPN ${alpn}, not http/1.1`));
            return;
          }
        }
        finish(null);
      });
    });
  }

  /** The close seen so far (a method, so TypeScript does not narrow it across awaits). */
  closeSeen(): CloseEvent | null {
    return this.closeEvent;
  }

  /** Sends one request and resolves when its response is complete or the server closed. */
  request(timeoutMs?: number, signal?: AbortSignal): Promise<ResponseResult> {
    if (this.responseWaiter) throw new Error('a request is already in flight');
    const method = this.target.method ?? 'GET';
    const bytes = buildRequest(this.target);
    return new Promise((resolve, reject) => {
      const limitMs = timeoutMs ?? this.target.responseTimeoutMs ?? DEFAULT_RESPONSE_TIMEOUT_MS;
      // Awake while the response arrives, so its last byte is timestamped without wake-up latency.
      const warmTimer = setInterval(() => {}, 1);
      const cleanup = () => {
        clearTimeout(timer);
        clearInterval(warmTimer);
        signal?.removeEventListener('abort', onAbort);
        this.responseWaiter = null;
      };
      const onAbort = () => {
        cleanup();
        this.destroy();
        reject(new ProbeError('aborted', 'probe aborted'));
      };
      const timer = setTimeout(() => {
        cleanup();
        this.destroy();
        reject(new ProbeError('response-timeout', `no complete response within ${limitMs} ms`));
      }, limitMs);
      signal?.addEventListener('abort', onAbort, { once: true });
      this.responseWaiter = {
        resolve: (result) => {
          cleanup();
          resolve(result);
        },
        reject: (error) => {
          cleanup();
          reject(error);
        },
      };
      this.parser = new ResponseParser(method);
      this.requestWrittenAtNs = nowNs();
      if (this.closeEvent) {
        this.settleIncomplete();
        return;
      }
      this.socket.write(bytes);
    });
  }

  /**
   * Resolves when the server closes, or with null after `maxWaitMs` (or on abort: rejects).
   * From `keepWarmFromMs` on, a 1 ms timer keeps the event loop (and the CPU) awake so the close
   * is timestamped without the OS's idle wake-up latency (measured: 0.3-16 ms cold on a VM,
   * about 0.3 ms warm; the timer costs about 5 % of one core while it runs).
   */
  waitForClose(maxWaitMs: number, signal?: AbortSignal, keepWarmFromMs = 0): Promise<CloseEvent | null> {
    if (this.closeEvent) return Promise.resolve(this.closeEvent);
    return new Promise((resolve, reject) => {
      let warmTimer: NodeJS.Timeout | undefined;
      const startWarm = () => {
        warmTimer = setInterval(() => {}, 1);
      };
      const warmStart =
        Number.isFinite(keepWarmFromMs) && keepWarmFromMs < maxWaitMs
          ? setTimeout(startWarm, Math.max(0, keepWarmFromMs))
          : undefined;
      const onClose = () => {
        cleanup();
        resolve(this.closeEvent);
      };
      const onAbort = () => {
        cleanup();
        reject(new ProbeError('aborted', 'probe aborted'));
      };
      const cleanup = () => {
        clearTimeout(timer);
        clearTimeout(warmStart);
        clearInterval(warmTimer);
        signal?.removeEventListener('abort', onAbort);
        this.closeWaiters = this.closeWaiters.filter((waiter) => waiter !== onClose);
      };
      const timer = setTimeout(() => {
        cleanup();
        resolve(null);
      }, maxWaitMs);
      signal?.addEventListener('abort', onAbort, { once: true });
      if (signal?.aborted) {
        onAbort();
        return;
      }
      this.closeWaiters.push(onClose);
    });
  }

  destroy(): void {
    this.destroyedByProbe = true;
    this.socket.destroy();
  }

  private onData(chunk: Buffer): void {
    const atNs = nowNs();
    const parser = this.parser;
    if (!parser) {
      this.unexpectedBytes += chunk.length;
      return;
    }
    try {
      parser.push(chunk);
    } catch (error) {
      this.parser = null;
      const parseError = error as ResponseParseError;
      this.responseWaiter?.reject(
        new ProbeError(parseError.looksLikeHttp2 ? 'http2-only' : 'protocol-error', parseError.message),
      );
      this.destroy();
      return;
    }
    if (!parser.done) return;
    this.parser = null;
    this.unexpectedBytes += parser.leftoverBytes;
    this.responseWaiter?.resolve(this.resultOf(parser, atNs));
  }

  private resultOf(parser: ResponseParser, lastByteAtNs: bigint | null): ResponseResult {
    const head = parser.head;
    return {
      complete: lastByteAtNs !== null,
      head,
      framing: parser.framing,
      bodyBytes: parser.bodyBytes,
      requestWrittenAtNs: this.requestWrittenAtNs,
      lastByteAtNs,
      serverWillClose: head !== null && (parser.framing === 'until-close' || responseClosesConnection(head)),
    };
  }

  private settleIncomplete(): void {
    const parser = this.parser;
    if (!parser || !this.closeEvent) return;
    this.parser = null;
    if (parser.readingUntilClose) {
      parser.finishAtClose();
      this.responseWaiter?.resolve(this.resultOf(parser, this.closeEvent.atNs));
    } else {
      this.responseWaiter?.resolve(this.resultOf(parser, null));
    }
  }

  private onClosed(kind: 'fin' | 'rst', _error?: Error): void {
    if (this.closeEvent || this.destroyedByProbe) return;
    this.closeEvent = { kind, atNs: nowNs() };
    this.settleIncomplete();
    // We saw the server's FIN: close our side too.
    this.socket.destroy();
    this.destroyedByProbe = true;
    for (const waiter of [...this.closeWaiters]) waiter();
  }
}

function baseSample(startedAt: string, connection: ProbeConnection | null): IdleCloseSample {
  return {
    idleCloseMs: null,
    closeKind: 'timeout',
    transportClose: null,
    status: null,
    httpVersion: null,
    keepAliveHeader: null,
    connectionHeader: null,
    advertisedTimeoutSeconds: null,
    advertisedMaxRequests: null,
    connectMs: connection?.connectMs ?? 0,
    responseMs: null,
    closedAfterRequestMs: null,
    bodyBytes: 0,
    bodyFraming: null,
    localPort: connection?.localPort ?? null,
    unsolicitedBytes: 0,
    startedAt,
  };
}

/** Copies status and advertised headers of a response into a sample. */
export function describeResponse(sample: IdleCloseSample, response: ResponseResult): void {
  const head = response.head;
  sample.bodyBytes = response.bodyBytes;
  sample.bodyFraming = response.framing;
  if (!head) return;
  sample.status = head.status;
  sample.httpVersion = head.httpVersion;
  sample.keepAliveHeader = head.headers['keep-alive'] ?? null;
  sample.connectionHeader = head.headers.connection ?? null;
  const advertised = parseKeepAliveHeader(sample.keepAliveHeader);
  sample.advertisedTimeoutSeconds = advertised.timeoutSeconds;
  sample.advertisedMaxRequests = advertised.maxRequests;
}

/**
 * Measures one sample on a fresh connection: connect, one request, read the full response, then
 * wait idle until the server closes (or `maxWaitMs` passes). Rejects with `ProbeError` when no
 * HTTP/1.1 exchange is possible (connect/TLS failure, HTTP/2 only, garbage, abort).
 */
export async function measureIdleClose(options: MeasureIdleCloseOptions): Promise<IdleCloseSample> {
  const startedAt = new Date().toISOString();
  const responseTimeoutMs =
    options.responseTimeoutMs ?? Math.min(options.maxWaitMs, DEFAULT_RESPONSE_TIMEOUT_MS);
  const target: ProbeTarget = { ...options, responseTimeoutMs };
  const connection = await ProbeConnection.open(target, options.signal);
  try {
    const sample = baseSample(startedAt, connection);
    const response = await connection.request(responseTimeoutMs, options.signal);
    describeResponse(sample, response);
    if (!response.complete || response.lastByteAtNs === null) {
      const close = connection.closeEvent;
      sample.closeKind = 'closed-before-response';
      sample.transportClose = close?.kind ?? null;
      sample.closedAfterRequestMs = close ? msBetween(response.requestWrittenAtNs, close.atNs) : null;
      return sample;
    }
    sample.responseMs = msBetween(response.requestWrittenAtNs, response.lastByteAtNs);
    const keepWarmFromMs =
      options.keepWarmFromMs ??
      (sample.advertisedTimeoutSeconds !== null
        ? Math.max(0, sample.advertisedTimeoutSeconds * 1000 - 1000)
        : 0);
    // A response that announced the close is followed by it at once; do not wait minutes for it.
    const waitMs = response.serverWillClose
      ? Math.min(options.maxWaitMs, ANNOUNCED_CLOSE_WAIT_MS)
      : options.maxWaitMs;
    const close = await connection.waitForClose(waitMs, options.signal, keepWarmFromMs);
    sample.transportClose = close?.kind ?? null;
    sample.unsolicitedBytes = connection.unexpectedBytes;
    if (close) sample.idleCloseMs = Math.max(0, msBetween(response.lastByteAtNs, close.atNs));
    if (response.serverWillClose) sample.closeKind = 'no-keepalive';
    else sample.closeKind = close ? close.kind : 'timeout';
    return sample;
  } finally {
    connection.destroy();
  }
}

export interface MeasureRequestsPerConnectionOptions extends ProbeTarget {
  /** Stop after this many requests even if the server keeps serving (default 1000). */
  readonly limit: number;
  readonly signal?: AbortSignal;
}

export interface RequestsPerConnectionResult {
  /** Complete responses received on the one connection. */
  requestsServed: number;
  /** Why it ended: the server said `Connection: close`, closed (FIN/RST), or the limit was reached. */
  endedBy: 'connection-close-header' | 'fin' | 'rst' | 'limit-reached';
  limit: number;
  /** `max=` the server advertised on the first response. */
  advertisedMaxRequests: number | null;
}

/**
 * Sends requests back to back on one connection (each after the previous response is complete)
 * and counts how many the server serves before it closes the connection. Bounded by `limit`.
 */
export async function measureRequestsPerConnection(
  options: MeasureRequestsPerConnectionOptions,
): Promise<RequestsPerConnectionResult> {
  const limit = Math.max(1, Math.floor(options.limit));
  const connection = await ProbeConnection.open(options, options.signal);
  let requestsServed = 0;
  let advertisedMaxRequests: number | null = null;
  try {
    for (let index = 0; index < limit; index++) {
      const closedEarlier = connection.closeSeen();
      if (closedEarlier) return { requestsServed, endedBy: closedEarlier.kind, limit, advertisedMaxRequests };
      const response = await connection.request(undefined, options.signal);
      if (!response.complete) {
        return {
          requestsServed,
          endedBy: connection.closeSeen()?.kind ?? 'fin',
          limit,
          advertisedMaxRequests,
        };
      }
      requestsServed++;
      if (index === 0 && response.head) {
        advertisedMaxRequests = parseKeepAliveHeader(response.head.headers['keep-alive']).maxRequests;
      }
      if (response.serverWillClose) {
        return { requestsServed, endedBy: 'connection-close-header', limit, advertisedMaxRequests };
      }
    }
    return { requestsServed, endedBy: 'limit-reached', limit, advertisedMaxRequests };
  } finally {
    connection.destroy();
  }
}

export interface MeasureReuseOptions extends ProbeTarget {
  /** Idle gap between the end of the first response and writing the second request. */
  readonly gapMs: number;
  readonly signal?: AbortSignal;
}

export type ReuseOutcome =
  /** The second request was answered on the reused connection. */
  | 'served'
  /** The server had already closed before the gap ended; a careful client would not reuse. */
  | 'closed-before-reuse'
  /** The second request was written and the server answered with a reset: the race. */
  | 'reset'
  /** The second request was written and the server closed (FIN) without answering: the race. */
  | 'lost'
  /** The first request was not answered on a keep-alive connection, so nothing could be reused. */
  | 'not-reusable';

export interface ReuseResult {
  outcome: ReuseOutcome;
  /** The gap asked for. */
  gapMs: number;
  /** The gap actually achieved: last byte of response 1 to the write of request 2 (null if not sent). */
  actualGapMs: number | null;
  /** When the server closed, measured from the last byte of response 1 (null if it did not). */
  closeAfterMs: number | null;
  /** Status of the second response when served. */
  status: number | null;
}

const SPIN_WINDOW_MS = 10;

/** Waits until `targetNs` on the monotonic clock: a timer for most of it, then a short spin. */
async function waitUntil(targetNs: bigint, signal?: AbortSignal): Promise<void> {
  const remainingMs = Number(targetNs - nowNs()) / 1e6;
  if (remainingMs > SPIN_WINDOW_MS) {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      }, remainingMs - SPIN_WINDOW_MS);
      const onAbort = () => {
        clearTimeout(timer);
        reject(new ProbeError('aborted', 'probe aborted'));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }
  // Bounded spin (at most SPIN_WINDOW_MS plus timer lateness).
  while (nowNs() < targetNs) {
    /* spin */
  }
}

/**
 * The race seen from the client: one request, an idle gap of `gapMs`, then a second request on the
 * same connection. Reports whether it was served, reset or silently lost.
 */
export async function measureReuse(options: MeasureReuseOptions): Promise<ReuseResult> {
  const connection = await ProbeConnection.open(options, options.signal);
  const result: ReuseResult = {
    outcome: 'not-reusable',
    gapMs: options.gapMs,
    actualGapMs: null,
    closeAfterMs: null,
    status: null,
  };
  try {
    const first = await connection.request(undefined, options.signal);
    if (!first.complete || first.lastByteAtNs === null || first.serverWillClose) return result;
    const lastByteAtNs = first.lastByteAtNs;
    await waitUntil(lastByteAtNs + BigInt(Math.round(options.gapMs * 1e6)), options.signal);
    const closedDuringGap = connection.closeSeen();
    if (closedDuringGap) {
      result.outcome = 'closed-before-reuse';
      result.closeAfterMs = msBetween(lastByteAtNs, closedDuringGap.atNs);
      return result;
    }
    const second = await connection.request(undefined, options.signal);
    result.actualGapMs = msBetween(lastByteAtNs, second.requestWrittenAtNs);
    const closedAfterSend = connection.closeSeen();
    if (closedAfterSend) result.closeAfterMs = msBetween(lastByteAtNs, closedAfterSend.atNs);
    if (second.complete) {
      result.outcome = 'served';
      result.status = second.head?.status ?? null;
    } else {
      result.outcome = closedAfterSend?.kind === 'rst' ? 'reset' : 'lost';
    }
    return result;
  } finally {
    connection.destroy();
  }
}

export interface ReuseSweepStep extends ReuseResult {
  step: number;
}

export interface ReuseSweepResult {
  fromMs: number;
  toMs: number;
  steps: ReuseSweepStep[];
  /** Longest gap that was served and shortest gap that was not: the close lies between them. */
  lastServedGapMs: number | null;
  firstRefusedGapMs: number | null;
}

/**
 * Locates the close time by bisection over idle gaps in [fromMs, toMs], one fresh connection per
 * step, at most `maxSteps` steps (each costs about one gap of waiting).
 */
export async function sweepReuse(
  options: ProbeTarget & {
    fromMs: number;
    toMs: number;
    maxSteps: number;
    resolutionMs?: number;
    signal?: AbortSignal;
  },
  onStep?: (step: ReuseSweepStep) => void,
): Promise<ReuseSweepResult> {
  const resolutionMs = options.resolutionMs ?? 1;
  let low = options.fromMs;
  let high = options.toMs;
  const result: ReuseSweepResult = {
    fromMs: options.fromMs,
    toMs: options.toMs,
    steps: [],
    lastServedGapMs: null,
    firstRefusedGapMs: null,
  };
  // Probe the end points first, then bisect between the last served and first refused gap.
  const queue: number[] = [high, low];
  for (let step = 1; step <= options.maxSteps; step++) {
    const gapMs = queue.shift() ?? (low + high) / 2;
    const outcome = await measureReuse({ ...options, gapMs });
    const record: ReuseSweepStep = { step, ...outcome };
    result.steps.push(record);
    onStep?.(record);
    if (outcome.outcome === 'not-reusable') break;
    if (outcome.outcome === 'served') {
      result.lastServedGapMs = Math.max(result.lastServedGapMs ?? gapMs, gapMs);
      low = gapMs;
      if (gapMs >= options.toMs) break; // served at the top of the range: the close is later
    } else {
      result.firstRefusedGapMs = Math.min(result.firstRefusedGapMs ?? gapMs, gapMs);
      high = gapMs;
      if (gapMs <= options.fromMs) break; // refused at the bottom: the close is earlier
    }
    if (queue.length === 0 && high - low <= resolutionMs) break;
  }
  return result;
}
