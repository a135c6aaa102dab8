import type { CauseCode, LogFormat, ParseResult } from '../types.js';
import { fail, ok, shareOf, splitRequestLine } from '../util.js';

/**
 * nginx error.log: only the upstream messages become records (kind `upstream-error`); every other
 * message is skipped. Causes are read from the errno and the `while <action>` phase, not from the
 * libc text (glibc and musl word errno 110 differently). Container prefixes before the date are
 * tolerated.
 */

const HEADER = /(\d{4})\/(\d\d)\/(\d\d) (\d\d):(\d\d):(\d\d) \[(\w+)\] (\d+)#(\d+): (?:\*(\d+) )?/;

interface Mapped {
  readonly cause: CauseCode;
  readonly status: number;
  readonly rawCause: string;
}

export function mapNginxUpstreamMessage(message: string): Mapped | null {
  const errnoMatch = /\((\d+): [^)]*\)/.exec(message);
  const errno = errnoMatch ? Number(errnoMatch[1]) : null;
  const raw = (s: string) => (errno === null ? s : `${s} (errno ${errno})`);
  const phaseConnect = message.includes('while connecting to upstream');
  const phaseHeader = message.includes('while reading response header from upstream');
  const phaseSend = message.includes('while sending request to upstream');
  const phaseSsl = message.includes('while SSL handshaking to upstream');
  if (message.startsWith('no live upstreams')) {
    return { cause: 'no-healthy-upstream', status: 502, rawCause: 'no live upstreams' };
  }
  if (
    message.startsWith('upstream timed out') ||
    (errno === 110 && (phaseConnect || phaseHeader || phaseSend))
  ) {
    return phaseConnect
      ? { cause: 'connect-timeout', status: 504, rawCause: raw('upstream timed out while connecting') }
      : { cause: 'response-timeout', status: 504, rawCause: raw('upstream timed out') };
  }
  if (phaseSsl || message.startsWith('SSL_do_handshake() failed')) {
    return { cause: 'tls', status: 502, rawCause: raw('SSL handshake to upstream failed') };
  }
  if (phaseConnect && errno !== null && [111, 113, 101, 13, 99, 104].includes(errno)) {
    return { cause: 'connect-refused', status: 502, rawCause: raw('connect() failed') };
  }
  if (message.startsWith('upstream prematurely closed connection') && (phaseHeader || phaseSend)) {
    return {
      cause: 'upstream-closed-reused-connection',
      status: 502,
      rawCause: 'upstream prematurely closed connection',
    };
  }
  if ((errno === 104 || errno === 32) && (phaseHeader || phaseSend)) {
    return {
      cause: 'upstream-closed-reused-connection',
      status: 502,
      rawCause: raw(phaseSend ? 'write to upstream failed' : 'recv() from upstream failed'),
    };
  }
  if (/^upstream sent (invalid|too big|no valid)/.test(message)) {
    return {
      cause: 'malformed-response',
      status: 502,
      rawCause: message.slice(0, message.indexOf(' while ') >>> 0),
    };
  }
  if (message.startsWith('client prematurely closed connection') && message.includes('upstream')) {
    return { cause: 'client-aborted', status: 499, rawCause: 'client prematurely closed connection' };
  }
  return null;
}

function field(message: string, name: string): string | undefined {
  const key = `, ${name}: "`;
  const i = message.indexOf(key);
  if (i < 0) return undefined;
  const start = i + key.length;
  const end = message.indexOf('"', start);
  return end < 0 ? undefined : message.slice(start, end);
}

function upstreamTarget(upstream: string | undefined): string | undefined {
  if (!upstream) return undefined;
  const m = /^[a-z]+:\/\/([^/]+)/.exec(upstream);
  return m?.[1];
}

export function parseNginxErrorLine(line: string): ParseResult {
  if (line.trim() === '') return null;
  const m = HEADER.exec(line);
  if (m === null) {
    // Continuation lines of multi-line entries (FastCGI stderr) carry no header: not an error.
    return /^\s/.test(line) || !/\d{4}\/\d\d\/\d\d/.test(line.slice(0, 80))
      ? null
      : fail('nginx error-log header is incomplete');
  }
  const message = line.slice(m.index + m[0].length);
  const mapped = mapNginxUpstreamMessage(message);
  if (mapped === null) return null;
  const timeMs = Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!);
  const request = splitRequestLine(field(message, 'request'));
  return ok({
    kind: 'upstream-error',
    timeMs,
    status: mapped.status,
    targetStatus: null,
    generator: 'lb',
    cause: mapped.cause,
    rawCause: mapped.rawCause,
    target: upstreamTarget(field(message, 'upstream')),
    method: request.method,
    path: request.path,
    connectionId: m[10],
  });
}

export const nginxErrorFormat: LogFormat = {
  id: 'nginx-error',
  summary: 'nginx error.log (upstream errors: prematurely closed, errno 104/32/111/110, no live upstreams)',
  detect: (sample) => shareOf(sample, (l) => HEADER.test(l)),
  parseLine: parseNginxErrorLine,
};
