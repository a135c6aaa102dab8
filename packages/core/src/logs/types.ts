/** Shared vocabulary for why a 5xx happened, mapped from each format's own cause codes. */
export type CauseCode =
  | 'upstream-closed-reused-connection'
  | 'connect-refused'
  | 'connect-timeout'
  | 'response-timeout'
  | 'no-healthy-upstream'
  | 'tls'
  | 'malformed-response'
  | 'client-aborted'
  /** The upstream closed or reset the connection after the response header was sent (crash mid-body). */
  | 'upstream-closed-mid-response'
  /** The upstream's response header did not fit the proxy's buffer (nginx `upstream sent too big header`). */
  | 'response-header-too-big'
  | 'unknown';

export const CAUSE_CODES: readonly CauseCode[] = [
  'upstream-closed-reused-connection',
  'connect-refused',
  'connect-timeout',
  'response-timeout',
  'no-healthy-upstream',
  'tls',
  'malformed-response',
  'client-aborted',
  'upstream-closed-mid-response',
  'response-header-too-big',
  'unknown',
];

/**
 * Where in the exchange with the upstream a failure happened. The keep-alive race can only produce
 * `send-request` or `read-header` failures (before any response byte); `read-body` failures (nginx
 * `while reading upstream`, `readv()`, a truncated response) are never the race.
 */
export type FailurePhase = 'connect' | 'send-request' | 'read-header' | 'read-body';

/** Who generated the response status: the LB/proxy itself, or the target behind it. */
export type Generator = 'lb' | 'target' | 'unknown';

/**
 * What a line describes: a request (access log), or an upstream error event (nginx error.log,
 * Caddy's error logger) that is not itself a request but explains one.
 */
export type RecordKind = 'request' | 'upstream-error';

/** One log line, normalised. Times are epoch milliseconds; durations are integer ms. */
export interface LogRecord {
  readonly kind?: RecordKind | undefined;
  /** When the response was finished/logged (epoch ms). */
  readonly timeMs: number;
  readonly status: number | null;
  readonly targetStatus: number | null;
  readonly generator: Generator;
  readonly cause: CauseCode | null;
  /** The format's own code (`SH--`, `UC`, `Target.ResponseCodeMismatch`, errno 104). */
  readonly rawCause?: string | undefined;
  /** `address:port` of the target/upstream, when the format has it. */
  readonly target?: string | undefined;
  readonly method?: string | undefined;
  readonly path?: string | undefined;
  /** Total time the LB/proxy spent on the request (so the request started at `timeMs - requestMs`). */
  readonly requestMs?: number | null | undefined;
  readonly targetProcessingMs?: number | null | undefined;
  readonly upstreamConnectMs?: number | null | undefined;
  /** Attempts beyond the first (nginx `502, 200`, HAProxy retries, Traefik RetryAttempts). */
  readonly retries?: number | undefined;
  /** A retried attempt failed with an upstream network error before the final response. */
  readonly retriedUpstreamError?: boolean | undefined;
  /** Upstream protocol when known (`grpc`, `h2`, `http/1.1`). */
  readonly protocol?: string | undefined;
  /** The proxy's connection number (nginx `$connection` / `*CID`), to join access and error logs. */
  readonly connectionId?: string | undefined;
  /** The phase of an upstream failure, when the line says it (see FailurePhase). */
  readonly phase?: FailurePhase | undefined;
  /** The downstream client's address (`ip` or `ip:port`), to join error-log events to access-log lines. */
  readonly client?: string | undefined;
  /** The request line as logged (`GET /x HTTP/1.1`), to join error-log events to access-log lines. */
  readonly requestLine?: string | undefined;
  /** A request id the proxy logged (`x_request_id`, Envoy `%REQ(X-REQUEST-ID)%`, gorouter `vcap_request_id`). */
  readonly requestId?: string | undefined;
  /** The upstream connection was a reused (pooled) one, when the format says so (gorouter `conn-reused`). */
  readonly connReused?: boolean | undefined;
}

export type ParseResult =
  | { readonly ok: true; readonly record: LogRecord }
  | { readonly ok: false; readonly reason: string }
  | null;

/** A log format: a pure line parser (null = skip the line, e.g. a comment or an unrelated message). */
export interface LogFormat {
  readonly id: string;
  readonly summary: string;
  /** Scores how likely a sample of first lines is this format (0..1). */
  detect(sampleLines: readonly string[]): number;
  parseLine(line: string): ParseResult;
  /**
   * Optional, for speed: the same decision as `parseLine` (skip, fail with the same reason, or a
   * record) but a record holding only what `LogAnalyzer` reads (time, status, generator, cause,
   * phase, kind, target, request time, protocol, retried error and the join keys). The analyzer
   * uses it when present.
   */
  parseForAnalysis?(line: string): ParseResult;
  /**
   * The time of a line `parseLine` skipped (null = no time). Error-log formats have it so the join
   * knows how far back an error log reaches even when it holds no upstream error at all.
   */
  lineTimeMs?(line: string): number | null;
  /**
   * Lines that name no upstream still get an idle gap, measured across all requests of the input.
   * Only for formats with sub-second times and request durations whose access lines never name the
   * upstream (Caddy): exact with one upstream connection; with several, gaps look shorter than the
   * connections' real idle times (failures look busier, never more race-like).
   */
  readonly gapsWithoutTarget?: boolean;
  /** One file holds both requests and upstream-error events (Caddy's default log): join even when it is the only input. */
  readonly eventsInSameFile?: boolean;
}
