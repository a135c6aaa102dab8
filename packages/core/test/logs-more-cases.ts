import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { envoyFormatString, type LogFormat, nginxAccessFormat } from '../src/index.js';

/**
 * Fixture expectations for the formats added for issue 10 (Envoy with any keys or format string,
 * gorouter, Go reverse proxies, Traefik CLF, H2O, Cloudflare Logpush): one real-shaped line per cause.
 * `kind status generator cause phase` per line ("skip", "malformed"). Data only: shared by
 * logs-formats-more.test.ts and the registry-coverage check in logs-formats.test.ts.
 */

export const fixtureDir = fileURLToPath(new URL('./fixtures/logs/', import.meta.url));
const dir = fixtureDir;

/** A fixture's non-empty lines. */
export const readFixture = (name: string) =>
  readFileSync(`${dir}${name}`, 'utf8')
    .split('\n')
    .filter((l) => l !== '');

/** `kind status generator cause phase` for a line, or `skip` / `malformed`. */
export function describeLine(format: LogFormat, line: string): string {
  const r = format.parseLine(line);
  if (r === null) return 'skip';
  if (!r.ok) return 'malformed';
  const { kind, status, generator, cause, phase } = r.record;
  return `${kind ?? 'request'} ${status ?? '-'} ${generator} ${cause ?? '-'} ${phase ?? '-'}`;
}

export const envoyCustom = envoyFormatString(readFileSync(`${dir}envoy-custom.format`, 'utf8').trim());
export const nginxCustom = nginxAccessFormat(readFileSync(`${dir}nginx-upstream.format`, 'utf8').trim());

export const MORE_CASES: Array<{ file: string; format: string; extra?: LogFormat[]; expect: string[] }> = [
  {
    file: 'envoy-keys.jsonl',
    format: 'envoy-json',
    expect: [
      'request 200 target - -',
      'request 503 lb upstream-closed-reused-connection read-header', // camelCase keys
      'request 503 lb upstream-closed-reused-connection read-header', // Istio default JSON
      'request 200 target upstream-closed-mid-response read-body', // keys found by their values
      'request 503 lb connect-refused connect',
      'request 504 lb response-timeout read-header',
      'request 503 lb no-healthy-upstream -',
      'request 500 target - -',
      'request - lb client-aborted -', // response code 0, DC
      'malformed',
    ],
  },
  {
    file: 'envoy-custom.log',
    format: 'envoy-custom',
    extra: [envoyCustom],
    expect: [
      'request 200 target - -',
      'request 503 lb upstream-closed-reused-connection read-header',
      'request 200 target upstream-closed-mid-response read-body',
      'request 503 lb connect-refused connect',
      'request 504 lb response-timeout read-header',
      'request 503 lb no-healthy-upstream -',
      'request 500 target - -',
      'malformed', // truncated
    ],
  },
  {
    file: 'gorouter.log',
    format: 'gorouter',
    expect: [
      'request 200 target - -',
      'request 502 lb upstream-closed-reused-connection read-header', // endpoint_failure (EOF)
      'request 500 target - -',
      'request 502 lb connect-refused connect',
      'request 502 lb response-timeout -', // context deadline exceeded
      'request 503 lb no-healthy-upstream -',
      'request 404 lb - -', // unknown_route
      'request 200 target - -', // failed_attempts 1, then answered
      'request 502 lb upstream-closed-reused-connection read-header', // via idempotent request
      'request 502 lb upstream-closed-reused-connection read-header', // cf logs prefix, reset by peer
      'malformed',
    ],
  },
  {
    file: 'gorouter.jsonl',
    format: 'gorouter-json',
    expect: [
      'skip', // route-registered
      'upstream-error 502 lb upstream-closed-reused-connection read-header', // EOF, conn-reused true
      'upstream-error - lb connect-refused connect', // retriable: retried elsewhere
      'upstream-error 502 lb upstream-closed-reused-connection read-header', // reset by peer
      'upstream-error 502 lb unknown read-header', // EOF on a fresh connection: not the race
      'upstream-error - lb upstream-closed-reused-connection send-request', // broken pipe, headers not written
      'upstream-error 504 lb response-timeout read-header',
      'upstream-error 502 lb upstream-closed-reused-connection read-header', // old lager: epoch seconds, no trace fields
      'malformed',
    ],
  },
  {
    file: 'go-proxy.log',
    format: 'go-proxy',
    expect: [
      'skip', // the application's own line
      'upstream-error 502 lb upstream-closed-reused-connection read-header',
      'upstream-error 502 lb upstream-closed-reused-connection read-header',
      'upstream-error 502 lb connect-refused connect',
      'upstream-error 504 lb response-timeout read-header',
      'upstream-error 502 lb upstream-closed-reused-connection send-request',
      'upstream-error - target upstream-closed-mid-response read-body',
      'upstream-error 499 lb client-aborted -',
      'upstream-error 502 lb upstream-closed-reused-connection read-header',
      'malformed', // no timestamp
      'upstream-error 502 lb upstream-closed-reused-connection read-header', // Fabio's prefix
      'upstream-error 502 lb upstream-closed-reused-connection read-header', // slog JSON behind syslog
    ],
  },
  {
    file: 'traefik-clf.log',
    format: 'traefik',
    expect: [
      'request 200 target - -',
      'request 502 lb unknown -', // OriginStatus 502 with the 11-byte status text: Traefik's own
      'request 500 target - -',
      'request 504 lb response-timeout -',
      'request - lb - -', // OriginStatus 0: no service reached, the client's status is not logged
      'malformed',
    ],
  },
  {
    file: 'h2o-error.log',
    format: 'h2o',
    expect: [
      'skip',
      'upstream-error 502 lb upstream-closed-reused-connection read-header',
      'upstream-error 502 lb upstream-closed-mid-response read-body',
      'upstream-error 502 lb connect-refused connect',
      'upstream-error 504 lb response-timeout read-header',
      'upstream-error 502 lb connect-timeout connect',
      'upstream-error 502 lb malformed-response read-header',
      'upstream-error 502 lb upstream-closed-reused-connection read-header', // path cut by H2O
      'malformed', // H2O writes no time: the prefix was lost
    ],
  },
  {
    file: 'cloudflare.jsonl',
    format: 'cloudflare',
    expect: [
      'request 200 target - -',
      'request 520 lb unknown read-header', // empty/unexpected origin response: Cloudflare does not say why
      'request 521 lb connect-refused connect',
      'request 522 lb connect-timeout connect',
      'request 524 lb response-timeout read-header',
      'request 500 target - -',
      'request 502 target - -', // the origin's own 502
      'request 525 lb tls connect',
      'request 200 lb - -', // served by the edge (cache)
      'malformed',
    ],
  },
  {
    file: 'traefik-debug.log',
    format: 'traefik-debug',
    expect: [
      'skip',
      'upstream-error 502 lb upstream-closed-reused-connection read-header', // error=EOF
      'upstream-error 502 lb connect-refused connect',
      'upstream-error 502 lb upstream-closed-reused-connection read-header',
      'upstream-error 504 lb response-timeout read-header',
      'upstream-error 499 lb client-aborted -',
      'upstream-error 502 lb upstream-closed-reused-connection read-header', // JSON
      'skip',
    ],
  },
  {
    // Lines the real Apache 2.4.71 wrote in the corpus (race, crash-head-rst, slow, crash-body-*,
    // target-down), plus AH01084/AH01095/AH00959 shaped after httpd's source (mod_proxy_http.c, proxy_util.c).
    file: 'apache-error.log',
    format: 'apache-error',
    expect: [
      'skip', // AH00489 start-up notice: only its time counts
      'upstream-error 502 lb upstream-closed-reused-connection read-header', // AH01102, the race's line
      'skip', // AH00898: ap_proxyerror's summary of the same request
      'upstream-error 502 lb upstream-closed-reused-connection read-header', // AH01102 (104)
      'upstream-error 502 lb response-timeout read-header', // AH01102 (70007) timeout
      'upstream-error - lb upstream-closed-mid-response read-body', // AH01110 (70008)
      'upstream-error - lb upstream-closed-mid-response read-body', // AH01110 (104)
      'skip', // AH00957: its AH01114 follows
      'upstream-error 503 lb connect-refused connect', // AH01114
      'skip', // AH00959: worker state
      'upstream-error 502 lb upstream-closed-reused-connection send-request', // AH01084 (32)
      'skip', // AH00898
      'upstream-error - lb client-aborted -', // AH01095
      'skip',
      'malformed', // a cut header
    ],
  },
];
