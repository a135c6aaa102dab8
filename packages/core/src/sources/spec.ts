import { KeepaliveParityError } from '../errors.js';

/**
 * A source as users write it: `kind:locator[#fragment]`, e.g. `runtime:gunicorn@21.2`,
 * `env:KEEP_ALIVE_TIMEOUT`, `nginx:/etc/nginx/nginx.conf#app`, `probe:http://10.0.3.7:8080/healthz`.
 * Text without a known `kind:` prefix is a literal value (`60s`), the same as `value:60s`.
 */
export interface SourceSpec {
  readonly kind: string;
  readonly locator: string;
  /** After the last `#`: which upstream, backend, cluster or variable inside the source. */
  readonly fragment?: string | undefined;
  /** `runtime:NAME@VERSION`: the version part. */
  readonly version?: string | undefined;
  /** Exactly what the user wrote. */
  readonly raw: string;
}

/** Kinds whose locator is a URL keep their `#` (a URL fragment is never sent anyway). */
const KINDS_WITHOUT_FRAGMENT = new Set(['value', 'probe']);

export function parseSourceSpec(raw: string, knownKinds: ReadonlySet<string>, field?: string): SourceSpec {
  const match = /^([a-z][a-z0-9-]*):(.*)$/s.exec(raw);
  if (!match || /^\d/.test(raw)) return { kind: 'value', locator: raw, raw };
  const kind = match[1]!;
  const rest = match[2]!;
  if (!knownKinds.has(kind)) {
    throw new KeepaliveParityError(
      'KAP_SOURCE_INVALID',
      `unknown source kind ${JSON.stringify(kind)} in ${JSON.stringify(raw)}; known kinds: ${[...knownKinds].sort().join(', ')}`,
      { field },
    );
  }
  if (rest === '' && kind !== 'value') {
    throw new KeepaliveParityError(
      'KAP_SOURCE_INVALID',
      `source ${JSON.stringify(raw)} has nothing after "${kind}:"`,
      { field },
    );
  }
  let locator = rest;
  let fragment: string | undefined;
  if (!KINDS_WITHOUT_FRAGMENT.has(kind)) {
    const hash = rest.lastIndexOf('#');
    if (hash >= 0) {
      fragment = rest.slice(hash + 1);
      locator = rest.slice(0, hash);
    }
  }
  let version: string | undefined;
  if (kind === 'runtime' || kind === 'cloud') {
    const at = locator.indexOf('@');
    if (at >= 0) {
      version = locator.slice(at + 1);
      locator = locator.slice(0, at);
      if (!version)
        throw new KeepaliveParityError(
          'KAP_SOURCE_INVALID',
          `source ${JSON.stringify(raw)}: empty version after "@"`,
          { field },
        );
    }
  }
  return { kind, locator, fragment, version, raw };
}
