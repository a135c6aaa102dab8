import type { Fact, Provenance } from '../../facts.js';
import { defaultFact } from '../../kb/index.js';
import { type ContainerSpec, containerArgv } from '../image/container.js';
import type { ReaderDiagnostic, ReaderResult, ReadSide } from '../types.js';
import { type Doc, readStatic } from './index.js';

type Path = (string | number)[];

/** One static-configuration setting given on a command line or in the environment. */
export interface TraefikSetting {
  /** Path as written, segments split on `.` (flags) or `_` (env): `serversTransport.forwardingTimeouts.idleConnTimeout`. */
  readonly path: readonly string[];
  readonly value: string;
  readonly provenance: Provenance;
}

/**
 * Traefik's static configuration from command-line flags (`--entryPoints.web.address=:80`,
 * `--serversTransport.forwardingTimeouts.idleConnTimeout=30s`; a flag without a value is `true`) and
 * environment variables (`TRAEFIK_ENTRYPOINTS_WEB_TRANSPORT_RESPONDINGTIMEOUTS_IDLETIMEOUT=60s`), as
 * Traefik's static configuration reference spells them. Keys are case-insensitive. Pure.
 */
export function traefikSettings(
  argv: readonly string[],
  env: ReadonlyMap<string, { value: string; provenance: Provenance }>,
  flagProvenance: (flag: string) => Provenance,
): TraefikSetting[] {
  const out: TraefikSetting[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith('--')) continue;
    const eq = arg.indexOf('=');
    const key = arg.slice(2, eq < 0 ? undefined : eq);
    let value = eq < 0 ? undefined : arg.slice(eq + 1);
    if (value === undefined && argv[i + 1] !== undefined && !argv[i + 1]!.startsWith('-')) value = argv[++i];
    out.push({ path: key.split('.'), value: value ?? 'true', provenance: flagProvenance(arg) });
  }
  for (const [name, entry] of env) {
    if (!/^TRAEFIK_/i.test(name)) continue;
    out.push({
      path: name.slice('TRAEFIK_'.length).split('_'),
      value: entry.value,
      provenance: entry.provenance,
    });
  }
  return out;
}

/** Does this command line or environment configure Traefik (image name, or its flags/env)? */
export function looksLikeTraefik(spec: ContainerSpec): boolean {
  const argv = containerArgv(spec);
  return (
    /(^|\/)traefik(:|@|$)/i.test(spec.image ?? '') ||
    argv.some((a) => /^--(entrypoints|serverstransport|providers)\./i.test(a)) ||
    [...spec.env.keys()].some((k) => /^TRAEFIK_(ENTRYPOINTS|SERVERSTRANSPORT|PROVIDERS)_/i.test(k))
  );
}

/** The settings as a static-configuration document the file reader's code reads (keys lower-cased). */
function settingsDoc(settings: readonly TraefikSetting[]): Doc {
  const root: Record<string, unknown> = {};
  const where = new Map<string, Provenance>();
  for (const s of settings) {
    let node = root;
    s.path.forEach((segment, i) => {
      const key = segment.toLowerCase();
      if (i === s.path.length - 1) node[key] = s.value;
      else {
        if (typeof node[key] !== 'object' || node[key] === null) node[key] = {};
        node = node[key] as Record<string, unknown>;
      }
    });
    where.set(s.path.join('.').toLowerCase(), s.provenance);
  }
  const find = (path: Path): Provenance | undefined => {
    for (let n = path.length; n > 0; n--) {
      const p = where.get(path.slice(0, n).join('.').toLowerCase());
      if (p) return p;
    }
    return undefined;
  };
  return {
    value: root,
    lineOf: (path) => {
      const p = find(path);
      return p?.kind === 'file' ? p.line : undefined;
    },
    provenance: find,
  };
}

/**
 * Traefik run with its static configuration on the command line or in the environment (a compose
 * service, an ECS container definition): its entry points (server side) and its default
 * serversTransport (the pool every service without a named transport uses). With flags or env,
 * Traefik reads no static configuration file, so an unset idleConnTimeout is Traefik's default.
 */
export function readTraefikContainer(spec: ContainerSpec): ReaderResult {
  const diagnostics: ReaderDiagnostic[] = [];
  const at: Provenance = { kind: 'file', file: spec.file, line: spec.commandLine ?? spec.line };
  const settings = traefikSettings(containerArgv(spec), spec.env, () => at);
  const doc = settingsDoc(settings);
  const input = { text: '', file: spec.file };
  const { sides: entryPoints, defaultTransport } = readStatic(doc, input, diagnostics);
  const sides: ReadSide[] = entryPoints.map((s) => ({
    ...s,
    name: `${spec.name}/${s.name}`,
    label: `${s.label} (${spec.label})`,
  }));
  const facts: Fact[] = defaultTransport?.facts ?? [
    {
      ...defaultFact('traefik', 'pool'),
      notes: [
        `${spec.label} does not set --serversTransport.forwardingTimeouts.idleConnTimeout (or TRAEFIK_SERVERSTRANSPORT_FORWARDINGTIMEOUTS_IDLECONNTIMEOUT)`,
      ],
    },
  ];
  sides.push({
    role: 'pool',
    name: `${spec.name}/serversTransport`,
    label: `Traefik default serversTransport (${spec.label})`,
    product: 'traefik',
    facts,
  });
  return { sides, diagnostics };
}

/**
 * For container readers (compose, ECS): adds Traefik's sides when the container runs Traefik, and
 * says whether it did. A Traefik container is described by its entry points and serversTransport,
 * so the caller then skips the generic server side (which would only be an unknown keep-alive).
 */
export function addTraefikSides(spec: ContainerSpec, into: ReaderResult & { sides: ReadSide[] }): boolean {
  if (!looksLikeTraefik(spec)) return false;
  const result = readTraefikContainer(spec);
  into.sides.push(...result.sides);
  (into.diagnostics as ReaderDiagnostic[]).push(...result.diagnostics);
  return result.sides.length > 0;
}
