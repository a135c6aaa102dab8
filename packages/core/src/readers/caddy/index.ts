import type { Fact, Provenance } from '../../facts.js';
import { defaultFact } from '../../kb/index.js';
import { durationOrDiagnostic, placeholderNote } from '../diagnostics.js';
import { asArray, asRecord, type LinedDocument, parseLined } from '../envoy/yaml.js';
import {
  type ConfigReader,
  type ReaderDiagnostic,
  type ReaderInput,
  type ReaderResult,
  type ReadSide,
  tagDiagnostics,
} from '../types.js';

const RETRY_NOTE =
  "Caddy (Go's transport) silently replays an idempotent request that failed on a stale pooled connection; a POST is never replayed and gets 502";

/** A Caddyfile line: its words, its line, and the block it opens. */
interface Directive {
  readonly words: readonly string[];
  readonly line: number;
  readonly block?: Directive[] | undefined;
}

function tokenizeLine(text: string): string[] {
  const words: string[] = [];
  let i = 0;
  while (i < text.length) {
    const ch = text[i]!;
    if (ch === ' ' || ch === '\t') {
      i++;
      continue;
    }
    if (ch === '#') break;
    if (ch === '"' || ch === '`') {
      const end = text.indexOf(ch, i + 1);
      words.push(text.slice(i + 1, end < 0 ? text.length : end));
      i = end < 0 ? text.length : end + 1;
      continue;
    }
    let j = i;
    while (j < text.length && text[j] !== ' ' && text[j] !== '\t') j++;
    words.push(text.slice(i, j));
    i = j;
  }
  return words;
}

/** Parses a Caddyfile into directive trees (`{` ends a line to open a block, `}` closes it). */
export function parseCaddyfile(text: string, file: string, diagnostics: ReaderDiagnostic[]): Directive[] {
  const root: Directive[] = [];
  const stack: Array<{ list: Directive[]; line: number }> = [{ list: root, line: 0 }];
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = index + 1;
    let words = tokenizeLine(raw);
    if (words.length === 0) return;
    while (words[0] === '}') {
      if (stack.length === 1) diagnostics.push({ severity: 'error', message: 'unexpected "}"', file, line });
      else stack.pop();
      words = words.slice(1);
    }
    if (words.length === 0) return;
    const opens = words[words.length - 1] === '{';
    const closesToo = !opens && words[words.length - 1] === '}' && words.includes('{');
    if (opens) words = words.slice(0, -1);
    const current = stack[stack.length - 1]!.list;
    if (closesToo) {
      // `transport http { keepalive off }` on one line: Caddy refuses it; read it anyway, say so.
      diagnostics.push({
        severity: 'error',
        message: `unexpected next token after "{" on the same line (Caddy refuses this)`,
        file,
        line,
      });
      const open = words.indexOf('{');
      const inner = words.slice(open + 1, -1);
      current.push({
        words: words.slice(0, open),
        line,
        block: inner.length > 0 ? [{ words: inner, line }] : [],
      });
      return;
    }
    const directive: Directive = { words, line, block: opens ? [] : undefined };
    current.push(directive);
    if (opens) stack.push({ list: directive.block!, line });
  });
  if (stack.length > 1) {
    diagnostics.push({
      severity: 'error',
      message: 'unexpected end of file, expecting "}"',
      file,
      line: stack[stack.length - 1]!.line,
    });
  }
  return root;
}

function caddyDuration(
  text: string,
  input: ReaderInput,
  line: number | undefined,
  field: string,
  diagnostics: ReaderDiagnostic[],
): { ms: number; text: string } | undefined {
  return durationOrDiagnostic(text, 'caddy', { file: input.file, line, field }, diagnostics);
}

/** A Caddyfile duration setting as a fact; a value Caddy would refuse is unknown (and an error). */
function durationFactAt(
  input: ReaderInput,
  line: number | undefined,
  subject: 'pool-idle' | 'server-keepalive',
  setting: string,
  text: string,
  diagnostics: ReaderDiagnostic[],
): Fact {
  const d = caddyDuration(text, input, line, setting, diagnostics);
  return d
    ? {
        subject,
        value: { type: 'duration', ms: d.ms, text: d.text },
        product: 'caddy',
        setting,
        unit: 'Caddy duration',
        provenance: fileAt(input, line),
      }
    : { subject, value: { type: 'unset' }, product: 'caddy', setting, provenance: fileAt(input, line) };
}

function fileAt(input: ReaderInput, line: number | undefined): Provenance {
  return { kind: 'file', file: input.file, line };
}

function retryFact(input: ReaderInput, line: number | undefined): Fact {
  return {
    subject: 'retry-policy',
    value: {
      type: 'retry',
      on: ['stale-connection'],
      idempotentOnly: true,
      text: 'replays idempotent requests on a stale pooled connection',
    },
    product: 'caddy',
    setting: 'reverse_proxy (Go transport)',
    isDefault: true,
    provenance: fileAt(input, line),
    notes: [RETRY_NOTE],
  };
}

const MATCHER = /^(@|\/|\*)/;

function readCaddyfile(input: ReaderInput): ReaderResult {
  const diagnostics: ReaderDiagnostic[] = [];
  const tree = parseCaddyfile(input.text, input.file, diagnostics);
  const sides: ReadSide[] = [];
  const names = new Map<string, number>();
  let global: Directive | undefined;
  const visit = (list: readonly Directive[], site: string) => {
    for (const d of list) {
      if (d.words[0] === 'reverse_proxy') {
        const upstreams = d.words.slice(1).filter((w, i) => !(i === 0 && MATCHER.test(w)));
        for (const sub of d.block ?? []) if (sub.words[0] === 'to') upstreams.push(...sub.words.slice(1));
        const base = upstreams.join(' ') || `reverse_proxy@${d.line}`;
        const n = (names.get(base) ?? 0) + 1;
        names.set(base, n);
        const name = n === 1 ? base : `${base}#${n}`;
        const from = diagnostics.length;
        const facts: Fact[] = [];
        const transport = (d.block ?? []).find((s) => s.words[0] === 'transport');
        const keepalive = transport?.block?.find((s) => s.words[0] === 'keepalive');
        const protocol = transport?.words[1] ?? 'http';
        const versions = transport?.block?.find((s) => s.words[0] === 'versions');
        const h2c = upstreams.some((u) => /^(unix\+)?h2c[:/]/.test(u)) || versions?.words.includes('h2c');
        if (protocol !== 'http') {
          facts.push(otherTransportFact(input, transport?.line, protocol));
        } else if (h2c) {
          facts.push(h2cFact(input, versions?.line ?? d.line));
        } else if (keepalive && /\{[^}]*\}/.test(keepalive.words[1] ?? '')) {
          facts.push(
            unknownFact(
              input,
              keepalive.line,
              'pool-idle',
              'transport http { keepalive }',
              keepalive.words[1]!,
            ),
          );
        } else if (keepalive) {
          const value = keepalive.words[1] ?? '';
          if (value === 'off') {
            facts.push({
              subject: 'pool-idle',
              value: { type: 'disabled', text: 'keepalive off' },
              product: 'caddy',
              setting: 'transport http { keepalive }',
              provenance: fileAt(input, keepalive.line),
            });
          } else {
            facts.push(
              durationFactAt(
                input,
                keepalive.line,
                'pool-idle',
                'transport http { keepalive }',
                value,
                diagnostics,
              ),
            );
          }
        } else {
          facts.push({
            ...defaultFact('caddy', 'pool'),
            notes: [
              `reverse_proxy ${base} (${input.file}:${d.line}) does not set transport http { keepalive }`,
            ],
          });
        }
        facts.push(retryFact(input, d.line));
        sides.push({
          role: 'pool',
          name,
          label: `Caddy reverse_proxy ${base}${site ? ` (${site})` : ''}`,
          product: 'caddy',
          facts,
          targets: upstreams,
        });
        tagDiagnostics(diagnostics, from, name);
      } else if (d.words[0] === 'import') {
        diagnostics.push({
          severity: 'warning',
          message: `import ${d.words.slice(1).join(' ')} is not followed; read the imported file or snippet too`,
          file: input.file,
          line: d.line,
        });
      }
      if (d.block && d.words[0] !== 'reverse_proxy') visit(d.block, site);
    }
  };
  const first = tree[0];
  if (first && first.words.length === 0 && first.block) global = first;
  const rest = tree.filter(
    (d) => d !== global && !d.words[0]?.startsWith('(') && !d.words[0]?.startsWith('&('),
  );
  // A file with one site may leave out its braces: the first line is the site's address and every
  // line after it is the site's body (Caddyfile concepts, "Structure").
  const braceless = rest[0] && !rest[0].block && rest[0].words[0] !== 'reverse_proxy';
  const sites: Array<{ addresses: string[]; body: readonly Directive[] }> = braceless
    ? [{ addresses: siteAddresses(rest[0]!), body: rest.slice(1) }]
    : rest.filter((d) => d.block).map((d) => ({ addresses: siteAddresses(d), body: d.block! }));
  for (const site of sites) visit(site.body, site.addresses.join(' '));
  if (!braceless) for (const d of rest) if (!d.block && d.words[0] === 'reverse_proxy') visit([d], '');

  // Server side: one Caddy server per listener port, each with the `servers` block for its
  // listener address, else the `servers` block without one, else the default (5 m).
  const option = (name: string) => global?.block?.find((d) => d.words[0] === name)?.words[1];
  const ports = { http: option('http_port') ?? '80', https: option('https_port') ?? '443' };
  const listeners = new Map<string, string[]>();
  for (const site of sites) {
    for (const address of site.addresses) {
      const listener = listenerOf(address, ports);
      listeners.set(listener, [...(listeners.get(listener) ?? []), address]);
    }
  }
  if (listeners.size === 0) listeners.set('servers', []);
  const serverBlocks = global?.block?.filter((d) => d.words[0] === 'servers') ?? [];
  for (const [listener, addresses] of listeners) {
    const port = listener.replace(/^.*:/, '');
    const block =
      serverBlocks.find((b) => b.words[1] !== undefined && b.words[1].replace(/^.*:/, '') === port) ??
      serverBlocks.find((b) => b.words[1] === undefined);
    const idle = block?.block
      ?.find((d) => d.words[0] === 'timeouts')
      ?.block?.find((d) => d.words[0] === 'idle');
    const facts: Fact[] = [];
    const value = idle?.words[1] ?? '';
    if (idle && /\{[^}]*\}/.test(value)) {
      facts.push(unknownFact(input, idle.line, 'server-keepalive', 'servers { timeouts { idle } }', value));
    } else if (idle) {
      facts.push(
        durationFactAt(
          input,
          idle.line,
          'server-keepalive',
          'servers { timeouts { idle } }',
          value,
          diagnostics,
        ),
      );
    } else {
      facts.push({
        ...defaultFact('caddy', 'server'),
        notes: [
          `the global options do not set servers${listener === 'servers' ? '' : ` ${listener}`} { timeouts { idle } }`,
        ],
      });
    }
    sides.push({
      role: 'server',
      name: listener,
      label: listener === 'servers' ? 'Caddy server' : `Caddy server ${listener}`,
      product: 'caddy',
      facts,
      targets: addresses,
    });
  }
  return { sides, diagnostics };
}

/** A site block's addresses (`a.com, b.com {`). */
function siteAddresses(d: Directive): string[] {
  return d.words.flatMap((w) => w.split(',')).filter(Boolean);
}

/**
 * The listener a site address gets (Caddyfile concepts, "Addresses"): its port when it has one,
 * `http://` the HTTP port, anything else (a host name, `https://`) the HTTPS port.
 */
function listenerOf(address: string, ports: { http: string; https: string }): string {
  const withoutPath = address.replace(/^([a-z0-9+]+:\/\/)?([^/]*).*$/i, '$1$2');
  const port = /:(\d+)$/.exec(withoutPath)?.[1];
  if (port) return `:${port}`;
  return `:${/^http:\/\//i.test(address) ? ports.http : ports.https}`;
}

/**
 * A non-HTTP transport. `fastcgi` dials a new connection for every request and closes it with the
 * response body (caddyserver/caddy modules/caddyhttp/reverseproxy/fastcgi/fastcgi.go, RoundTrip, at
 * 00b1ea034dcc665c793b21f32f60b97f46dca84f): nothing is pooled. Another transport module: unknown.
 */
function otherTransportFact(input: ReaderInput, line: number | undefined, protocol: string): Fact {
  return protocol === 'fastcgi'
    ? {
        subject: 'pool-idle',
        value: { type: 'disabled', text: 'transport fastcgi: a new connection per request' },
        product: 'caddy',
        setting: 'transport fastcgi',
        provenance: fileAt(input, line),
        notes: [
          "Caddy's fastcgi transport dials the upstream for every request and closes the connection with the response: no connection is pooled or reused",
        ],
      }
    : {
        subject: 'pool-idle',
        value: { type: 'unset' },
        product: 'caddy',
        setting: `transport ${protocol}`,
        provenance: fileAt(input, line),
        notes: [`transport ${protocol} is not Caddy's http transport; how it pools connections is not known`],
      };
}

/**
 * `h2c` upstreams go through a separate HTTP/2 transport that Caddy builds without the http
 * transport's keep-alive settings (caddyserver/caddy modules/caddyhttp/reverseproxy/httptransport.go:
 * `&http2.Transport{AllowHTTP: true}`, no IdleConnTimeout, in the versions stored for this project);
 * how long it keeps an idle connection depends on the Caddy and Go versions: unknown, not 2 m.
 */
function h2cFact(input: ReaderInput, line: number | undefined): Fact {
  return {
    subject: 'pool-idle',
    value: { type: 'unset' },
    product: 'caddy',
    setting: 'transport http { versions h2c }',
    provenance: fileAt(input, line),
    notes: [
      'h2c (HTTP/2 over cleartext) uses a separate HTTP/2 transport, not the keep_alive settings of the http transport; its idle timeout depends on the Caddy version (older versions set none): give the value with --lb, or check with the Caddy version in use',
    ],
  };
}

/** A value Caddy substitutes at load or run time (`{$IDLE}`, `{env.IDLE}`): unknown, with the reason. */
function unknownFact(
  input: ReaderInput,
  line: number | undefined,
  subject: 'pool-idle' | 'server-keepalive',
  setting: string,
  value: string,
): Fact {
  return {
    subject,
    value: { type: 'unset' },
    product: 'caddy',
    setting,
    provenance: fileAt(input, line),
    notes: [placeholderNote(setting, value, /\{[^}]*\}/.exec(value)?.[0] ?? value)],
  };
}

/** A duration in Caddy JSON: a string (`"2m"`) or an integer of nanoseconds. */
function jsonDuration(
  value: unknown,
  doc: LinedDocument,
  path: (string | number)[],
  input: ReaderInput,
  field: string,
  diagnostics: ReaderDiagnostic[],
): { ms: number; text: string } | undefined {
  const text = typeof value === 'number' ? `${value}ns` : String(value);
  return caddyDuration(text, input, doc.lineOf(path), field, diagnostics);
}

function readCaddyJson(input: ReaderInput): ReaderResult {
  const diagnostics: ReaderDiagnostic[] = [];
  const sides: ReadSide[] = [];
  for (const doc of parseLined(input.text, input.file, diagnostics)) {
    const serversPath = ['apps', 'http', 'servers'];
    const servers = asRecord(asRecord(asRecord(asRecord(doc.value).apps).http).servers);
    for (const [serverName, s] of Object.entries(servers)) {
      const server = asRecord(s);
      const visitRoutes = (routes: unknown, path: (string | number)[]) => {
        asArray(routes).forEach((r, ri) => {
          asArray(asRecord(r).handle).forEach((h, hi) => {
            const handler = asRecord(h);
            const hPath = [...path, ri, 'handle', hi];
            if (handler.handler === 'subroute') visitRoutes(handler.routes, [...hPath, 'routes']);
            if (handler.handler !== 'reverse_proxy') return;
            const upstreams = asArray(handler.upstreams).map((u) => String(asRecord(u).dial ?? ''));
            const name = `${serverName}/${upstreams.join(' ') || `handler@${doc.lineOf(hPath) ?? '?'}`}`;
            const transport = asRecord(handler.transport);
            const keepAlive = asRecord(transport.keep_alive);
            const kaPath = [...hPath, 'transport', 'keep_alive'];
            const from = diagnostics.length;
            const facts: Fact[] = [];
            const protocol = String(transport.protocol ?? 'http');
            const idleText = keepAlive.idle_timeout;
            if (protocol !== 'http') {
              facts.push(
                otherTransportFact(input, doc.lineOf([...hPath, 'transport', 'protocol']), protocol),
              );
            } else if (asArray(transport.versions).includes('h2c')) {
              facts.push(h2cFact(input, doc.lineOf([...hPath, 'transport', 'versions'])));
            } else if (typeof idleText === 'string' && /\{[^}]*\}/.test(idleText)) {
              facts.push(
                unknownFact(
                  input,
                  doc.lineOf([...kaPath, 'idle_timeout']),
                  'pool-idle',
                  'transport.keep_alive.idle_timeout',
                  idleText,
                ),
              );
            } else if (keepAlive.enabled === false) {
              facts.push({
                subject: 'pool-idle',
                value: { type: 'disabled', text: 'keep_alive.enabled: false' },
                product: 'caddy',
                setting: 'transport.keep_alive.enabled',
                provenance: fileAt(input, doc.lineOf([...kaPath, 'enabled'])),
              });
            } else if (keepAlive.idle_timeout !== undefined) {
              const d = jsonDuration(
                keepAlive.idle_timeout,
                doc,
                [...kaPath, 'idle_timeout'],
                input,
                'keep_alive.idle_timeout',
                diagnostics,
              );
              facts.push(
                d
                  ? {
                      subject: 'pool-idle',
                      value: { type: 'duration', ms: d.ms, text: d.text },
                      product: 'caddy',
                      setting: 'transport.keep_alive.idle_timeout',
                      unit: 'Caddy duration',
                      provenance: fileAt(input, doc.lineOf([...kaPath, 'idle_timeout'])),
                    }
                  : {
                      subject: 'pool-idle',
                      value: { type: 'unset' },
                      product: 'caddy',
                      setting: 'keep_alive.idle_timeout',
                      provenance: fileAt(input, doc.lineOf([...kaPath, 'idle_timeout'])),
                    },
              );
            } else {
              facts.push({
                ...defaultFact('caddy', 'pool'),
                notes: [`reverse_proxy ${name} does not set transport.keep_alive.idle_timeout`],
              });
            }
            facts.push(retryFact(input, doc.lineOf(hPath)));
            sides.push({
              role: 'pool',
              name,
              label: `Caddy reverse_proxy ${upstreams.join(' ')} (server ${serverName})`,
              product: 'caddy',
              facts,
              targets: upstreams,
            });
            tagDiagnostics(diagnostics, from, name);
          });
        });
      };
      visitRoutes(server.routes, [...serversPath, serverName, 'routes']);
      const facts: Fact[] = [];
      if (server.idle_timeout !== undefined) {
        const d = jsonDuration(
          server.idle_timeout,
          doc,
          [...serversPath, serverName, 'idle_timeout'],
          input,
          'idle_timeout',
          diagnostics,
        );
        if (d)
          facts.push({
            subject: 'server-keepalive',
            value: { type: 'duration', ms: d.ms, text: d.text },
            product: 'caddy',
            setting: 'apps.http.servers.*.idle_timeout',
            unit: 'Caddy duration',
            provenance: fileAt(input, doc.lineOf([...serversPath, serverName, 'idle_timeout'])),
          });
      } else {
        facts.push({
          ...defaultFact('caddy', 'server'),
          notes: [`server ${serverName} does not set idle_timeout`],
        });
      }
      sides.push({
        role: 'server',
        name: serverName,
        label: `Caddy server ${serverName}`,
        product: 'caddy',
        facts,
        targets: asArray(server.listen).map(String),
      });
    }
  }
  return { sides, diagnostics };
}

/** Reads a Caddy JSON config or a Caddyfile. */
export function readCaddy(input: ReaderInput): ReaderResult {
  return input.text.trimStart().startsWith('{') && /"apps"\s*:/.test(input.text)
    ? readCaddyJson(input)
    : readCaddyfile(input);
}

export const caddyReader: ConfigReader = {
  id: 'caddy',
  summary: 'Caddy JSON config or Caddyfile: reverse_proxy transport http keepalive, servers idle timeout',
  roles: ['pool', 'server'],
  folderFiles: /(Caddyfile|\.json|\.caddyfile)$/i,
  detect: (file, text) =>
    /(^|\/)Caddyfile$|\.caddyfile$/i.test(file) ||
    /"handler"\s*:\s*"reverse_proxy"/.test(text) ||
    (/caddy/i.test(file) && /^\s*reverse_proxy\s/m.test(text)),
  read: readCaddy,
};
