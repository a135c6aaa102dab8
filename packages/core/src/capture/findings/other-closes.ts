import type { CloseKind } from '../connection.js';
import type { EvidenceFindingDefinition } from './types.js';

/** Close kinds that are neither the race nor an idle close. */
export type OtherCloseKind = Exclude<CloseKind, 'server-idle' | 'client-idle' | 'race'>;

export interface OtherClose {
  readonly kind: OtherCloseKind;
  readonly server: string;
  readonly count: number;
  /** For `server-after-requests`: requests per connection seen (min–max). */
  readonly requests?: { readonly min: number; readonly max: number } | undefined;
  /** Up to three connections, `client:port>server:port`. */
  readonly examples: readonly string[];
}

export const OTHER_CLOSE_MEANINGS: Record<OtherCloseKind, string> = {
  'server-after-requests':
    'the server closed right after a response that said Connection: close (max requests per connection, or no keep-alive)',
  'server-during-response':
    'the server closed while a response was still being sent (a crash or a killed worker)',
  'server-during-request': 'the server closed after a request without answering it, too late to be the race',
  'client-during-exchange':
    'the client gave up during a request or response (its timeout, an aborted transfer)',
  'connect-refused': 'RST answered a SYN: nothing listened on the port (connect refused)',
  http2: 'HTTP/2: out of scope (this race concerns HTTP/1.1 connection reuse)',
  'unknown-role':
    'the capture did not show which side is the HTTP server (no SYN, no request or status line)',
  'idle-unknown': 'the capture started after the connection’s last data, so its idle time is unknown',
  'open-at-end': 'still open when the capture ended',
};

export const otherClosesFinding: EvidenceFindingDefinition<OtherClose[]> = {
  id: 'other-closes',
  title: 'Other closes',
  summary:
    'Connections that ended some other way: after N requests, during a response, refused connects, HTTP/2 (out of scope), unknown roles, still open.',
  create() {
    const groups = new Map<
      string,
      { kind: OtherCloseKind; server: string; count: number; min: number; max: number; examples: string[] }
    >();
    return {
      add(summary) {
        if (summary.kind === 'server-idle' || summary.kind === 'client-idle' || summary.kind === 'race')
          return;
        const key = `${summary.kind} ${summary.server}`;
        let group = groups.get(key);
        if (!group) {
          group = {
            kind: summary.kind,
            server: summary.server,
            count: 0,
            min: Infinity,
            max: -Infinity,
            examples: [],
          };
          groups.set(key, group);
        }
        group.count++;
        group.min = Math.min(group.min, summary.requests);
        group.max = Math.max(group.max, summary.requests);
        if (group.examples.length < 3) group.examples.push(`${summary.client}>${summary.server}`);
      },
      result: () =>
        [...groups.values()]
          .sort((a, b) => (a.kind === b.kind ? (a.server < b.server ? -1 : 1) : a.kind < b.kind ? -1 : 1))
          .map((g) => ({
            kind: g.kind,
            server: g.server,
            count: g.count,
            requests: g.kind === 'server-after-requests' ? { min: g.min, max: g.max } : undefined,
            examples: g.examples,
          })),
    };
  },
};
