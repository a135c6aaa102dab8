/**
 * What the tracker hands to the findings when a TCP connection ends (or the capture ends): a
 * summary; the connection's state is then dropped, so memory stays bounded by open connections.
 */

/** How a connection's closing went. */
export type CloseKind =
  /** The server closed an idle connection (its keep-alive timeout): measured. */
  | 'server-idle'
  /** The client (the proxy's pool) closed an idle connection: measured. */
  | 'client-idle'
  /** The race: a request crossed the server's close (see `RaceRecord`). */
  | 'race'
  /** The server closed right after a response that said `Connection: close` (max requests, no keep-alive). */
  | 'server-after-requests'
  /** The server closed while a response was still being sent (a crash, a killed worker). */
  | 'server-during-response'
  /** The server closed after a request without answering it, and not in the race's pattern. */
  | 'server-during-request'
  /** The client gave up during a request or response (its timeout, an aborted download). */
  | 'client-during-exchange'
  /** RST answered a SYN: nothing listened (connect refused). */
  | 'connect-refused'
  /** The connection spoke HTTP/2 (out of scope for this race). */
  | 'http2'
  /** The capture did not show which side is the HTTP server. */
  | 'unknown-role'
  /** The capture started after the connection's last data: its idle time is unknown. */
  | 'idle-unknown'
  /** Still open when the capture ended. */
  | 'open-at-end';

export interface TimelineEvent {
  /** Microseconds since the epoch. */
  readonly timeUs: number;
  readonly from: 'client' | 'server';
  /** tcpdump-style flags: `S`, `S.`, `.`, `P.`, `F.`, `R`, `R.`. */
  readonly flags: string;
  readonly length: number;
  /** The request or status line when the segment starts one. */
  readonly info?: string | undefined;
}

export interface RaceRecord {
  /** `client:port>server:port`. */
  readonly connection: string;
  readonly client: string;
  readonly server: string;
  /** Microseconds since the epoch: when the request's first bytes were captured. */
  readonly requestAtUs: number;
  /** Idle time before the request (since the last byte either way); null if the capture did not show it. */
  readonly idleBeforeRequestMs: number | null;
  /** How long before the request the server's FIN was captured; null when no FIN preceded it. */
  readonly serverFinBeforeRequestMs: number | null;
  /** What the server did with the request. */
  readonly answer: 'rst' | 'fin-then-rst' | 'response' | 'nothing-captured';
  /** Requests the connection had served before. */
  readonly requestsBefore: number;
  readonly timeline?: readonly TimelineEvent[] | undefined;
}

export interface ConnectionSummary {
  /** `10.0.3.5:41234` — the side that is not the HTTP server (or the first sender, role unknown). */
  readonly client: string;
  /** `10.0.3.7:8080`. */
  readonly server: string;
  /** The client's address without port (pools use many ports). */
  readonly clientHost: string;
  readonly kind: CloseKind;
  readonly closedBy: 'server' | 'client' | null;
  readonly how: 'fin' | 'rst' | null;
  /** Idle time before the close, for `server-idle` / `client-idle` (ms, fractional). */
  readonly idleMs: number | null;
  readonly requests: number;
  /**
   * The longest idle period after which a request on this connection was answered with a response:
   * the server kept the connection at least that long, and the client pooled it at least that long.
   */
  readonly maxServedIdleMs: number | null;
  readonly openedAtUs: number;
  readonly closedAtUs: number | null;
  readonly races: readonly RaceRecord[];
}
