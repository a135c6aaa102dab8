import { parseDuration } from '../../duration/syntaxes.js';
import type { Fact, Provenance } from '../../facts.js';
import { defaultFact } from '../../kb/index.js';
import { placeholderFact } from '../diagnostics.js';
import { asArray, asRecord, type LinedDocument, parseLined } from '../envoy/yaml.js';
import type { ConfigReader, ReaderDiagnostic, ReaderInput, ReaderResult, ReadSide } from '../types.js';
import { isTraefikCrd, readTraefikCrds } from './crd.js';

type Path = (string | number)[];

/**
 * TOML line numbers by a light scan (the values come from the real TOML parser, run by the caller):
 * `[a.b]` / `[[a.b]]` headers and `key = value` lines, as dotted paths (array tables get indexes).
 */
export function scanTomlLines(text: string): Map<string, number> {
  const lines = new Map<string, number>();
  const arrayCounts = new Map<string, number>();
  let table: string[] = [];
  const unquote = (k: string) => k.trim().replace(/^"(.*)"$|^'(.*)'$/, '$1$2');
  const splitKey = (k: string) => k.split('.').map(unquote);
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.replace(/^\s+/, '');
    if (line.startsWith('#') || line === '') return;
    const arrayHeader = /^\[\[([^\]]+)\]\]/.exec(line);
    const header = /^\[([^\]]+)\]/.exec(line);
    if (arrayHeader) {
      const key = splitKey(arrayHeader[1]!).join('.');
      const n = arrayCounts.get(key) ?? 0;
      arrayCounts.set(key, n + 1);
      table = [...splitKey(arrayHeader[1]!), String(n)];
      lines.set(table.join('.'), index + 1);
      return;
    }
    if (header) {
      table = splitKey(header[1]!);
      lines.set(table.join('.'), index + 1);
      return;
    }
    const assignment =
      /^((?:"[^"]*"|'[^']*'|[A-Za-z0-9_.-]+)(?:\s*\.\s*(?:"[^"]*"|'[^']*'|[A-Za-z0-9_-]+))*)\s*=/.exec(line);
    if (assignment) lines.set([...table, ...splitKey(assignment[1]!)].join('.'), index + 1);
  });
  return lines;
}

/** Traefik keys are case-insensitive: find `key` in a record whatever its case. */
export function get(
  record: Record<string, unknown>,
  key: string,
): { key: string; value: unknown } | undefined {
  const lower = key.toLowerCase();
  const found = Object.keys(record).find((k) => k.toLowerCase() === lower);
  return found === undefined ? undefined : { key: found, value: record[found] };
}

export interface Doc {
  readonly value: Record<string, unknown>;
  lineOf(path: Path): number | undefined;
  /** Where a value came from when it is not a line of `input.file` (a command-line flag, an env var). */
  provenance?(path: Path): Provenance | undefined;
}

function tomlDoc(parsed: unknown, text: string): Doc {
  const lines = scanTomlLines(text);
  return {
    value: asRecord(parsed),
    lineOf(path) {
      for (let n = path.length; n > 0; n--) {
        const line = lines.get(path.slice(0, n).join('.'));
        if (line !== undefined) return line;
      }
      return undefined;
    },
  };
}

function yamlDocs(input: ReaderInput, diagnostics: ReaderDiagnostic[]): Doc[] {
  return parseLined(input.text, input.file, diagnostics).map((d: LinedDocument) => ({
    value: asRecord(d.value),
    lineOf: (path: Path) => d.lineOf(path),
  }));
}

/** A value's line and where it came from (a file line, or a flag / env var for command-line config). */
function located(
  doc: Doc,
  input: ReaderInput,
  path: Path,
): { line: number | undefined; provenance: Provenance } {
  const line = doc.lineOf(path);
  return { line, provenance: doc.provenance?.(path) ?? { kind: 'file', file: input.file, line } };
}

function durationFact(
  doc: Doc,
  input: ReaderInput,
  path: Path,
  raw: unknown,
  subject: Fact['subject'],
  setting: string,
  diagnostics: ReaderDiagnostic[],
): Fact | undefined {
  const { line, provenance } = located(doc, input, path);
  const text = String(raw);
  const unknown = placeholderFact(subject, 'traefik', setting, provenance, text);
  if (unknown) return unknown;
  try {
    // paerser: a bare integer is seconds.
    const d = parseDuration(text, {
      syntax: 'go',
      defaultUnit: 's',
      location: { file: input.file, line, field: setting },
    });
    return {
      subject,
      value:
        d.ms === 0
          ? { type: 'unbounded', text: `${text} (no timeout)` }
          : { type: 'duration', ms: d.ms, text: d.text },
      product: 'traefik',
      setting,
      unit: 'Go duration (bare integer = seconds)',
      provenance,
    };
  } catch (error) {
    diagnostics.push({
      severity: 'error',
      message: (error as Error).message,
      file: input.file,
      line,
      field: setting,
    });
    return undefined;
  }
}

export interface Transport {
  readonly name: string;
  readonly facts: Fact[];
}

export function readTransport(
  doc: Doc,
  input: ReaderInput,
  transport: Record<string, unknown>,
  path: Path,
  name: string,
  diagnostics: ReaderDiagnostic[],
): Transport {
  const facts: Fact[] = [];
  const timeouts = get(transport, 'forwardingTimeouts');
  const idle = timeouts ? get(asRecord(timeouts.value), 'idleConnTimeout') : undefined;
  const maxIdle = get(transport, 'maxIdleConnsPerHost');
  if (maxIdle && Number(maxIdle.value) < 0) {
    facts.push({
      subject: 'pool-idle',
      value: { type: 'disabled', text: `maxIdleConnsPerHost ${String(maxIdle.value)}` },
      product: 'traefik',
      setting: 'maxIdleConnsPerHost',
      provenance: { kind: 'file', file: input.file, line: doc.lineOf([...path, maxIdle.key]) },
      notes: ['a negative maxIdleConnsPerHost disables connection reuse'],
    });
  } else if (idle && timeouts) {
    const fact = durationFact(
      doc,
      input,
      [...path, timeouts.key, idle.key],
      idle.value,
      'pool-idle',
      'serversTransport.forwardingTimeouts.idleConnTimeout',
      diagnostics,
    );
    facts.push(
      fact ?? {
        subject: 'pool-idle',
        value: { type: 'unset' },
        product: 'traefik',
        setting: 'idleConnTimeout',
        provenance: { kind: 'file', file: input.file, line: doc.lineOf([...path, timeouts.key, idle.key]) },
      },
    );
  } else {
    facts.push({
      ...defaultFact('traefik', 'pool'),
      notes: [`serversTransport ${name} does not set forwardingTimeouts.idleConnTimeout`],
    });
  }
  return { name, facts };
}

/** Count settings (`keepAliveMaxRequests`): a whole number, 0 = no limit. */
function countFact(
  doc: Doc,
  input: ReaderInput,
  path: Path,
  raw: unknown,
  setting: string,
  diagnostics: ReaderDiagnostic[],
): Fact | undefined {
  const { line, provenance } = located(doc, input, path);
  const text = String(raw);
  const unknown = placeholderFact('max-requests-per-connection', 'traefik', setting, provenance, text);
  if (unknown) return unknown;
  if (!/^\d+$/.test(text.trim())) {
    diagnostics.push({
      severity: 'error',
      message: `${setting} needs a whole number, got ${JSON.stringify(text)}`,
      file: input.file,
      line,
      field: setting,
    });
    return undefined;
  }
  const count = Number(text);
  // 0 (the default) is no limit: nothing to report.
  if (count === 0) return undefined;
  return {
    subject: 'max-requests-per-connection',
    value: { type: 'count', count, text },
    product: 'traefik',
    setting,
    provenance,
  };
}

/** Static configuration: the default serversTransport and the entry points. */
export function readStatic(
  doc: Doc,
  input: ReaderInput,
  diagnostics: ReaderDiagnostic[],
): { sides: ReadSide[]; defaultTransport: Transport | undefined } {
  const root = doc.value;
  const sides: ReadSide[] = [];
  const staticTransport = get(root, 'serversTransport');
  const defaultTransport = staticTransport
    ? readTransport(
        doc,
        input,
        asRecord(staticTransport.value),
        [staticTransport.key],
        'default',
        diagnostics,
      )
    : undefined;
  const entryPoints = get(root, 'entryPoints');
  for (const [name, ep] of Object.entries(asRecord(entryPoints?.value))) {
    const transport = get(asRecord(ep), 'transport');
    const transportValue = asRecord(transport?.value);
    const responding = transport ? get(transportValue, 'respondingTimeouts') : undefined;
    const idle = responding ? get(asRecord(responding.value), 'idleTimeout') : undefined;
    const base = [entryPoints!.key, name, transport?.key ?? 'transport'];
    const facts: Fact[] = [];
    if (idle && transport && responding) {
      const fact = durationFact(
        doc,
        input,
        [...base, responding.key, idle.key],
        idle.value,
        'server-keepalive',
        `entryPoints.${name}.transport.respondingTimeouts.idleTimeout`,
        diagnostics,
      );
      if (fact?.value.type === 'unbounded') {
        // Traefik hands idleTimeout to Go's http.Server, which uses ReadTimeout when IdleTimeout is 0.
        const read = get(asRecord(responding.value), 'readTimeout');
        const setting = `entryPoints.${name}.transport.respondingTimeouts.readTimeout`;
        const readFact = read
          ? durationFact(
              doc,
              input,
              [...base, responding.key, read.key],
              read.value,
              'server-keepalive',
              setting,
              diagnostics,
            )
          : undefined;
        const note = "idleTimeout 0: Go's http.Server then keeps idle connections for ReadTimeout";
        if (readFact) facts.push({ ...readFact, notes: [...(readFact.notes ?? []), note] });
        else
          facts.push({
            subject: 'server-keepalive',
            value: { type: 'unset' },
            product: 'traefik',
            setting,
            provenance: fact.provenance,
            notes: [
              read
                ? `${note}, which could not be read`
                : `${note}, whose default is 60s since Traefik v2.11.2 (traefik/traefik#10602) and none before: give the version's value`,
            ],
          });
      } else if (fact) facts.push(fact);
    } else {
      facts.push({
        ...defaultFact('traefik', 'server'),
        notes: [`entry point ${name} does not set respondingTimeouts.idleTimeout`],
      });
    }
    // Traefik v2.11+/v3: close a client connection after N requests or after a time, busy or not.
    const maxRequests = get(transportValue, 'keepAliveMaxRequests');
    if (maxRequests) {
      const fact = countFact(
        doc,
        input,
        [...base, maxRequests.key],
        maxRequests.value,
        `entryPoints.${name}.transport.keepAliveMaxRequests`,
        diagnostics,
      );
      if (fact) facts.push(fact);
    }
    const maxTime = get(transportValue, 'keepAliveMaxTime');
    if (maxTime) {
      const fact = durationFact(
        doc,
        input,
        [...base, maxTime.key],
        maxTime.value,
        'connection-lifetime',
        `entryPoints.${name}.transport.keepAliveMaxTime`,
        diagnostics,
      );
      if (fact && fact.value.type !== 'unbounded') facts.push(fact);
    }
    const address = String(asRecord(ep).address ?? '');
    sides.push({
      role: 'server',
      name,
      label: `Traefik entry point ${name}`,
      product: 'traefik',
      facts,
      targets: address ? [address] : [],
    });
  }
  return { sides, defaultTransport };
}

/** Reads Traefik static and dynamic configuration (YAML, or TOML parsed by the caller). */
export function readTraefik(input: ReaderInput): ReaderResult {
  const diagnostics: ReaderDiagnostic[] = [];
  const docs =
    input.parsed !== undefined ? [tomlDoc(input.parsed, input.text)] : yamlDocs(input, diagnostics);
  const sides: ReadSide[] = [];
  const crds = docs.filter((d) => isTraefikCrd(d.value));
  if (crds.length > 0)
    sides.push(
      ...readTraefikCrds(
        crds.map((doc) => ({ doc, file: input.file })),
        diagnostics,
      ),
    );
  for (const doc of docs) {
    const root = doc.value;
    if (isTraefikCrd(root)) continue;
    const statics = readStatic(doc, input, diagnostics);
    const defaultTransport = statics.defaultTransport;
    sides.push(...statics.sides);
    // Dynamic: named transports and the services that use them.
    const http = get(root, 'http');
    const httpValue = asRecord(http?.value);
    const transportsEntry = get(httpValue, 'serversTransports');
    const transports = new Map<string, Transport>();
    for (const [name, t] of Object.entries(asRecord(transportsEntry?.value))) {
      transports.set(
        name,
        readTransport(doc, input, asRecord(t), [http!.key, transportsEntry!.key, name], name, diagnostics),
      );
    }
    const servicesEntry = get(httpValue, 'services');
    const services = Object.entries(asRecord(servicesEntry?.value));
    const used = new Set<string>();
    for (const [name, service] of services) {
      const lb = get(asRecord(service), 'loadBalancer');
      if (!lb) continue;
      const lbValue = asRecord(lb.value);
      const ref = get(lbValue, 'serversTransport');
      const refName = ref ? String(ref.value).replace(/@.*$/, '') : undefined;
      let facts: Fact[];
      if (refName !== undefined) {
        const transport = transports.get(refName);
        used.add(refName);
        facts = transport
          ? transport.facts
          : [
              {
                subject: 'pool-idle',
                value: { type: 'unset' },
                product: 'traefik',
                setting: 'serversTransport',
                provenance: {
                  kind: 'file',
                  file: input.file,
                  line: doc.lineOf([http!.key, servicesEntry!.key, name, lb.key, ref!.key]),
                },
                notes: [
                  `serversTransport ${String(ref!.value)} is defined elsewhere (another file or provider); read that file too`,
                ],
              },
            ];
      } else {
        facts = defaultTransport?.facts ?? [
          {
            ...defaultFact('traefik', 'pool'),
            notes: [`service ${name} uses the default serversTransport (not in this file)`],
          },
        ];
      }
      const servers = get(lbValue, 'servers');
      const targets = asArray(servers?.value).map((s) => String(get(asRecord(s), 'url')?.value ?? ''));
      sides.push({
        role: 'pool',
        name,
        label: `Traefik service ${name}`,
        product: 'traefik',
        facts,
        targets,
      });
    }
    for (const [name, transport] of transports) {
      if (used.has(name)) continue;
      sides.push({
        role: 'pool',
        name: `serversTransport/${name}`,
        label: `Traefik serversTransport ${name}`,
        product: 'traefik',
        facts: transport.facts,
      });
    }
    if (defaultTransport && services.length === 0) {
      sides.push({
        role: 'pool',
        name: 'serversTransport',
        label: 'Traefik default serversTransport',
        product: 'traefik',
        facts: defaultTransport.facts,
      });
    }
  }
  return { sides, diagnostics };
}

export const traefikReader: ConfigReader = {
  id: 'traefik',
  summary:
    'Traefik static/dynamic configuration (YAML or TOML): serversTransport idleConnTimeout per service, entry point idleTimeout',
  roles: ['pool', 'server'],
  preparse: 'toml',
  folderFiles: /\.(ya?ml|toml)$/i,
  detect: (file, text) =>
    /\.(ya?ml|toml)$/i.test(file) &&
    (/traefik/i.test(file) || /\b(serversTransports?|entryPoints)\b/.test(text)),
  read: readTraefik,
};
