/**
 * One lab run: calibrate the backend's real idle close with the probe engine, then run each
 * scenario with its own backend and proxy processes, and join the driver's responses with the
 * backend's and the proxy's logs. Every process is stopped by PID and the temp dir removed on
 * success, failure and interruption.
 */

import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { measureIdleClose } from '../probe/engine.js';
import { type BackendEvent, type LabBackend, startBackend } from './backend.js';
import { LabAbortedError, monotonicMs, sleep } from './clock.js';
import { sendRequest } from './driver.js';
import { LabSetupError } from './errors.js';
import { waitCaptureSettled, waitPortQuiet } from './net-util.js';
import { ProcessGroup } from './processes.js';
import { findExecutable, findOnPath, PROXIES, type ProxyAdapter } from './proxies.js';
import type {
  AttemptRecord,
  GapStatistics,
  LabOptions,
  LabResult,
  ScenarioName,
  ScenarioResult,
} from './types.js';

export { LabSetupError } from './errors.js';

/**
 * A request written this long before the backend closed the pooled connection reached the proxy
 * while that connection still looked alive; if it then ran on a new connection, the proxy retried.
 */
const RETRY_INFERENCE_MARGIN_MS = 3;

interface Calibration {
  /**
   * When the backend's idle timer really fires after a response (it stops reading; in natural mode
   * it closes right then), from its log; the probe's figure minus the close lag if the log has none.
   */
  readonly measuredCloseMs: number;
  /** The probe engine's measurement from outside (median of three). */
  readonly probeCloseMs: number;
  readonly closeKind: string;
}

interface ScenarioPlan {
  readonly name: ScenarioName;
  readonly method: 'GET' | 'POST';
  readonly retry: boolean;
  readonly backendKeepAliveMs: number;
  readonly proxyIdleMs: number;
  readonly expected: 'proxy-502' | 'no-proxy-502';
  readonly title: string;
  readonly notes: string[];
}

function formatDuration(ms: number): string {
  if (ms >= 1000 && ms % 1000 === 0) return `${ms / 1000} s`;
  if (ms >= 1000) return `${(ms / 1000).toFixed(1)} s`;
  return `${ms} ms`;
}

export function planScenarios(adapter: ProxyAdapter, options: LabOptions): ScenarioPlan[] {
  const raceMethod = adapter.masksGetRace ? 'POST' : 'GET';
  const backend = formatDuration(options.backendKeepAliveMs);
  const idle = formatDuration(options.proxyIdleMs);
  const fixedBackendMs = options.proxyIdleMs + options.fixedMarginMs;
  const plans: Record<ScenarioName, ScenarioPlan> = {
    mismatch: {
      name: 'mismatch',
      method: raceMethod,
      retry: false,
      backendKeepAliveMs: options.backendKeepAliveMs,
      proxyIdleMs: options.proxyIdleMs,
      expected: 'proxy-502',
      title: `mismatch: backend keep-alive ${backend} < proxy idle ${idle}, retries off`,
      notes: adapter.masksGetRace
        ? [
            `${adapter.displayName} replays a GET whose reused connection failed (Go's transport), which hides the race; the lab uses POST here.`,
          ]
        : [],
    },
    fixed: {
      name: 'fixed',
      method: raceMethod,
      retry: false,
      backendKeepAliveMs: fixedBackendMs,
      proxyIdleMs: options.proxyIdleMs,
      expected: 'no-proxy-502',
      title: `fixed: backend keep-alive ${formatDuration(fixedBackendMs)} >= proxy idle ${idle} + ${formatDuration(options.fixedMarginMs)}`,
      notes: [
        'Same request timing as the mismatch scenario; the backend no longer closes the pooled connection under the proxy.',
        ...(adapter.fixedNote ? [adapter.fixedNote] : []),
      ],
    },
    'retry-get': {
      name: 'retry-get',
      method: 'GET',
      retry: true,
      backendKeepAliveMs: options.backendKeepAliveMs,
      proxyIdleMs: options.proxyIdleMs,
      expected: 'no-proxy-502',
      title: adapter.retryIsRetry
        ? 'retry on connection failure, GET'
        : 'mitigation instead of a retry (none exists), GET',
      notes: [`${adapter.displayName}: ${adapter.retryVariant}.`],
    },
    'retry-post': {
      name: 'retry-post',
      method: 'POST',
      retry: true,
      backendKeepAliveMs: options.backendKeepAliveMs,
      proxyIdleMs: options.proxyIdleMs,
      // A non-idempotent request is not replayed: the retry does not cover it. Apache's
      // mitigation avoids reuse altogether, so POST is covered there.
      expected: adapter.retryIsRetry && !adapter.retryReplaysPost ? 'proxy-502' : 'no-proxy-502',
      title: !adapter.retryIsRetry
        ? 'mitigation instead of a retry (none exists), POST'
        : adapter.retryReplaysPost
          ? 'retry on connection failure, POST (replayed too)'
          : 'retry on connection failure, POST (non-idempotent: not retried)',
      notes: [`${adapter.displayName}: ${adapter.retryVariant}.`],
    },
  };
  return options.scenarios.map((name) => plans[name]);
}

/** Gaps for natural mode: 0.5 ms steps across the window, shuffled, one round. */
function naturalRound(windowMs: number): number[] {
  const from = -0.4 * windowMs;
  const to = 0.6 * windowMs;
  const offsets: number[] = [];
  for (let o = from; o <= to + 1e-9; o += 0.5) offsets.push(Math.round(o * 10) / 10);
  for (let i = offsets.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [offsets[i], offsets[j]] = [offsets[j]!, offsets[i]!];
  }
  return offsets;
}

function readText(file: string): string {
  try {
    return existsSync(file) ? readFileSync(file, 'utf8') : '';
  } catch {
    return '';
  }
}

export async function runLab(options: LabOptions): Promise<LabResult> {
  const adapter = PROXIES[options.proxy];
  const progress = options.progress ?? (() => {});
  const startedAt = monotonicMs();
  const deadline = startedAt + options.timeoutMs;
  const bin = adapter.name === 'node' ? process.execPath : (options.proxyBin ?? findExecutable(adapter));
  if (!bin)
    throw new LabSetupError(`${adapter.displayName} was not found on PATH (give its path with --proxy-bin)`);
  if (options.proxyBin && !existsSync(options.proxyBin))
    throw new LabSetupError(`--proxy-bin ${options.proxyBin}: no such file`);
  const version = await adapter.detectVersion(bin);
  if (adapter.name !== 'node' && version === null)
    throw new LabSetupError(`${bin} does not look like ${adapter.displayName} (no version from it)`);

  const keep = options.keepArtifactsDir ? resolve(options.keepArtifactsDir) : null;
  if (keep) mkdirSync(keep, { recursive: true });
  const root = keep ?? mkdtempSync(join(tmpdir(), 'keepalive-parity-lab-'));
  const group = new ProcessGroup((line) => progress(line), { guard: true, tempDir: keep ? undefined : root });
  progress(`working directory ${root}${keep ? ' (kept)' : ' (removed at the end)'}`);
  if (options.stockNodeBackend && options.mode !== 'natural')
    throw new LabSetupError('a stock Node backend has no late-close window: use it with natural mode');
  const closeLagMs =
    options.mode === 'deterministic' && options.fixedGapMs === undefined ? options.windowMs : 0;
  let calibration: Calibration | null = null;
  const scenarios: ScenarioResult[] = [];
  let interrupted = false;
  try {
    // 1. Calibration: the backend's real idle close, measured from outside with the probe engine.
    const calibrationDir = join(root, 'calibration');
    mkdirSync(calibrationDir, { recursive: true });
    const calibrationBackend = await startBackend(group, {
      keepAliveMs: options.backendKeepAliveMs,
      closeLagMs,
      stockNode: options.stockNodeBackend === true,
      dir: calibrationDir,
      name: 'backend',
      signal: options.signal,
    });
    progress(`calibrating: measuring the backend's idle close (configured ${options.backendKeepAliveMs} ms)`);
    // A first request warms the backend's code paths up; then three samples side by side (each
    // on its own connection, each timing its own idle close), and their median.
    await sendRequest({
      port: calibrationBackend.port,
      method: 'GET',
      path: '/warmup?rid=warmup',
      rid: 'warmup',
      timeoutMs: 5000,
      signal: options.signal,
    });
    const samples = await Promise.all(
      [1, 2, 3].map((n) =>
        measureIdleClose({
          host: '127.0.0.1',
          port: calibrationBackend.port,
          path: `/calibrate?rid=calibration-${n}`,
          headers: { 'X-Request-Id': `calibration-${n}` },
          maxWaitMs: options.backendKeepAliveMs + closeLagMs + 5000,
          signal: options.signal,
        }),
      ),
    );
    // The backend's own log times the same idle connections on the driver's clock: the instant
    // its idle timer fired (it stopped reading, and closed or began its late close). The probe,
    // measuring from another process, adds a few ms when its samples run side by side.
    const fromLog: number[] = [];
    for (let n = 1; n <= 3; n++) {
      const finish = calibrationBackend.log.events.find(
        (e) => e.ev === 'finish' && e.rid === `calibration-${n}`,
      );
      if (!finish) continue;
      const fired = await calibrationBackend.log.waitFor(
        (e) => e.ev === 'ka_timeout' && e.conn === finish.conn,
        1000,
        options.signal,
      );
      if (fired) fromLog.push(fired.t - finish.t);
    }
    fromLog.sort((a, b) => a - b);
    await group.stop(calibrationBackend.process);
    const closes = samples
      .map((s) => s.idleCloseMs)
      .filter((ms): ms is number => ms !== null)
      .sort((a, b) => a - b);
    const sample = samples[0]!;
    if (closes.length === 0) {
      throw new LabSetupError(
        `calibration failed: the backend did not close its idle connection as expected (${sample.closeKind})`,
      );
    }
    const probeCloseMs = closes[Math.floor(closes.length / 2)]!;
    const measuredCloseMs =
      fromLog.length > 0 ? fromLog[Math.floor(fromLog.length / 2)]! : probeCloseMs - closeLagMs;
    calibration = { measuredCloseMs, probeCloseMs, closeKind: sample.closeKind };
    progress(
      `calibrated: the backend's idle timer fires after ${measuredCloseMs.toFixed(1)} ms (its log); the probe saw the close after ${closes.map((c) => c.toFixed(1)).join(', ')} ms (${sample.closeKind})`,
    );

    // 2. Scenarios. Deterministic runs are independent and timing-tolerant: run them side by side.
    const plans = planScenarios(adapter, options);
    const runOne = (plan: ScenarioPlan) =>
      runScenario(plan, {
        adapter,
        bin,
        options,
        group,
        root,
        calibration: calibration!,
        closeLagMs,
        deadline,
        labStartedAt: startedAt,
        progress,
      });
    if (options.mode === 'deterministic' && options.fixedGapMs === undefined) {
      const settled = await Promise.allSettled(plans.map(runOne));
      let failure: unknown = null;
      for (const outcome of settled) {
        if (outcome.status === 'fulfilled') scenarios.push(outcome.value);
        else failure ??= outcome.reason;
      }
      if (failure) throw failure;
    } else {
      for (const plan of plans) {
        if (options.signal?.aborted) break;
        scenarios.push(await runOne(plan));
      }
    }
    if (options.signal?.aborted) interrupted = true;
  } catch (error) {
    if (error instanceof LabAbortedError || options.signal?.aborted) interrupted = true;
    else throw error;
  } finally {
    await group.stopAll();
    if (!keep) rmSync(root, { recursive: true, force: true });
    group.release();
  }
  return {
    proxy: {
      name: adapter.name,
      displayName: adapter.displayName,
      version,
      bin: adapter.name === 'node' ? null : bin,
    },
    backend: {
      kind: options.stockNodeBackend ? 'node-stock' : 'lab',
      configuredKeepAliveMs: options.backendKeepAliveMs,
      measuredKeepAliveMs: calibration ? Math.round(calibration.measuredCloseMs * 10) / 10 : null,
      probeMeasuredCloseMs: calibration ? Math.round(calibration.probeCloseMs * 10) / 10 : null,
      calibrationCloseKind: calibration?.closeKind ?? null,
      closeLagMs,
    },
    mode: options.mode,
    windowMs: options.windowMs,
    proxyIdleMs: options.proxyIdleMs,
    gapMs:
      options.fixedGapMs ??
      (calibration && options.mode === 'deterministic'
        ? Math.round((calibration.measuredCloseMs + closeLagMs / 2) * 10) / 10
        : null),
    scenarios,
    raceReproduced: scenarios.some((s) => s.proxy502 > 0),
    interrupted,
    elapsedMs: Math.round(monotonicMs() - startedAt),
    artifactsDir: keep,
  };
}

interface ScenarioContext {
  readonly adapter: ProxyAdapter;
  readonly bin: string;
  readonly options: LabOptions;
  readonly group: ProcessGroup;
  readonly root: string;
  readonly calibration: Calibration;
  readonly closeLagMs: number;
  readonly deadline: number;
  readonly labStartedAt: number;
  readonly progress: (line: string) => void;
}

interface RawAttempt {
  rid: string;
  gapMs: number;
  offsetMs: number;
  insideWindow: boolean;
  /** Monotonic instant the previous response on the pooled connection finished. */
  referenceMs: number;
  status: number | null;
  clientError: string | null;
  writtenAtMs: number;
  atMs: number;
  pooledConn: number | null;
}

async function runScenario(plan: ScenarioPlan, context: ScenarioContext): Promise<ScenarioResult> {
  const { adapter, options, group, calibration, closeLagMs, progress } = context;
  const dir = join(context.root, plan.name);
  mkdirSync(dir, { recursive: true });
  const backend = await startBackend(group, {
    keepAliveMs: plan.backendKeepAliveMs,
    closeLagMs,
    stockNode: options.stockNodeBackend === true,
    dir,
    name: `backend-${plan.name}`,
    signal: options.signal,
  });
  const proxy = await adapter.start({
    group,
    bin: context.bin,
    dir,
    upstreamPort: backend.port,
    idleMs: plan.proxyIdleMs,
    retry: plan.retry,
    name: `${adapter.name}-${plan.name}`,
    signal: options.signal,
  });
  let capture: string | null = null;
  let tcpdump: ReturnType<ProcessGroup['spawn']> | null = null;
  if (options.capture) {
    capture = join(dir, `${plan.name}.pcap`);
    // The start-up check's connection to the backend must be closed before the capture begins.
    await waitPortQuiet(backend.port, 2000, options.signal);
    tcpdump = group.spawn(
      'tcpdump',
      findOnPath('tcpdump') ?? 'tcpdump',
      [
        '-i',
        'lo',
        '-U',
        '--immediate-mode',
        '-B',
        '16384',
        '-n',
        '-w',
        capture,
        'tcp',
        'port',
        String(backend.port),
      ],
      { stderrFile: join(dir, 'tcpdump.stderr.log') },
    );
    for (let i = 0; i < 40 && !readText(join(dir, 'tcpdump.stderr.log')).includes('listening'); i++) {
      if (tcpdump.hasExited()) break;
      await sleep(50, options.signal);
    }
  }
  progress(
    `${plan.name}: ${adapter.displayName} on 127.0.0.1:${proxy.port} → backend on 127.0.0.1:${backend.port}`,
  );

  const raw: RawAttempt[] = [];
  // Where the backend's idle timer fires, re-estimated as the scenario goes: the calibration plus
  // the last few deadlines the backend's log showed for the pooled connections (a busy host makes
  // timers late, and lateness drifts with load).
  const observedDeadlines: number[] = [];
  const currentDeadline = (): number => {
    const recent = [calibration.measuredCloseMs, ...observedDeadlines.slice(-5)].sort((a, b) => a - b);
    return recent[Math.floor(recent.length / 2)]!;
  };
  const natural = options.mode === 'natural' && options.fixedGapMs === undefined;
  // Attempts count toward --attempts only when the request was really written inside the window
  // (a descheduled driver on a busy host can write late); the others are reported and replaced,
  // up to a bounded number.
  const fixedGap = options.fixedGapMs !== undefined;
  const windowFrom = natural ? -0.4 * options.windowMs - 0.25 : 1;
  const windowTo = natural ? 0.6 * options.windowMs + 0.25 : Math.max(1, closeLagMs - 2);
  const maxAttempts = fixedGap ? options.attempts : natural ? options.attempts * 4 : options.attempts * 2;
  let queue: number[] = [];
  let inWindow = 0;
  let stoppedEarly: string | null = null;
  try {
    for (let i = 0; i < maxAttempts; i++) {
      if (!fixedGap && inWindow >= options.attempts) break;
      if (options.signal?.aborted) throw new LabAbortedError(options.signal.reason);
      let gapMs: number;
      if (options.fixedGapMs !== undefined) gapMs = options.fixedGapMs;
      else if (natural) {
        if (queue.length === 0) queue = naturalRound(options.windowMs);
        gapMs = currentDeadline() + queue.shift()!;
      } else gapMs = currentDeadline() + closeLagMs / 2;
      const centerMs = currentDeadline();
      if (monotonicMs() + gapMs + 3000 > context.deadline) {
        stoppedEarly = `time limit (--timeout ${options.timeoutMs} ms) reached after ${i} attempts`;
        break;
      }
      const attempt = await runAttempt(i, gapMs, plan, proxy.port, backend, options.signal);
      // A request cut short by the interruption is not a result.
      if (options.signal?.aborted) throw new LabAbortedError(options.signal.reason);
      attempt.atMs = Math.round(monotonicMs() - context.labStartedAt);
      attempt.offsetMs = attempt.gapMs - centerMs;
      raw.push(attempt);
      attempt.insideWindow = !fixedGap && attempt.offsetMs >= windowFrom && attempt.offsetMs <= windowTo;
      if (!fixedGap && plan.name !== 'fixed' && attempt.pooledConn !== null) {
        const conn = attempt.pooledConn;
        const fired = await backend.log.waitFor(
          (e) => e.ev === 'ka_timeout' && e.conn === conn,
          100,
          options.signal,
        );
        if (fired) observedDeadlines.push(fired.t - attempt.referenceMs);
      }
      if (!natural && !fixedGap && plan.name !== 'fixed' && attempt.pooledConn !== null) {
        // Deterministic: the backend's log says exactly whether the request was written while the
        // pooled connection was in its late-close window (its idle timer, which can itself fire
        // late on a busy host, had fired and the close had not happened yet).
        const conn = attempt.pooledConn;
        const fired = backend.log.events.find((e) => e.ev === 'ka_timeout' && e.conn === conn) ?? null;
        const closed = fired
          ? await backend.log.waitFor(
              (e) => e.ev === 'close' && e.conn === conn,
              closeLagMs + 500,
              options.signal,
            )
          : null;
        if (fired && closed)
          attempt.insideWindow = fired.t <= attempt.writtenAtMs && attempt.writtenAtMs <= closed.t;
        else if (!fired) attempt.insideWindow = false;
      }
      if (attempt.insideWindow) inWindow++;
      if (options.stopAtFirst502 && attempt.status === 502) break;
    }
  } catch (error) {
    // Interrupted: keep what was measured so far; the caller stops every process.
    if (!(error instanceof LabAbortedError) && !options.signal?.aborted) throw error;
    stoppedEarly = 'interrupted';
  }
  if (
    !fixedGap &&
    inWindow < options.attempts &&
    !stoppedEarly &&
    !(options.stopAtFirst502 && raw.some((a) => a.status === 502))
  ) {
    stoppedEarly = `only ${inWindow} of ${raw.length} requests landed inside the window`;
  }
  // Let the last close and log lines arrive before joining the logs.
  if (!options.signal?.aborted) await sleep(closeLagMs + 150, options.signal);
  const captureNotes: string[] = [];
  if (tcpdump) {
    if (tcpdump.hasExited()) {
      const why = (readText(join(dir, 'tcpdump.stderr.log')).trim().split('\n').pop() ?? '').replace(
        /^\((.*)\)$/,
        '$1',
      );
      captureNotes.push(`--capture: tcpdump stopped early, no capture${why ? ` (${why})` : ''}.`);
      capture = null;
    } else if (capture) await waitCaptureSettled([capture], { signal: options.signal });
    await group.stop(tcpdump);
  }
  await group.stop(proxy.process);
  await group.stop(backend.process);
  const result = analyse(plan, context, raw, backend.log.events, proxy.logFiles);
  progress(
    `${plan.name}: ${result.requests} requests, ${result.proxy502} proxy 502, ${result.failedWithHandler} handler calls for failed requests`,
  );
  return { ...result, notes: [...result.notes, ...captureNotes], stoppedEarly, capture };
}

async function runAttempt(
  index: number,
  gapMs: number,
  plan: ScenarioPlan,
  proxyPort: number,
  backend: LabBackend,
  signal: AbortSignal | undefined,
): Promise<RawAttempt> {
  // Prime: one request through the proxy, so that its pool holds one connection that has just
  // finished a response. The backend's log gives the instant that response finished.
  const primeRid = `p${index}`;
  const prime = await sendRequest({
    port: proxyPort,
    method: 'GET',
    path: `/prime?rid=${primeRid}`,
    rid: primeRid,
    timeoutMs: 15_000,
    signal,
  });
  const finish = await backend.log.waitFor((e) => e.ev === 'finish' && e.rid === primeRid, 1000, signal);
  const referenceMs = finish?.t ?? prime.endedAtMs;
  const rid = `t${index}`;
  const test = await sendRequest({
    port: proxyPort,
    method: plan.method,
    path: `/race?rid=${rid}`,
    rid,
    writeAtMs: referenceMs + gapMs,
    timeoutMs: 15_000,
    signal,
  });
  return {
    rid,
    gapMs: Math.round((test.writtenAtMs - referenceMs) * 100) / 100,
    offsetMs: 0,
    insideWindow: false,
    status: test.status,
    clientError: test.error,
    writtenAtMs: test.writtenAtMs,
    atMs: 0,
    pooledConn: finish?.conn ?? null,
    referenceMs,
  };
}

function analyse(
  plan: ScenarioPlan,
  context: ScenarioContext,
  raw: RawAttempt[],
  events: readonly BackendEvent[],
  logFiles: readonly string[],
): Omit<ScenarioResult, 'stoppedEarly' | 'capture'> {
  const { adapter, options } = context;
  const logText = logFiles.map(readText).join('\n');
  const fromProxyLog = adapter.retriedRids(logText);
  const inferRetries = fromProxyLog === null && adapter.retryIsRetry && options.mode === 'deterministic';
  const closeAt = new Map<number, number>();
  for (const e of events) if (e.ev === 'close' && typeof e.conn === 'number') closeAt.set(e.conn, e.t);
  const attempts: AttemptRecord[] = raw.map((a) => {
    const handlers = events.filter((e) => e.ev === 'handler' && e.rid === a.rid);
    const servedOn = handlers[0]?.conn ?? null;
    const servedOnPooled = servedOn === null || a.pooledConn === null ? null : servedOn === a.pooledConn;
    let retried: boolean | null = null;
    if (fromProxyLog) retried = fromProxyLog.has(a.rid);
    else if (inferRetries && a.status === 200 && a.pooledConn !== null) {
      // Deterministic mode: the pooled connection was still open (not reading) when the request
      // was written, yet the request ran on a new connection: the proxy tried the pooled one,
      // got the reset, and replayed the request.
      const pooledClosedAt = closeAt.get(a.pooledConn);
      retried =
        servedOnPooled === false &&
        pooledClosedAt !== undefined &&
        pooledClosedAt > a.writtenAtMs + RETRY_INFERENCE_MARGIN_MS;
    }
    return {
      rid: a.rid,
      gapMs: a.gapMs,
      offsetFromMeasuredCloseMs: Math.round(a.offsetMs * 100) / 100,
      insideWindow: a.insideWindow,
      status: a.status,
      clientError: a.clientError,
      handlerCalls: handlers.length,
      servedOnPooledConnection: servedOnPooled,
      retried,
      atMs: a.atMs,
    };
  });
  const failed = attempts.filter((a) => a.status !== 200);
  const proxy502 = attempts.filter((a) => a.status === 502).length;
  const retriedCount = fromProxyLog || inferRetries ? attempts.filter((a) => a.retried).length : null;
  const interesting = new Set([
    ...failed.map((a) => a.rid),
    ...attempts.filter((a) => a.retried).map((a) => a.rid),
  ]);
  const evidence: string[] = [];
  const messages: string[] = [];
  for (const line of logText.split('\n')) {
    if (!line.trim()) continue;
    const summary = adapter.summarize(line);
    const mentionsRid = [...interesting].some(
      (rid) =>
        line.includes(`rid=${rid} `) ||
        line.includes(`rid=${rid}"`) ||
        line.includes(`"rid":"${rid}"`) ||
        line.endsWith(`rid=${rid}`),
    );
    if (summary && !messages.includes(summary)) messages.push(summary);
    if ((summary || mentionsRid) && evidence.length < 6 && interesting.size > 0) {
      evidence.push(line.length > 400 ? `${line.slice(0, 400)}…` : line);
    }
  }
  // The backend's side of the first failure, from its log: what happened to the pooled connection.
  const firstFailure = raw.find((a) => a.status !== 200);
  if (firstFailure && firstFailure.pooledConn !== null) {
    const conn = firstFailure.pooledConn;
    const primeRid = `p${firstFailure.rid.slice(1)}`;
    const finish = events.find((e) => e.ev === 'finish' && e.rid === primeRid);
    const fired = events.find((e) => e.ev === 'ka_timeout' && e.conn === conn);
    const closed = events.find((e) => e.ev === 'close' && e.conn === conn);
    if (finish) {
      const after = (e: BackendEvent | undefined) => (e ? `${(e.t - finish.t).toFixed(1)} ms` : 'never');
      evidence.push(
        `backend log: ${firstFailure.rid} → ${events.filter((e) => e.ev === 'handler' && e.rid === firstFailure.rid).length} handler calls; ` +
          `after the previous response (${primeRid}) on connection #${conn}, the request was written at ${firstFailure.gapMs.toFixed(1)} ms, ` +
          `the idle timer fired at ${after(fired)} and the connection closed at ${after(closed)}`,
      );
    }
  }
  let gaps: GapStatistics[] | undefined;
  if (options.mode === 'natural' && options.fixedGapMs === undefined) {
    const byGap = new Map<number, { attempts: number; proxy502: number }>();
    for (const a of attempts) {
      const key = Math.round(a.offsetFromMeasuredCloseMs * 2) / 2;
      const entry = byGap.get(key) ?? { attempts: 0, proxy502: 0 };
      entry.attempts++;
      if (a.status === 502) entry.proxy502++;
      byGap.set(key, entry);
    }
    gaps = [...byGap.entries()]
      .sort((x, y) => x[0] - y[0])
      .map(([offset, s]) => ({ offsetFromMeasuredCloseMs: offset, ...s }));
  }
  const first502 = attempts.find((a) => a.status === 502);
  return {
    name: plan.name,
    title: plan.title,
    method: plan.method,
    backendKeepAliveMs: plan.backendKeepAliveMs,
    proxyIdleMs: plan.proxyIdleMs,
    proxyConfig: plan.retry ? adapter.retryVariant : adapter.baseConfig(plan.proxyIdleMs),
    requests: attempts.length,
    proxy502,
    otherFailures: failed.length - proxy502,
    failedWithHandler: failed.reduce((n, a) => n + a.handlerCalls, 0),
    retried: retriedCount,
    retriedSource: fromProxyLog ? 'proxy-log' : inferRetries ? 'backend-log' : null,
    reusedPooledConnection: attempts.filter((a) => a.servedOnPooledConnection === true).length,
    maxHandlerCallsPerRequest: attempts.reduce((m, a) => Math.max(m, a.handlerCalls), 0),
    expected: plan.expected,
    asExpected: plan.expected === 'proxy-502' ? proxy502 > 0 : proxy502 === 0 && attempts.length > 0,
    proxyLogSays: messages[0] ?? null,
    evidence,
    firstProxy502AfterMs: first502 ? first502.atMs : null,
    ...(gaps ? { gaps } : {}),
    attempts,
    notes: plan.notes,
  };
}
