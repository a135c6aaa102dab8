import type { Duration } from './duration/duration.js';

/** What a fact is about. */
export type FactSubject =
  /** How long a server keeps an idle keep-alive connection open (server side of a hop). */
  | 'server-keepalive'
  /** How long a client-side pool (LB, proxy, HTTP client) keeps an idle connection for reuse. */
  | 'pool-idle'
  /** The server or pool closes a connection after this many requests. */
  | 'max-requests-per-connection'
  /** The server or pool closes a connection this long after it opened, busy or not. */
  | 'connection-lifetime'
  /** What the client side retries when a reused connection fails. */
  | 'retry-policy'
  /** Node's `server.headersTimeout`, which must stay above `keepAliveTimeout`. */
  | 'headers-timeout'
  /** Extra time a server waits past its advertised keep-alive before it really closes (Node's buffer). */
  | 'keepalive-close-delay';

/**
 * The value of a fact. Durations keep their original text; counts are plain integers.
 * `unbounded`: the setting exists and has no limit (an idle pool with no expiry).
 * `unset`: nothing says what it is (and no default is known).
 * `disabled`: the feature is off (a server that closes after every response keeps nothing alive).
 */
export type FactValue =
  | { readonly type: 'duration'; readonly ms: number; readonly text: string }
  | { readonly type: 'count'; readonly count: number; readonly text: string }
  | { readonly type: 'unbounded'; readonly text?: string }
  | { readonly type: 'unset' }
  | { readonly type: 'disabled'; readonly text?: string }
  | {
      readonly type: 'retry';
      readonly on: readonly string[];
      readonly idempotentOnly: boolean;
      readonly text: string;
    };

export function durationValue(duration: Duration): FactValue {
  return { type: 'duration', ms: duration.ms, text: duration.text };
}

/** Where a fact came from. Every value the tool shows carries one. */
export type Provenance =
  | { readonly kind: 'command-line'; readonly flag: string; readonly text: string }
  | { readonly kind: 'file'; readonly file: string; readonly line?: number; readonly column?: number }
  | { readonly kind: 'env'; readonly variable: string }
  | {
      readonly kind: 'live-api';
      readonly service: string;
      readonly resource: string;
      readonly readAt: string;
      readonly endpoint?: string;
    }
  | {
      readonly kind: 'probe';
      readonly url: string;
      readonly measuredAt: string;
      readonly samples: number;
      readonly through: 'direct' | 'lb';
    }
  | {
      readonly kind: 'knowledge-base';
      readonly entryId: string;
      readonly product: string;
      readonly setting: string;
      readonly sourceUrl: string;
      readonly versions: string;
      readonly verified: boolean;
    }
  | { readonly kind: 'derived'; readonly from: string };

export interface Fact {
  readonly subject: FactSubject;
  readonly value: FactValue;
  /** Product id from the knowledge base (`gunicorn`, `aws-alb`), when known. */
  readonly product?: string | undefined;
  /** The setting's own name in that product (`--keep-alive`, `idle_timeout.timeout_seconds`). */
  readonly setting?: string | undefined;
  /** The unit the setting is written in (`seconds`, `milliseconds`, `nginx time`). */
  readonly unit?: string | undefined;
  readonly provenance: Provenance;
  /** True when the value is a default: nothing in the configuration set it. */
  readonly isDefault?: boolean | undefined;
  /** Short remarks a reader attaches (e.g. "sync worker: no keep-alive"). */
  readonly notes?: readonly string[] | undefined;
}

/** Renders a provenance for people, e.g. `gunicorn default (https://...)`, `nginx.conf:12`. */
export function describeProvenance(p: Provenance): string {
  switch (p.kind) {
    case 'command-line':
      return `given on the command line (${p.flag} ${p.text})`;
    case 'file':
      return p.line === undefined ? p.file : `${p.file}:${p.line}`;
    case 'env':
      return `environment variable ${p.variable}`;
    case 'live-api':
      return `live ${p.service} API, ${p.resource}, read at ${p.readAt}`;
    case 'probe':
      return `measured by probe at ${p.measuredAt} (${p.url}, ${p.samples} sample${p.samples === 1 ? '' : 's'}, ${p.through})`;
    case 'knowledge-base':
      return `${p.product} default for ${p.setting}${p.verified ? '' : ' (UNVERIFIED)'}, ${p.versions}: ${p.sourceUrl}`;
    case 'derived':
      return `derived from ${p.from}`;
  }
}

export function describeValue(value: FactValue): string {
  switch (value.type) {
    case 'duration':
      return value.text;
    case 'count':
      return String(value.count);
    case 'unbounded':
      return 'unbounded';
    case 'unset':
      return 'unset';
    case 'disabled':
      return 'off';
    case 'retry':
      return value.text;
  }
}
