import { request, sleep } from '../diagnose-helpers/harness.js';
import type { FaultBackend } from './backend.js';

/**
 * The corpus scenarios: what the driver sends, what the backend injects, and the label. Every race
 * scenario uses the backend's deterministic late-close window (see backend.ts); no scenario relies on
 * the natural race, whose window is too narrow to hit reliably (lab-findings §3).
 *
 * Timing: the backend closes idle connections KEEPALIVE_MS after a response (late-close window of
 * CLOSE_LAG_MS). "Idle" pauses in non-race scenarios are IDLE_PAUSE_MS, well below KEEPALIVE_MS, so
 * they never race; race requests are sent RACE_SEND_MS after the previous response, the middle of the
 * window: a miss needs the driver's timer or the proxy to be off by more than CLOSE_LAG_MS / 2 = 75 ms.
 */

export const KEEPALIVE_MS = 300;
export const CLOSE_LAG_MS = 150;
const IDLE_PAUSE_MS = 150;
export const RACE_SEND_MS = KEEPALIVE_MS + CLOSE_LAG_MS / 2 - 10;

/**
 * Races to provoke in a race scenario, and the most rounds tried. Derivation of the chance that a
 * race scenario provokes fewer than MIN_RACES (the only way chance can fail it): each round lands in
 * the window independently with probability p; assume only p >= 0.6 (a miss needs a 75 ms timing
 * slip; none was seen in 200 rounds here). P(X < 6), X ~ Binomial(40, 0.6), is
 * sum_{k=0..5} C(40,k) 0.6^k 0.4^(40-k) ≈ C(40,5)·0.6^5·0.4^35 ≈ 658008 · 0.0778 · 1.18e-14 ≈ 6e-10
 * (the k < 5 terms are smaller still): below 1e-6. With ≥ 6 races the verdict no longer depends on
 * chance (the failures all sit after the same idle gap, none on a busy connection).
 */
export const MIN_RACES = 6;
export const MAX_RACE_ROUNDS = 40;
/** The retried-race scenario cannot see its races from the client (they get 200): fixed rounds.
 * Needs ≥ 3 hidden races: P(X < 3), X ~ Binomial(30, 0.6) ≈ C(30,2)·0.36·0.4^28 ≈ 1.1e-9. */
const RETRY_ROUNDS = 30;

export interface Sent {
  readonly rid: string;
  readonly path: string;
  readonly status: number;
  /** Sent inside the backend's late-close window. */
  readonly race: boolean;
}

export interface Driver {
  readonly port: number;
  readonly backend: FaultBackend;
  readonly method: string;
}

export type Label = 'race' | 'not-race';

export interface Scenario {
  readonly id: string;
  readonly label: Label;
  /** The ground truth this scenario checks in the backend's own log. */
  readonly truth: string;
  /** Proxy options: nginx retry, proxy read timeout, backend down. */
  readonly retry?: boolean;
  readonly readTimeoutMs?: number;
  readonly down?: boolean;
  readonly closeEvery?: number;
  /** Proxies that take part (default: all). */
  readonly proxies?: readonly string[];
  drive(d: Driver): Promise<Sent[]>;
  /** Checks the run against the backend's log; returns a problem, or null. */
  check(sent: readonly Sent[], backend: FaultBackend): string | null;
}

let counter = 0;
async function send(d: Driver, path: string, race = false): Promise<Sent> {
  const rid = `r${++counter}`;
  const status = await request(d.port, `/${path}?rid=${rid}`, d.method, { 'x-request-id': rid });
  return { rid, path, status, race };
}

/** A few quick requests with short and idle (below keep-alive) pauses, no fault. */
async function traffic(d: Driver, out: Sent[], n: number, path = 'ok'): Promise<void> {
  for (let i = 0; i < n; i++) {
    out.push(await send(d, path));
    await sleep(i % 3 === 2 ? IDLE_PAUSE_MS : 10);
  }
}

/** Rounds of: quick requests (plus `busy` requests among them), then one request inside the window. */
async function raceRounds(
  d: Driver,
  out: Sent[],
  busy: string | null,
  until: (races: number) => boolean,
  max: number,
) {
  let races = 0;
  for (let round = 0; round < max && !until(races); round++) {
    out.push(await send(d, 'ok'));
    await sleep(10);
    if (busy !== null) {
      out.push(await send(d, busy));
      await sleep(10);
    }
    out.push(await send(d, 'ok'));
    await sleep(RACE_SEND_MS);
    const s = await send(d, 'ok', true);
    out.push(s);
    if (s.status >= 500 || s.status === 0) races++;
  }
}

const failedRaces = (sent: readonly Sent[]) =>
  sent.filter((s) => s.race && (s.status >= 500 || s.status === 0));

function noHandlerForRaces(sent: readonly Sent[], backend: FaultBackend): string | null {
  const failed = failedRaces(sent);
  if (failed.length < MIN_RACES) return `only ${failed.length} races provoked`;
  const ran = failed.filter((s) => backend.handled.has(s.rid));
  return ran.length > 0 ? `a handler ran for failed race requests ${ran.map((s) => s.rid).join(',')}` : null;
}

function handlerRanFor(path: string, min: number) {
  return (sent: readonly Sent[], backend: FaultBackend): string | null => {
    const faulty = sent.filter((s) => s.path === path);
    if (faulty.length < min) return `only ${faulty.length} ${path} requests`;
    const missing = faulty.filter((s) => backend.handled.get(s.rid) !== path);
    return missing.length > 0 ? `no handler ran for ${missing.map((s) => s.rid).join(',')}` : null;
  };
}

/** Plain traffic that must all be handled and answered 200 (healthy, max-requests). */
function allHandled(scenario: Pick<Scenario, 'id' | 'truth' | 'closeEvery'>): Scenario {
  return {
    ...scenario,
    label: 'not-race',
    async drive(d) {
      const out: Sent[] = [];
      await traffic(d, out, 24);
      return out;
    },
    check: (sent, backend) =>
      sent.every((s) => s.status === 200 && backend.handled.has(s.rid)) ? null : 'a request failed',
  };
}

function crash(path: string, truth: string): Scenario {
  return {
    id: path,
    label: 'not-race',
    truth,
    async drive(d) {
      const out: Sent[] = [];
      for (let i = 0; i < 6; i++) {
        out.push(await send(d, 'ok'));
        await sleep(5);
        out.push(await send(d, path));
        await sleep(5);
        out.push(await send(d, 'ok'));
        await sleep(IDLE_PAUSE_MS);
      }
      return out;
    },
    check: handlerRanFor(path, 6),
  };
}

export const SCENARIOS: readonly Scenario[] = [
  allHandled({ id: 'healthy', truth: 'every request handled, none failed' }),
  {
    id: 'race',
    label: 'race',
    truth: 'failed requests never reached a handler',
    async drive(d) {
      const out: Sent[] = [];
      await raceRounds(d, out, null, (n) => n >= MIN_RACES, MAX_RACE_ROUNDS);
      return out;
    },
    check: noHandlerForRaces,
  },
  {
    id: 'race-retried',
    label: 'race',
    truth: 'clients got 200; the proxy retried the unread requests',
    retry: true,
    proxies: ['nginx'],
    async drive(d) {
      const out: Sent[] = [];
      await raceRounds(d, out, null, () => false, RETRY_ROUNDS);
      return out;
    },
    check: (sent) => (sent.every((s) => s.status === 200) ? null : 'a client saw a failure despite retries'),
  },
  {
    id: 'mixed-race-and-500',
    label: 'race',
    truth: 'races never reached a handler; the 500s did',
    async drive(d) {
      const out: Sent[] = [];
      await raceRounds(d, out, 'err', (n) => n >= MIN_RACES, MAX_RACE_ROUNDS);
      return out;
    },
    check: (sent, backend) =>
      noHandlerForRaces(sent, backend) ?? handlerRanFor('err', MIN_RACES)(sent, backend),
  },
  {
    id: 'app-500',
    label: 'not-race',
    truth: 'the handler ran and answered 500',
    async drive(d) {
      const out: Sent[] = [];
      for (let i = 0; i < 6; i++) {
        await traffic(d, out, 2);
        out.push(await send(d, 'err'));
      }
      return out;
    },
    check: handlerRanFor('err', 6),
  },
  crash('crash-head-fin', 'the handler ran, then closed (FIN) before any response byte'),
  crash('crash-head-rst', 'the handler ran, then reset (RST) before any response byte'),
  crash('crash-body-fin', 'the handler ran, sent the header and part of the body, then closed (FIN)'),
  crash('crash-body-rst', 'the handler ran, sent the header and part of the body, then reset (RST)'),
  {
    id: 'slow',
    label: 'not-race',
    truth: 'the handler ran and took 1.5 s (proxy read timeout 400 ms)',
    readTimeoutMs: 400,
    async drive(d) {
      const out: Sent[] = [];
      for (let i = 0; i < 4; i++) {
        await traffic(d, out, 2);
        out.push(await send(d, 'slow'));
      }
      return out;
    },
    check: handlerRanFor('slow', 4),
  },
  {
    id: 'target-down',
    label: 'not-race',
    truth: 'nothing listens on the upstream port: no handler ran',
    down: true,
    async drive(d) {
      const out: Sent[] = [];
      for (let i = 0; i < 5; i++) out.push(await send(d, 'ok'));
      return out;
    },
    check: (sent, backend) => (sent.some((s) => backend.handled.has(s.rid)) ? 'a handler ran' : null),
  },
  allHandled({
    id: 'max-requests',
    truth: 'every 3rd response closes its connection (Connection: close); all handled',
    closeEvery: 3,
  }),
  {
    id: 'rolling-restart',
    label: 'not-race',
    truth: 'the backend stopped for 600 ms and came back; requests meanwhile reached no handler',
    async drive(d) {
      const out: Sent[] = [];
      await traffic(d, out, 6);
      await d.backend.stop();
      await sleep(100);
      for (let i = 0; i < 4; i++) {
        out.push(await send(d, 'ok'));
        await sleep(100);
      }
      await d.backend.resume();
      await traffic(d, out, 6);
      return out;
    },
    check: (sent) =>
      sent.filter((s) => s.status >= 500).length >= 4 ? null : 'the restart caused no failure',
  },
];
