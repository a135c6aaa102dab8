import type { CauseCode, LogFormat, ParseResult } from '../types.js';
import {
  fail,
  intOrNull,
  ok,
  parseIsoMs,
  secondsToMs,
  shareOf,
  splitRequestLine,
  tokenize,
} from '../util.js';

/**
 * AWS Classic ELB access logs: 15 fields, no type prefix, `timestamp` is when the ELB received the
 * request. No cause field: 502 is "unable to parse the response" or a closed connection, 503 capacity
 * or no healthy instance, 504 idle timeout.
 */
export function parseElbClassicLine(line: string): ParseResult {
  if (line.length === 0 || line.charCodeAt(0) === 35) return null;
  const f = tokenize(line);
  if (f === null) return fail('unterminated quoted field (truncated line?)');
  if (f.length < 15) return fail(`${f.length} fields, a Classic ELB line has 15`);
  const startMs = parseIsoMs(f[0]!);
  if (Number.isNaN(startMs)) return fail('timestamp is not ISO 8601');
  // A TCP or SSL listener logs `-` statuses and a `- - - ` request: a connection, no HTTP exchange
  // (awsdocs/elb-classic-load-balancers-user-guide access-log-collection.md). Nothing to judge.
  if (f[7] === '-' && f[8] === '-' && f[11]?.trim() === '- - -') return null;
  const elbStatus = intOrNull(f[7]);
  const backendStatus = intOrNull(f[8]);
  const timings = [secondsToMs(f[4]), secondsToMs(f[5]), secondsToMs(f[6])];
  const totalMs = timings.every((t) => t !== null) ? timings.reduce((a, b) => a! + b!, 0)! : null;
  const request = splitRequestLine(f[11]);
  let generator: 'lb' | 'target' = backendStatus === null ? 'lb' : 'target';
  let cause: CauseCode | null = null;
  if (elbStatus !== null && elbStatus >= 500) {
    if (backendStatus !== null && backendStatus >= 500) generator = 'target';
    else {
      generator = 'lb';
      cause = causeOf(elbStatus, backendStatus);
    }
  }
  return ok({
    timeMs: startMs + (totalMs ?? 0),
    status: elbStatus,
    targetStatus: backendStatus,
    generator,
    cause,
    target: f[3] === '-' ? undefined : f[3],
    method: request.method,
    path: request.path,
    requestMs: totalMs,
    targetProcessingMs: timings[1],
  });
}

function causeOf(elbStatus: number, backendStatus: number | null) {
  if (backendStatus !== null) return 'malformed-response' as const;
  if (elbStatus === 503) return 'no-healthy-upstream' as const;
  if (elbStatus === 504) return 'response-timeout' as const;
  return 'unknown' as const;
}

const ELB_LINE =
  /^\d{4}-\d\d-\d\dT[\d:.]+Z [A-Za-z0-9-]+ [\d.:a-fA-F]+:\d+ (?:-|[\d.:a-fA-F]+:\d+) -?[\d.]+ -?[\d.]+ -?[\d.]+ /;

export const elbClassicFormat: LogFormat = {
  id: 'elb-classic',
  summary: 'AWS Classic Load Balancer access log (15 fields)',
  detect: (sample) => shareOf(sample, (l) => ELB_LINE.test(l)),
  parseLine: parseElbClassicLine,
};
