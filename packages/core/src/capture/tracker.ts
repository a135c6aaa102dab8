import type { CloseKind, ConnectionSummary, RaceRecord, TimelineEvent } from './connection.js';
import {
  chunkedEndsHere,
  firstLine,
  isHttp2Preface,
  isRequestLine,
  isStatusLine,
  readResponseHead,
} from './http.js';
import { PairMap } from './pair-map.js';
import {
  endpointHost,
  formatEndpoint,
  type Segment,
  TCP_ACK,
  TCP_FIN,
  TCP_PSH,
  TCP_RST,
  TCP_SYN,
} from './types.js';

export interface TrackerOptions {
  /** Keep the packets of connections with a race (for the HTML timeline). */
  readonly timeline?: boolean;
  /**
   * A server RST this soon after a request on a reused, idle connection (no response bytes in
   * between) is the race's "request beats close" ordering. Later RSTs are a close during a request.
   */
  readonly rstAnswerWindowMs?: number;
}

/** In the lab the RST follows the request by 1 µs – 25 ms; a handler that crashes takes longer. */
export const DEFAULT_RST_ANSWER_WINDOW_MS = 250;
const TIMELINE_MAX = 64;
/** Headers cut by the snap length: a server close within this of a response is not an idle close. */
export const CLOSE_AFTER_RESPONSE_MS = 50;
/** Closed connections remembered (so their last ACKs do not start a new one), capture seconds. */
const RECENT_TTL_US = 120e6;
const RECENT_MAX = 200_000;
/**
 * Open connections kept at most (about 100 MB). Beyond it, the connections silent the longest are
 * summarised as still open (`open-at-end`) and dropped: a SYN flood or a capture of millions of
 * never-closed connections cannot exhaust memory.
 */
export const MAX_OPEN_CONNECTIONS = 200_000;

type Side = 1 | 2;

interface RaceDraft {
  requestAtUs: number;
  idleUs: number;
  finBeforeUs: number | null;
  answer: RaceRecord['answer'] | null;
  requestsBefore: number;
}

class Connection {
  readonly a: number | string;
  readonly b: number | string;
  server: 0 | Side = 0;
  openedAtUs: number;
  lastPacketUs: number;
  establishedAtUs = -1;
  synFrom: 0 | Side = 0;
  lastDataUs = -1;
  requests = 0;
  responses = 0;
  pending = false;
  pendingAtUs = 0;
  pendingIdleUs = -1;
  pendingReuse = false;
  maxServedIdleUs = -1;
  responseOpen = false;
  bodyRemaining: number | null = 0;
  chunked = false;
  closesAfterResponse = false;
  /** The last response's headers were cut by the snap length. */
  headerUnseen = false;
  finUs: [number, number, number] = [-1, -1, -1];
  rstUs: [number, number, number] = [-1, -1, -1];
  closer: 0 | Side = 0;
  closeHow: 'fin' | 'rst' | null = null;
  closeAtUs = -1;
  seqEnd: [number, number, number] = [-1, -1, -1];
  http2 = false;
  races: RaceDraft[] = [];
  openRace: RaceDraft | null = null;
  timeline: TimelineEvent[] | null = null;
  keepTimeline: TimelineEvent[] | null = null;

  constructor(a: number | string, b: number | string, timeUs: number) {
    this.a = a;
    this.b = b;
    this.openedAtUs = timeUs;
    this.lastPacketUs = timeUs;
  }
}

function flagText(flags: number): string {
  let text = '';
  if (flags & TCP_SYN) text += 'S';
  if (flags & TCP_FIN) text += 'F';
  if (flags & TCP_RST) text += 'R';
  if (flags & TCP_PSH) text += 'P';
  if (flags & TCP_ACK) text += '.';
  return text || 'none';
}

/** True when sequence number `x` is before `y` (mod 2^32). */
function seqBefore(x: number, y: number): boolean {
  const d = (x - y) | 0;
  return d < 0;
}

/**
 * Follows TCP connections segment by segment and summarises each when it ends. Which side is the
 * HTTP server: the SYN's destination (or the SYN-ACK's source), else the side that sends an
 * `HTTP/1.` status line (or receives a request line). Idle = no payload byte in either direction.
 */
export class ConnectionTracker {
  private readonly open = new PairMap<Connection>();
  /** Closed connections (by endpoints) with their close time, oldest first. */
  private readonly recent = new PairMap<number>();
  private readonly recentOrder: { a: number | string; b: number | string; at: number }[] = [];
  private recentHead = 0;
  private readonly windowUs: number;
  private readonly timeline: boolean;
  private segments = 0;
  ignoredAfterClose = 0;
  /** Connections dropped while still open because too many were open at once. */
  evicted = 0;

  constructor(
    private readonly onClose: (summary: ConnectionSummary) => void,
    options: TrackerOptions = {},
  ) {
    this.windowUs = (options.rstAnswerWindowMs ?? DEFAULT_RST_ANSWER_WINDOW_MS) * 1000;
    this.timeline = options.timeline === true;
  }

  get openConnections(): number {
    return this.open.size;
  }

  segment(s: Segment): void {
    const src = s.src;
    const dst = s.dst;
    let conn = this.open.get(src, dst);
    const syn = (s.flags & TCP_SYN) !== 0;
    if (conn === undefined) {
      const closedAt = this.recent.get(src, dst);
      if (closedAt !== undefined && !(syn && !(s.flags & TCP_ACK))) {
        this.ignoredAfterClose++;
        return;
      }
      if (closedAt !== undefined) this.recent.delete(src, dst);
      conn = new Connection(src, dst, s.timeUs);
      if (this.timeline) conn.timeline = [];
      this.open.set(src, dst, conn);
    } else if (syn && !(s.flags & TCP_ACK) && conn.closer !== 0) {
      // Port reuse: a new SYN on a tuple whose connection had closed.
      this.finish(conn, s.timeUs);
      conn = new Connection(src, dst, s.timeUs);
      if (this.timeline) conn.timeline = [];
      this.open.set(src, dst, conn);
    }
    const side: Side = src === conn.a ? 1 : 2;
    const t = s.timeUs;
    conn.lastPacketUs = t;
    if (syn) {
      if (!(s.flags & TCP_ACK)) {
        conn.synFrom = side;
        if (conn.server === 0) conn.server = side === 1 ? 2 : 1;
      } else {
        conn.server = side;
        conn.establishedAtUs = t;
      }
      conn.seqEnd[side] = (s.seq + 1) >>> 0;
    }
    const isServer = conn.server === side;
    let info: string | undefined;
    if (s.payloadLength > 0) {
      const retransmit = conn.seqEnd[side] !== -1 && seqBefore(s.seq, conn.seqEnd[side]);
      if (!retransmit) {
        conn.seqEnd[side] = (s.seq + s.payloadLength) >>> 0;
        info = this.payload(conn, side, s, t);
      }
    }
    if (conn.timeline !== null) {
      const role = conn.server === 0 ? (side === 1 ? 'client' : 'server') : isServer ? 'server' : 'client';
      const event: TimelineEvent = {
        timeUs: t,
        from: role,
        flags: flagText(s.flags),
        length: s.payloadLength,
        info,
      };
      conn.timeline.push(event);
      if (conn.timeline.length > TIMELINE_MAX && conn.keepTimeline === null) conn.timeline.shift();
      if (conn.keepTimeline !== null && conn.keepTimeline.length < TIMELINE_MAX)
        conn.keepTimeline.push(event);
    }
    if (s.flags & TCP_FIN && conn.finUs[side] < 0) {
      conn.finUs[side] = t;
      if (conn.closer === 0) {
        conn.closer = side;
        conn.closeHow = 'fin';
        conn.closeAtUs = t;
      }
    }
    if (s.flags & TCP_RST) {
      if (conn.rstUs[side] < 0) conn.rstUs[side] = t;
      if (conn.closer === 0) {
        conn.closer = side;
        conn.closeHow = 'rst';
        conn.closeAtUs = t;
      }
      if (conn.server === side) this.serverReset(conn, side, t);
      this.finish(conn, t);
      return;
    }
    if (conn.finUs[1] >= 0 && conn.finUs[2] >= 0) this.finish(conn, t);
    if ((++this.segments & 0xffff) === 0) this.purgeRecent(t);
    if (this.open.size > MAX_OPEN_CONNECTIONS) this.evictSilent();
  }

  private payload(conn: Connection, side: Side, s: Segment, t: number): string | undefined {
    const data = s.data;
    const at = s.payloadOffset;
    const captured = s.capturedPayload;
    let info: string | undefined;
    if (conn.server === 0) {
      if (isStatusLine(data, at, captured)) conn.server = side;
      else if (isHttp2Preface(data, at, captured)) {
        conn.server = side === 1 ? 2 : 1;
        conn.http2 = true;
      } else if (isRequestLine(data, at, captured)) conn.server = side === 1 ? 2 : 1;
    }
    if (conn.server !== 0 && conn.server !== side) {
      // Client → server.
      const serverFin = conn.finUs[conn.server];
      if (serverFin >= 0 && !conn.pending && conn.openRace === null && !conn.http2) {
        conn.openRace = {
          requestAtUs: t,
          idleUs: conn.lastDataUs >= 0 ? t - conn.lastDataUs : -1,
          finBeforeUs: t - serverFin,
          answer: null,
          requestsBefore: conn.responses,
        };
        conn.races.push(conn.openRace);
        this.startKeeping(conn);
      }
      if (isHttp2Preface(data, at, captured)) conn.http2 = true;
      else if (isRequestLine(data, at, captured)) {
        if (conn.timeline !== null) info = firstLine(data, at, captured);
        conn.requests++;
        if (!conn.pending) {
          conn.pending = true;
          conn.pendingAtUs = t;
          conn.pendingIdleUs = conn.lastDataUs >= 0 && !conn.responseOpen ? t - conn.lastDataUs : -1;
          conn.pendingReuse = conn.responses > 0;
        }
      }
    } else if (conn.server === side) {
      if (conn.openRace !== null && conn.openRace.answer === null) conn.openRace.answer = 'response';
      if (isStatusLine(data, at, captured)) {
        const head = readResponseHead(data, at, captured, s.payloadLength);
        info = head.line;
        if (head.status === null || head.status >= 200) {
          if (conn.pending && conn.pendingReuse && conn.pendingIdleUs > conn.maxServedIdleUs)
            conn.maxServedIdleUs = conn.pendingIdleUs;
          conn.responses++;
          conn.pending = false;
          conn.responseOpen = head.bodyRemaining !== 0;
          conn.bodyRemaining = head.bodyRemaining;
          conn.chunked = head.chunked;
          conn.closesAfterResponse = head.closes;
          conn.headerUnseen = !head.headerComplete;
        }
      } else if (conn.responseOpen) {
        if (conn.bodyRemaining !== null && !conn.chunked) {
          conn.bodyRemaining -= s.payloadLength;
          if (conn.bodyRemaining <= 0) conn.responseOpen = false;
        } else if (conn.chunked && chunkedEndsHere(data, at, captured, s.payloadLength))
          conn.responseOpen = false;
      }
    }
    conn.lastDataUs = t;
    return info;
  }

  private startKeeping(conn: Connection): void {
    if (conn.timeline !== null && conn.keepTimeline === null) conn.keepTimeline = conn.timeline;
  }

  /** A server RST: the answer to a race, or the race's "request beats close" ordering. */
  private serverReset(conn: Connection, side: Side, t: number): void {
    if (conn.openRace !== null) {
      if (conn.openRace.answer === null) conn.openRace.answer = 'rst';
      return;
    }
    if (
      conn.pending &&
      conn.pendingReuse &&
      conn.pendingIdleUs >= 0 &&
      t - conn.pendingAtUs <= this.windowUs &&
      !conn.http2
    ) {
      const fin = conn.finUs[side];
      const race: RaceDraft = {
        requestAtUs: conn.pendingAtUs,
        idleUs: conn.pendingIdleUs,
        finBeforeUs: null,
        answer: fin >= 0 && fin >= conn.pendingAtUs ? 'fin-then-rst' : 'rst',
        requestsBefore: conn.responses,
      };
      conn.races.push(race);
      conn.openRace = race;
      this.startKeeping(conn);
    }
  }

  private finish(conn: Connection, t: number): void {
    this.open.delete(conn.a, conn.b);
    this.recent.set(conn.a, conn.b, t);
    this.recentOrder.push({ a: conn.a, b: conn.b, at: t });
    if (this.recent.size > RECENT_MAX) this.forgetOldest();
    this.onClose(summarise(conn, conn.closer === 0 ? null : conn.closeAtUs));
  }

  /** Drops the silent half of the open connections (summarised as still open). */
  private evictSilent(): void {
    const all = [...this.open.values()].sort((x, y) => x.lastPacketUs - y.lastPacketUs);
    for (const conn of all.slice(0, all.length >> 1)) {
      this.open.delete(conn.a, conn.b);
      this.evicted++;
      this.onClose(summarise(conn, null));
    }
  }

  private forgetOldest(): void {
    const oldest = this.recentOrder[this.recentHead++];
    if (oldest !== undefined && this.recent.get(oldest.a, oldest.b) === oldest.at)
      this.recent.delete(oldest.a, oldest.b);
    if (this.recentHead > 65_536) {
      this.recentOrder.splice(0, this.recentHead);
      this.recentHead = 0;
    }
  }

  private purgeRecent(now: number): void {
    while (
      this.recentHead < this.recentOrder.length &&
      now - this.recentOrder[this.recentHead]!.at >= RECENT_TTL_US
    )
      this.forgetOldest();
  }

  /** The capture ended: summarise every connection still open. */
  end(): void {
    const still = [...this.open.values()];
    this.open.clear();
    for (const conn of still) this.onClose(summarise(conn, null));
    this.recent.clear();
    this.recentOrder.length = 0;
    this.recentHead = 0;
  }
}

function summarise(conn: Connection, closedAtUs: number | null): ConnectionSummary {
  const serverKey = conn.server === 0 ? conn.b : conn.server === 1 ? conn.a : conn.b;
  const clientKey = serverKey === conn.a ? conn.b : conn.a;
  const server = formatEndpoint(serverKey);
  const client = formatEndpoint(clientKey);
  const closedBy = conn.closer === 0 ? null : conn.closer === conn.server ? 'server' : 'client';
  const timeline = conn.keepTimeline ?? undefined;
  const races: RaceRecord[] = conn.races.map((r) => ({
    connection: `${client}>${server}`,
    client,
    server,
    requestAtUs: r.requestAtUs,
    idleBeforeRequestMs: r.idleUs >= 0 ? r.idleUs / 1000 : null,
    serverFinBeforeRequestMs: r.finBeforeUs === null ? null : r.finBeforeUs / 1000,
    answer: r.answer ?? 'nothing-captured',
    requestsBefore: r.requestsBefore,
    timeline,
  }));
  let kind: CloseKind;
  let idleMs: number | null = null;
  const refused =
    conn.synFrom !== 0 &&
    conn.establishedAtUs < 0 &&
    conn.rstUs[conn.synFrom === 1 ? 2 : 1] >= 0 &&
    conn.lastDataUs < 0;
  if (conn.http2) kind = 'http2';
  else if (refused) kind = 'connect-refused';
  else if (races.length > 0) kind = 'race';
  else if (conn.closer === 0) kind = 'open-at-end';
  else if (conn.server === 0) kind = 'unknown-role';
  else if (closedBy === 'server') {
    if (conn.pending) kind = 'server-during-request';
    else if (conn.responseOpen && conn.bodyRemaining !== null) kind = 'server-during-response';
    else if (conn.closesAfterResponse) kind = 'server-after-requests';
    else kind = 'server-idle';
  } else {
    if (conn.pending || (conn.responseOpen && conn.bodyRemaining !== null)) kind = 'client-during-exchange';
    else kind = 'client-idle';
  }
  if (kind === 'server-idle' || kind === 'client-idle') {
    const since = conn.lastDataUs >= 0 ? conn.lastDataUs : conn.establishedAtUs;
    if (since < 0) kind = 'idle-unknown';
    else idleMs = (conn.closeAtUs - since) / 1000;
    // The snap length cut the response headers (no Connection: close to read): a server close this
    // soon after a response is its close after N requests, not a keep-alive timeout.
    if (kind === 'server-idle' && conn.headerUnseen && idleMs !== null && idleMs < CLOSE_AFTER_RESPONSE_MS) {
      kind = 'server-after-requests';
      idleMs = null;
    }
  }
  return {
    client,
    server,
    clientHost: endpointHost(clientKey),
    kind,
    closedBy,
    how: conn.closeHow,
    idleMs,
    requests: conn.requests,
    maxServedIdleMs: conn.maxServedIdleUs >= 0 ? conn.maxServedIdleUs / 1000 : null,
    openedAtUs: conn.openedAtUs,
    closedAtUs,
    races,
  };
}
