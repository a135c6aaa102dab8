import type { ProxyName } from './proxies.js';

export type LabMode = 'deterministic' | 'natural';
export const SCENARIO_NAMES = ['mismatch', 'fixed', 'retry-get', 'retry-post'] as const;
export type ScenarioName = (typeof SCENARIO_NAMES)[number];

export interface LabOptions {
  readonly proxy: ProxyName;
  /** Path of the proxy's executable; found on PATH when absent. */
  readonly proxyBin?: string;
  readonly mode: LabMode;
  /** The backend's configured idle keep-alive in the mismatch scenario. */
  readonly backendKeepAliveMs: number;
  /** The proxy's upstream pool idle timeout. */
  readonly proxyIdleMs: number;
  /**
   * Deterministic mode: how late the backend closes after its idle deadline on purpose (the
   * window the test request is sent into). Natural mode: the width of the sweep of gaps around the
   * measured close (from −0.4 × window to +0.6 × window).
   */
  readonly windowMs: number;
  /** Deterministic: test requests per scenario. Natural: test requests inside the window per scenario. */
  readonly attempts: number;
  /** Wall-time limit of the whole lab run. */
  readonly timeoutMs: number;
  readonly scenarios: readonly ScenarioName[];
  /** The fixed scenario's backend keep-alive = proxy idle + this margin. */
  readonly fixedMarginMs: number;
  /** Keep configurations, logs and captures in this directory instead of a removed temp dir. */
  readonly keepArtifactsDir?: string;
  /** Capture each scenario's backend traffic with tcpdump (needs keepArtifactsDir). */
  readonly capture: boolean;
  /**
   * The backend is a stock Node `http.Server` with `keepAliveTimeout` = backendKeepAliveMs (natural
   * mode only): shows that Node 20 closes idle connections 1 s later than configured.
   */
  readonly stockNodeBackend?: boolean;
  /** Stop a scenario at its first proxy 502 (benchmarks: time to the first 502). */
  readonly stopAtFirst502?: boolean;
  /**
   * The playbook's loop instead of calibrated timing: a fixed gap after each response, and a
   * backend that closes exactly at its deadline (benchmarks only).
   */
  readonly fixedGapMs?: number;
  readonly signal?: AbortSignal;
  /** Progress lines (stderr in the CLI). */
  readonly progress?: (line: string) => void;
}

export interface AttemptRecord {
  readonly rid: string;
  /** The gap between the previous response (on the pooled connection) and this request, in ms. */
  readonly gapMs: number;
  /**
   * Where the request was written relative to the backend's measured keep-alive (the calibration,
   * re-estimated from the deadlines the backend's log showed during the scenario), in ms.
   */
  readonly offsetFromMeasuredCloseMs: number;
  /** The request was written inside the window the lab aimed at (counts toward --attempts). */
  readonly insideWindow: boolean;
  readonly status: number | null;
  readonly clientError: string | null;
  /** Backend handler calls for this request id (joined from the backend's log). */
  readonly handlerCalls: number;
  /** The backend served it on the connection the proxy had pooled (reuse), or on a new one. */
  readonly servedOnPooledConnection: boolean | null;
  readonly retried: boolean | null;
  /** Milliseconds from the start of the lab run to the response. */
  readonly atMs: number;
}

export interface GapStatistics {
  readonly offsetFromMeasuredCloseMs: number;
  readonly attempts: number;
  readonly proxy502: number;
}

export interface ScenarioResult {
  readonly name: ScenarioName;
  readonly title: string;
  readonly method: 'GET' | 'POST';
  readonly backendKeepAliveMs: number;
  readonly proxyIdleMs: number;
  /** The proxy's configuration for this scenario, in one line. */
  readonly proxyConfig: string;
  readonly requests: number;
  readonly proxy502: number;
  /** Test requests that failed without a 502 (client-side error or another status). */
  readonly otherFailures: number;
  /** Backend handler calls for the requests that failed (from the backend's log). */
  readonly failedWithHandler: number;
  /** Requests the proxy retried; null when neither its logs nor the backend's log can tell. */
  readonly retried: number | null;
  readonly retriedSource: 'proxy-log' | 'backend-log' | null;
  /** Test requests the proxy sent on its pooled connection. */
  readonly reusedPooledConnection: number;
  /** The most handler calls any single test request got (1: each request ran once). */
  readonly maxHandlerCallsPerRequest: number;
  readonly expected: 'proxy-502' | 'no-proxy-502';
  readonly asExpected: boolean;
  /** The proxy's own words for the failure (first distinct message), or null. */
  readonly proxyLogSays: string | null;
  /** Log lines: proxy error/access lines for the failed or retried requests. */
  readonly evidence: readonly string[];
  /** Milliseconds from the start of the lab run (calibration included) to the first proxy 502. */
  readonly firstProxy502AfterMs: number | null;
  /** Natural mode: 502 rate per gap. */
  readonly gaps?: readonly GapStatistics[];
  readonly attempts: readonly AttemptRecord[];
  readonly notes: readonly string[];
  /** Why the scenario stopped before its planned attempts (time limit, interruption), if it did. */
  readonly stoppedEarly: string | null;
  readonly capture: string | null;
}

export interface LabResult {
  readonly proxy: { name: ProxyName; displayName: string; version: string | null; bin: string | null };
  readonly backend: {
    /** `lab`: the lab's backend with its own exact idle timer; `node-stock`: a stock Node server. */
    readonly kind: 'lab' | 'node-stock';
    readonly configuredKeepAliveMs: number;
    /**
     * The backend's effective idle keep-alive, measured before any scenario: from a response's end
     * to the instant its idle timer fired, on the backend's own log (median of three connections).
     * The lab's timing reference. Null if calibration did not complete.
     */
    readonly measuredKeepAliveMs: number | null;
    /**
     * The idle close as the probe engine measured it from outside (median of three samples); in
     * deterministic mode it includes the deliberate close lag.
     */
    readonly probeMeasuredCloseMs: number | null;
    readonly calibrationCloseKind: string | null;
    /** Deterministic mode: the backend stops reading at its deadline and closes this much later. */
    readonly closeLagMs: number;
  };
  readonly mode: LabMode;
  readonly windowMs: number;
  readonly proxyIdleMs: number;
  /**
   * The first gap of deterministic mode (measured keep-alive + window / 2; later attempts follow the
   * backend's re-estimated deadline), or the playbook's fixed gap.
   */
  readonly gapMs: number | null;
  readonly scenarios: readonly ScenarioResult[];
  readonly raceReproduced: boolean;
  readonly interrupted: boolean;
  readonly elapsedMs: number;
  readonly artifactsDir: string | null;
}
