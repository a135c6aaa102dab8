import type { Fact, FactValue, Provenance } from '../../facts.js';
import { defaultFact, versionInRange } from '../../kb/index.js';
import { durationOrDiagnostic, placeholderIn, placeholderNote } from '../diagnostics.js';
import {
  type ConfigReader,
  type ReaderDiagnostic,
  type ReaderInput,
  type ReaderResult,
  type ReadSide,
  tagDiagnostics,
} from '../types.js';
import { type NginxDirective, nginxIncludePatterns, parseNginx, UNREADABLE_INCLUDE } from './parse.js';

/** nginx 1.29.7 pools explicit upstreams by default and speaks HTTP/1.1 without `Connection: close`. */
const POOLS_BY_DEFAULT = '>=1.29.7';
/** `keepalive_requests` 1000 and `keepalive_time` 1h from 1.19.10 (100 / none before). */
const NEW_KEEPALIVE_LIMITS = '>=1.19.10';

function file(d: NginxDirective): Provenance {
  return { kind: 'file', file: d.file, line: d.line };
}

function find(block: readonly NginxDirective[] | undefined, name: string): NginxDirective | undefined {
  // The last one wins for nginx's own duplicates? No: nginx refuses duplicates of most directives;
  // the first is what `nginx -t` reports about. Keep the first.
  return block?.find((d) => d.name === name);
}

interface Scope {
  readonly http?: readonly NginxDirective[] | undefined;
  readonly server?: readonly NginxDirective[] | undefined;
  readonly location?: readonly NginxDirective[] | undefined;
  readonly locationName: string;
  readonly serverName: string;
}

/** A directive's effective value at a location: location, then server, then http (nginx's merge). */
function inherited(scope: Scope, name: string): NginxDirective | undefined {
  return find(scope.location, name) ?? find(scope.server, name) ?? find(scope.http, name);
}

/** `proxy_set_header` lists inherit as a whole, only when the level has none of its own. */
function inheritedHeaders(scope: Scope): NginxDirective[] {
  for (const level of [scope.location, scope.server, scope.http]) {
    const headers = (level ?? []).filter((d) => d.name === 'proxy_set_header');
    if (headers.length > 0) return headers;
  }
  return [];
}

/** An include in `block` that could not be read (it may set what the block seems not to). */
function unreadableInclude(
  ...blocks: Array<readonly NginxDirective[] | undefined>
): NginxDirective | undefined {
  for (const block of blocks) {
    const found = block?.find((d) => d.name === UNREADABLE_INCLUDE);
    if (found) return found;
  }
  return undefined;
}

/** The value is not known: an include that could not be read, or a placeholder (envsubst templates). */
function unknownFact(subject: Fact['subject'], setting: string, at: NginxDirective, note: string): Fact {
  return {
    subject,
    value: { type: 'unset' },
    product: 'nginx',
    setting,
    provenance: file(at),
    notes: [note],
  };
}

function includeNote(include: NginxDirective, setting: string): string {
  return `include ${include.args[0]} (${include.file}:${include.line}) could not be read and may set ${setting}: the value is not known; read that file too`;
}

function durationFact(
  directive: NginxDirective,
  subject: Fact['subject'],
  setting: string,
  diagnostics: ReaderDiagnostic[],
  extra: Partial<Fact> = {},
): Fact | undefined {
  const text = directive.args[0] ?? '';
  const placeholder = placeholderIn(text);
  if (placeholder)
    return unknownFact(subject, setting, directive, placeholderNote(directive.name, text, placeholder));
  const where = { file: directive.file, line: directive.line, field: directive.name };
  const d = durationOrDiagnostic(text, 'nginx', where, diagnostics);
  if (!d) return undefined;
  const value: FactValue =
    d.ms === 0 && subject === 'server-keepalive'
      ? { type: 'disabled', text: `${directive.name} 0` }
      : { type: 'duration', ms: d.ms, text: d.text };
  return {
    subject,
    value,
    product: 'nginx',
    setting,
    unit: 'nginx time',
    provenance: file(directive),
    ...extra,
  };
}

function countFact(
  directive: NginxDirective,
  subject: Fact['subject'],
  setting: string,
  diagnostics: ReaderDiagnostic[],
): Fact | undefined {
  const text = directive.args[0] ?? '';
  const placeholder = placeholderIn(text);
  if (placeholder)
    return unknownFact(subject, setting, directive, placeholderNote(directive.name, text, placeholder));
  if (!/^\d+$/.test(text)) {
    diagnostics.push({
      severity: 'error',
      message: `${directive.name} needs a whole number, got ${JSON.stringify(text)}`,
      file: directive.file,
      line: directive.line,
      field: directive.name,
    });
    return undefined;
  }
  return {
    subject,
    value: { type: 'count', count: Number(text), text },
    product: 'nginx',
    setting,
    provenance: file(directive),
  };
}

function kbProvenance(entryId: string, setting: string, versions: string): Provenance {
  return {
    kind: 'knowledge-base',
    entryId,
    product: 'nginx',
    setting,
    sourceUrl: 'https://nginx.org/en/docs/http/ngx_http_upstream_module.html',
    versions,
    verified: true,
  };
}

interface ProxyUse {
  readonly scope: Scope;
  readonly proxyPass: NginxDirective;
}

/** Every `proxy_pass` in the tree with the scope it sits in. */
function proxyUses(http: readonly NginxDirective[]): ProxyUse[] {
  const uses: ProxyUse[] = [];
  for (const server of http.filter((d) => d.name === 'server' && d.block)) {
    const serverName =
      find(server.block, 'server_name')?.args[0] ?? `server at ${server.file}:${server.line}`;
    const visit = (
      block: readonly NginxDirective[],
      locationName: string,
      location: readonly NginxDirective[] | undefined,
    ) => {
      for (const d of block) {
        if (d.name === 'proxy_pass' && location) {
          uses.push({
            scope: { http, server: server.block, location, locationName, serverName },
            proxyPass: d,
          });
        }
        if ((d.name === 'location' || d.name === 'if' || d.name === 'limit_except') && d.block) {
          const name = d.name === 'location' ? d.args.join(' ') : locationName;
          // Nested locations inherit from their parent location: merge by putting the parent's
          // directives after the child's.
          visit(
            d.block,
            name,
            d.name === 'location' ? [...d.block, ...(location ?? [])] : [...d.block, ...(location ?? [])],
          );
        }
      }
    };
    visit(server.block!, '', undefined);
  }
  return uses;
}

/**
 * What a `map`ped variable is for an ordinary request (the `''` entry: the source variable is
 * empty, as `$http_upgrade` is without an Upgrade header; else `default`).
 */
function mapValueForPlainRequests(
  http: readonly NginxDirective[],
  variable: string,
): { value: string; where: string } | undefined {
  const map = http.find((d) => d.name === 'map' && d.args[1] === variable && d.block);
  if (!map?.block) return undefined;
  const entry = map.block.find((d) => d.name === '') ?? map.block.find((d) => d.name === 'default');
  if (!entry) return undefined;
  return { value: entry.args[0] ?? '', where: `${entry.file}:${entry.line}` };
}

/** `http://app/path` → `app`; `http://$backend` (a variable) → undefined. */
function upstreamNameOf(proxyPass: NginxDirective): string | undefined {
  const match = /^https?:\/\/([^/:$]+)(?::\d+)?(?:\/|$)/.exec(proxyPass.args[0] ?? '');
  return match?.[1];
}

function retryFacts(use: ProxyUse, diagnostics: ReaderDiagnostic[]): Fact[] {
  const where = `location ${use.scope.locationName} (server ${use.scope.serverName})`;
  const next = inherited(use.scope, 'proxy_next_upstream');
  const tries = inherited(use.scope, 'proxy_next_upstream_tries');
  const on = next ? next.args.filter((a) => a !== 'non_idempotent') : ['error', 'timeout'];
  const off = on.includes('off');
  const idempotentOnly = !next?.args.includes('non_idempotent');
  let triesText = 'unlimited tries (proxy_next_upstream_tries 0)';
  if (tries) {
    if (!/^\d+$/.test(tries.args[0] ?? '')) {
      diagnostics.push({
        severity: 'error',
        message: `proxy_next_upstream_tries needs a whole number, got ${JSON.stringify(tries.args[0] ?? '')}`,
        file: tries.file,
        line: tries.line,
        field: 'proxy_next_upstream_tries',
      });
    } else triesText = tries.args[0] === '0' ? 'unlimited tries' : `at most ${tries.args[0]} tries`;
  }
  const text = off
    ? `off (${where})`
    : `${on.join(' ')}${idempotentOnly ? '' : ' non_idempotent'}, ${triesText} (${where})`;
  const notes: string[] = [];
  if (!off && on.includes('error')) {
    notes.push(
      idempotentOnly
        ? 'a request that fails on a stale pooled connection is retried on the next server only if its method is idempotent (POST, LOCK, PATCH are not)'
        : 'requests that fail on a stale pooled connection are retried on the next server, also non-idempotent ones',
    );
  }
  return [
    {
      subject: 'retry-policy',
      value: { type: 'retry', on: off ? [] : on, idempotentOnly, text },
      product: 'nginx',
      setting: `proxy_next_upstream (${where})`,
      provenance: next ? file(next) : file(use.proxyPass),
      isDefault: next === undefined,
      notes,
    },
  ];
}

function readUpstream(
  upstream: NginxDirective,
  uses: readonly ProxyUse[],
  version: string | undefined,
  diagnostics: ReaderDiagnostic[],
): ReadSide {
  const name = upstream.args[0] ?? '';
  const block = upstream.block ?? [];
  const facts: Fact[] = [];
  const notes: string[] = [];
  const keepalive = find(block, 'keepalive');
  const poolsByDefault = version === undefined ? undefined : versionInRange(version, POOLS_BY_DEFAULT);
  const newLimits = version === undefined ? true : versionInRange(version, NEW_KEEPALIVE_LIMITS);

  // Is the keep-alive cache on?
  let cacheOn: boolean | undefined;
  if (keepalive) {
    const count = keepalive.args[0] ?? '';
    if (!/^\d+$/.test(count)) {
      diagnostics.push({
        severity: 'error',
        message: `keepalive needs a number of connections, got ${JSON.stringify(count)}`,
        file: keepalive.file,
        line: keepalive.line,
        field: 'keepalive',
      });
    }
    cacheOn = count !== '0';
  } else cacheOn = poolsByDefault;

  // Before 1.29.7 the proxy also had to speak HTTP/1.1 without `Connection: close`.
  const mine = uses.filter((u) => upstreamNameOf(u.proxyPass) === name);
  let reusing: ProxyUse[] = [];
  let speaksKeepAlive: boolean | undefined;
  if (mine.length === 0) {
    speaksKeepAlive = true;
    notes.push(
      `no proxy_pass to ${name} was found in this configuration; assuming its users speak HTTP/1.1 keep-alive`,
    );
  } else {
    const mapNotes = new Set<string>();
    const reuses = (use: ProxyUse, modernDefaults: boolean) => {
      const httpVersion =
        inherited(use.scope, 'proxy_http_version')?.args[0] ?? (modernDefaults ? '1.1' : '1.0');
      const connection = inheritedHeaders(use.scope).find(
        (h) => (h.args[0] ?? '').toLowerCase() === 'connection',
      );
      let connectionValue = connection ? (connection.args[1] ?? '') : modernDefaults ? '' : 'close';
      // The WebSocket recipe `proxy_set_header Connection $connection_upgrade` with
      // `map $http_upgrade $connection_upgrade { default upgrade; '' close; }` sends
      // `Connection: close` on every ordinary request: nothing is reused.
      if (connectionValue.startsWith('$')) {
        const resolved = mapValueForPlainRequests(use.scope.http ?? [], connectionValue);
        if (resolved) {
          connectionValue = resolved.value;
          if (resolved.value.toLowerCase() === 'close' && !mapNotes.has(resolved.where)) {
            mapNotes.add(resolved.where);
            notes.push(
              `proxy_set_header Connection ${connection?.args[1]} is "close" for requests without an Upgrade header (map at ${resolved.where}), so those connections are not reused`,
            );
          }
        }
      }
      return httpVersion === '1.1' && connectionValue.toLowerCase() !== 'close';
    };
    const modern = mine.filter((u) => reuses(u, true));
    const legacy = mine.filter((u) => reuses(u, false));
    if (poolsByDefault === true) reusing = modern;
    else if (poolsByDefault === false) reusing = legacy;
    else reusing = legacy.length === modern.length ? legacy : [];
    speaksKeepAlive =
      poolsByDefault === undefined && legacy.length !== modern.length ? undefined : reusing.length > 0;
    if (speaksKeepAlive === false) {
      notes.push(
        `no location proxying to ${name} sends HTTP/1.1 without "Connection: close" (needs proxy_http_version 1.1 and proxy_set_header Connection "" before nginx 1.29.7), so connections are not reused`,
      );
    } else if (reusing.length < mine.length && reusing.length > 0) {
      notes.push(
        `only ${reusing.length} of ${mine.length} locations proxying to ${name} reuse connections (${reusing.map((u) => u.scope.locationName).join(', ')})`,
      );
    }
  }

  const label = `nginx upstream ${name}`;
  const versionHint =
    'pass the nginx version with --lb-product nginx@VERSION (nginx -v): nginx 1.29.7 and later pool upstream connections by default, older versions only with `keepalive N` plus proxy_http_version 1.1 and proxy_set_header Connection ""';
  const timeout = find(block, 'keepalive_timeout');
  if (cacheOn === false) {
    facts.push({
      subject: 'pool-idle',
      value: { type: 'disabled', text: keepalive ? 'keepalive 0' : 'no keepalive directive' },
      product: 'nginx',
      setting: 'keepalive (in upstream {})',
      provenance: keepalive ? file(keepalive) : file(upstream),
      notes: keepalive
        ? []
        : [`nginx ${version} does not cache upstream connections without \`keepalive N\``],
    });
  } else if (speaksKeepAlive === false) {
    facts.push({
      subject: 'pool-idle',
      value: { type: 'disabled', text: 'connections not reused (HTTP/1.0 or Connection: close)' },
      product: 'nginx',
      setting: 'proxy_http_version / proxy_set_header Connection',
      provenance: file(mine[0]!.proxyPass),
      notes,
    });
  } else if (cacheOn === undefined || speaksKeepAlive === undefined) {
    facts.push({
      subject: 'pool-idle',
      value: { type: 'unset' },
      product: 'nginx',
      setting: 'keepalive_timeout (in upstream {})',
      provenance: file(upstream),
      notes: [
        `whether upstream ${name} pools connections depends on the nginx version; ${versionHint}`,
        ...(timeout
          ? [
              `if it pools, idle connections close after keepalive_timeout ${timeout.args[0]} (${timeout.file}:${timeout.line})`,
            ]
          : []),
      ],
    });
  } else if (timeout) {
    const fact = durationFact(timeout, 'pool-idle', 'keepalive_timeout (in upstream {})', diagnostics, {
      notes: [...(keepalive ? [] : [`pools by default (nginx ${version}); keepalive 32 local`]), ...notes],
    });
    if (fact) facts.push(fact);
  } else if (unreadableInclude(block)) {
    const include = unreadableInclude(block)!;
    facts.push(
      unknownFact(
        'pool-idle',
        'keepalive_timeout (in upstream {})',
        include,
        includeNote(include, 'keepalive_timeout'),
      ),
    );
  } else {
    const fact = defaultFact('nginx', 'pool');
    facts.push({
      ...fact,
      provenance: { ...fact.provenance },
      notes: [
        `upstream ${name} (${upstream.file}:${upstream.line}) does not set keepalive_timeout`,
        ...(keepalive ? [] : [`pools by default (nginx ${version}); keepalive 32 local`]),
        ...notes,
      ],
    });
  }

  const pools = facts[0]?.value.type === 'duration' || facts[0]?.value.type === 'unset';
  if (pools) {
    const requests = find(block, 'keepalive_requests');
    const requestsFact = requests
      ? countFact(requests, 'max-requests-per-connection', 'keepalive_requests (in upstream {})', diagnostics)
      : ({
          subject: 'max-requests-per-connection',
          value: { type: 'count', count: newLimits ? 1000 : 100, text: newLimits ? '1000' : '100' },
          product: 'nginx',
          setting: 'keepalive_requests (in upstream {})',
          isDefault: true,
          provenance: kbProvenance(
            'nginx/keepalive-requests',
            'keepalive_requests',
            newLimits ? '>=1.19.10' : '1.15.3-1.19.9',
          ),
        } satisfies Fact);
    if (requestsFact) facts.push(requestsFact);
    const time = find(block, 'keepalive_time');
    if (time) {
      const f = durationFact(time, 'connection-lifetime', 'keepalive_time (in upstream {})', diagnostics);
      if (f) facts.push(f);
    } else if (newLimits) {
      facts.push({
        subject: 'connection-lifetime',
        value: { type: 'duration', ms: 3_600_000, text: '1h' },
        product: 'nginx',
        setting: 'keepalive_time (in upstream {})',
        isDefault: true,
        provenance: kbProvenance('nginx/keepalive-time', 'keepalive_time', '>=1.19.10'),
      });
    }
    for (const use of reusing.length > 0 ? reusing : mine) facts.push(...retryFacts(use, diagnostics));
  }
  const targets = block.filter((d) => d.name === 'server').map((d) => d.args[0] ?? '');
  return { role: 'pool', name, label, product: 'nginx', facts, targets };
}

function readServer(
  server: NginxDirective,
  http: readonly NginxDirective[],
  version: string | undefined,
  diagnostics: ReaderDiagnostic[],
  fragment = false,
): ReadSide {
  const block = server.block ?? [];
  const serverName = find(block, 'server_name')?.args[0];
  const listen = find(block, 'listen')?.args[0];
  const name =
    serverName && serverName !== '_' ? serverName : listen ? `listen ${listen}` : `server@${server.line}`;
  const facts: Fact[] = [];
  const timeout = find(block, 'keepalive_timeout') ?? find(http, 'keepalive_timeout');
  if (timeout) {
    const notes: string[] = [];
    if (timeout.args[1]) notes.push(`sends "Keep-Alive: timeout=${timeout.args[1]}" to clients`);
    const fact = durationFact(timeout, 'server-keepalive', 'keepalive_timeout', diagnostics, { notes });
    if (fact) facts.push(fact);
  } else if (unreadableInclude(block, http)) {
    const include = unreadableInclude(block, http)!;
    facts.push(
      unknownFact(
        'server-keepalive',
        'keepalive_timeout',
        include,
        includeNote(include, 'keepalive_timeout'),
      ),
    );
  } else if (fragment) {
    facts.push(
      unknownFact(
        'server-keepalive',
        'keepalive_timeout',
        server,
        `${server.file} has no http {} block: it is included into one elsewhere (a conf.d file), whose keepalive_timeout applies (the official nginx image's nginx.conf sets 65s); read the main nginx.conf or \`nginx -T\``,
      ),
    );
  } else {
    facts.push({
      ...defaultFact('nginx', 'server'),
      notes: [`server ${name} (${server.file}:${server.line}) does not set keepalive_timeout`],
    });
  }
  const newLimits = version === undefined ? true : versionInRange(version, NEW_KEEPALIVE_LIMITS);
  const requests = find(block, 'keepalive_requests') ?? find(http, 'keepalive_requests');
  if (requests) {
    const f = countFact(requests, 'max-requests-per-connection', 'keepalive_requests', diagnostics);
    if (f) facts.push(f);
  } else {
    facts.push({
      subject: 'max-requests-per-connection',
      value: { type: 'count', count: newLimits ? 1000 : 100, text: newLimits ? '1000' : '100' },
      product: 'nginx',
      setting: 'keepalive_requests',
      isDefault: true,
      provenance: kbProvenance(
        'nginx/keepalive-requests',
        'keepalive_requests',
        newLimits ? '>=1.19.10' : '<1.19.10',
      ),
    });
  }
  const time = find(block, 'keepalive_time') ?? find(http, 'keepalive_time');
  if (time) {
    const f = durationFact(time, 'connection-lifetime', 'keepalive_time', diagnostics);
    if (f) facts.push(f);
  }
  const targets = block.filter((d) => d.name === 'listen').map((d) => d.args[0] ?? '');
  return { role: 'server', name, label: `nginx server ${name}`, product: 'nginx', facts, targets };
}

/** Reads an nginx configuration: every `upstream {}` (client pool) and `server {}` (server side). */
export function readNginx(input: ReaderInput): ReaderResult {
  const { directives, diagnostics } = parseNginx(input);
  const https = directives.filter((d) => d.name === 'http' && d.block);
  // A file that is only an http-level snippet (conf.d/app.conf) holds upstream/server at top level.
  const httpBlocks = https.length > 0 ? https.map((h) => h.block!) : [directives];
  const sides: ReadSide[] = [];
  const seen = new Set<string>();
  for (const http of httpBlocks) {
    const uses = proxyUses(http);
    for (const upstream of http.filter((d) => d.name === 'upstream' && d.block)) {
      const name = upstream.args[0] ?? '';
      if (seen.has(`upstream ${name}`)) {
        diagnostics.push({
          severity: 'error',
          message: `duplicate upstream "${name}"`,
          file: upstream.file,
          line: upstream.line,
        });
        continue;
      }
      seen.add(`upstream ${name}`);
      const from = diagnostics.length;
      sides.push(readUpstream(upstream, uses, input.version, diagnostics));
      tagDiagnostics(diagnostics, from, name);
    }
    for (const server of http.filter((d) => d.name === 'server' && d.block)) {
      const from = diagnostics.length;
      const side = readServer(server, http, input.version, diagnostics, https.length === 0);
      let unique = side.name;
      for (let i = 2; seen.has(`server ${unique}`); i++) unique = `${side.name}#${i}`;
      seen.add(`server ${unique}`);
      sides.push(unique === side.name ? side : { ...side, name: unique });
      tagDiagnostics(diagnostics, from, unique);
    }
  }
  return { sides, diagnostics };
}

export const nginxReader: ConfigReader = {
  id: 'nginx',
  summary:
    'nginx configuration (with includes) or `nginx -T` output on stdin: upstream keep-alive pools and server keepalive_timeout',
  roles: ['pool', 'server'],
  folderFiles: /\.conf$/i,
  // An nginx block header (`http {`, `upstream app {`, `server {`) in a .conf file or a file named nginx.
  detect: (file, text) =>
    (/\.conf$/i.test(file) || /nginx/i.test(file)) &&
    /^\s*(http|events|upstream\s+\S+|server|location\s+[^{;]+)\s*\{/m.test(text),
  includes: nginxIncludePatterns,
  read: readNginx,
};
