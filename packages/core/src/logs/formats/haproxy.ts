import type { CauseCode, FailurePhase, Generator, LogFormat, ParseResult } from '../types.js';
import { fail, ok, parseClfTimeMs, shareOf, splitRequestLine } from '../util.js';

/**
 * HAProxy `option httplog`:
 * `ci:cp [date] ft be/srv TR/Tw/Tc/Tr/Ta ST B CC CS tsc ac/fc/bc/sc/rc sq/bq {hdrs} {hdrs} "request"`
 * after any syslog header. The 4-character termination state says who ended the session and in which
 * phase: `SH` (server closed before headers, Tr -1) is the race's signature when HAProxy logs it.
 * A custom format may add one field after `backend/server` (a host, as in elastic/beats' haproxy test
 * log); `option tcplog` lines (TCP mode) carry no HTTP status and are skipped.
 */

const BODY =
  /(?:^|\s)([\da-fA-F.:]+|unix|-):(\d+) \[([^\]]+)\] (\S+) (\S+)\/(\S+) (?:[^\s/]+ )?(-?\d+)\/(-?\d+)\/(-?\d+)\/(-?\d+)\/\+?(-?\d+) +(-?\d+) \+?(\d+) (?:(\S+) (\S+) )?([A-Za-z-]{4}) (\d+)\/(\d+)\/(\d+)\/(\d+)\/\+?(\d+) (\d+)\/(\d+)(?: \{[^}]*\})*(?: "(.*)")?/;

/** `option tcplog` (TCP mode: no HTTP status, nothing to classify): `ft be/srv Tw/Tc/Tt B ts ...`. */
const TCPLOG =
  / \[[^\]]+\] \S+ \S+\/\S+ -?\d+\/-?\d+\/\+?-?\d+ \+?\d+ [A-Za-z-]{2} \d+\/\d+\/\d+\/\d+\/\+?\d+ \d+\/\d+/;

export function classifyHaproxy(
  termination: string,
  status: number | null,
  serverTr: number,
  server: string,
): { generator: Generator; cause: CauseCode | null } {
  const who = termination[0];
  const phase = termination[1];
  if (who === 'S' && phase === 'D') {
    // The server closed or reset the connection while sending the body: a crash mid-response.
    return { generator: 'target', cause: 'upstream-closed-mid-response' };
  }
  if (status === null || status < 500) {
    if (who === 'C' || who === 'c')
      return { generator: 'lb', cause: status === null ? 'client-aborted' : null };
    return { generator: who === '-' ? 'target' : 'lb', cause: null };
  }
  if (who === '-' || (who !== undefined && 'LK'.includes(who) === false && phase === 'D')) {
    return { generator: 'target', cause: null };
  }
  if (who === 'S' && phase === 'H') {
    return { generator: 'lb', cause: serverTr === -1 ? 'upstream-closed-reused-connection' : 'unknown' };
  }
  if (who === 'S' && phase === 'C') {
    return { generator: 'lb', cause: server === '<NOSRV>' ? 'no-healthy-upstream' : 'connect-refused' };
  }
  if (who === 's' && phase === 'C') return { generator: 'lb', cause: 'connect-timeout' };
  if (who === 's' && phase === 'H') return { generator: 'lb', cause: 'response-timeout' };
  if (phase === 'Q') return { generator: 'lb', cause: 'no-healthy-upstream' };
  if (who === 'P' && phase === 'H') return { generator: 'lb', cause: 'malformed-response' };
  if (who === 'C' || who === 'c') return { generator: 'lb', cause: 'client-aborted' };
  if (server === '<NOSRV>' && status === 503) return { generator: 'lb', cause: 'no-healthy-upstream' };
  return { generator: 'lb', cause: 'unknown' };
}

/** The exchange phase of a server-side termination state (`SC`/`sC` connect, `SH`/`sH`/`PH` header, `SD` body). */
function haproxyPhase(termination: string): FailurePhase | undefined {
  const who = termination[0];
  if (who !== 'S' && who !== 's' && who !== 'P') return undefined;
  return termination[1] === 'C'
    ? 'connect'
    : termination[1] === 'H'
      ? 'read-header'
      : termination[1] === 'D'
        ? 'read-body'
        : undefined;
}

export function parseHaproxyLine(line: string): ParseResult {
  if (line.trim() === '') return null;
  const m = BODY.exec(line);
  if (m === null) {
    if (TCPLOG.test(line)) return null; // a TCP-mode session: no HTTP exchange to judge
    if (/haproxy\[\d+\]:/.test(line) && !/ \[[^\]]*\] \S+ \S+\/\S+ -?\d+\//.test(line)) return null; // other messages
    return fail('not an HAProxy httplog line (truncated?)');
  }
  const timeStart = parseClfTimeMs(m[3]!);
  if (Number.isNaN(timeStart)) return fail('accept date is not dd/Mon/yyyy:HH:MM:SS.mmm');
  const tr = Number(m[10]);
  const ta = Number(m[11]);
  const statusNum = Number(m[12]);
  const status = statusNum < 0 ? null : statusNum;
  const termination = m[16]!;
  const server = m[6]!;
  const { generator, cause } = classifyHaproxy(termination, status, tr, server);
  const request = splitRequestLine(m[24]);
  const tc = Number(m[9]);
  return ok({
    timeMs: timeStart + Math.max(0, ta),
    status,
    targetStatus: generator === 'target' ? status : null,
    generator,
    cause,
    rawCause: termination,
    phase: server === '<NOSRV>' ? undefined : haproxyPhase(termination),
    client: `${m[1]}:${m[2]}`,
    requestLine: m[24],
    target: server === '<NOSRV>' ? undefined : `${m[5]}/${server}`,
    method: request.method,
    path: request.path,
    requestMs: ta >= 0 ? ta : null,
    targetProcessingMs: tr >= 0 ? tr : null,
    upstreamConnectMs: tc >= 0 ? tc : null,
    retries: Number(m[21]) || undefined,
  });
}

export const haproxyFormat: LogFormat = {
  id: 'haproxy',
  summary: 'HAProxy option httplog (termination state, retries)',
  detect: (sample) => shareOf(sample, (l) => BODY.test(l)),
  parseLine: parseHaproxyLine,
};
