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
  | 'unknown';

/** Who generated the response status: the LB/proxy itself, or the target behind it. */
export type Generator = 'lb' | 'target' | 'unknown';

/** One log line, normalised. Times are epoch milliseconds; durations are integer ms. */
export interface LogRecord {
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
  readonly requestMs?: number | null | undefined;
  readonly targetProcessingMs?: number | null | undefined;
  readonly upstreamConnectMs?: number | null | undefined;
  readonly retries?: number | undefined;
  readonly protocol?: string | undefined;
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
}
