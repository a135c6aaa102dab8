import type { CauseCode, Generator, LogFormat, ParseResult } from '../types.js';
import {
  FIELD_END,
  FIELD_ESCAPED,
  FIELD_START,
  fail,
  fieldText,
  intAt,
  intOrNull,
  isoMsAt,
  ok,
  parseIsoMs,
  secondsToMs,
  shareOf,
  splitRequestLine,
  tokenizeOffsets,
} from '../util.js';

/**
 * AWS Application Load Balancer access logs: space-separated, quote-aware, 25 to 34+ fields (AWS
 * appends new fields at the end; extra trailing fields are ignored). See docs/diagnose.md.
 */

const ALB_TYPE_LIST = ['http', 'https', 'h2', 'grpcs', 'ws', 'wss'] as const;
const MIN_FIELDS = 25;

export interface AlbClassification {
  readonly generator: Generator;
  readonly cause: CauseCode | null;
}

/**
 * The ALB classification, shared with the SQL that `--emit-sql` writes (keep both in step):
 * - elb status < 500: no cause (460: `client-aborted`).
 * - target status 5xx: the target generated it.
 * - target answered (status set) but the LB sent 5xx: the LB rejected the response (malformed).
 * - target status `-`: the LB generated it: 503 no healthy/registered target; 504 connect timeout
 *   when no target time and ~10 s elapsed (ALB's fixed connect timeout), else response timeout;
 *   502 and others `unknown` (ALB does not separate a closed reused connection from a refused connect).
 * - a Lambda target (`error_reason` `Lambda...`, AWS's list in log-formats §1.4) has no pooled
 *   connection to race on: `LambdaUnhandled` is the function's own failure (target);
 *   `LambdaInvalidResponse`/`LambdaResponseTooLarge`/`LambdaBadRequest` a malformed response;
 *   `...Timeout` a response timeout; the rest (throttling, permissions, ENI/KMS) mean the function
 *   could not be invoked (`no-healthy-upstream`).
 */
export function classifyAlb(
  elbStatus: number,
  targetStatus: number | null,
  targetProcessingMs: number | null,
  elapsedMs: number | null,
  errorReason?: string,
): AlbClassification {
  // 460: the client closed the connection before the LB could answer (AWS troubleshooting page).
  if (elbStatus === 460) return { generator: 'lb', cause: 'client-aborted' };
  if (elbStatus < 500) return { generator: targetStatus === null ? 'lb' : 'target', cause: null };
  if (targetStatus !== null && targetStatus >= 500) return { generator: 'target', cause: null };
  if (targetStatus !== null) return { generator: 'lb', cause: 'malformed-response' };
  if (errorReason?.startsWith('Lambda')) {
    if (errorReason.startsWith('LambdaUnhandled')) return { generator: 'target', cause: null };
    if (/^Lambda(?:InvalidResponse|ResponseTooLarge|BadRequest)/.test(errorReason))
      return { generator: 'lb', cause: 'malformed-response' };
    if (errorReason.includes('Timeout')) return { generator: 'lb', cause: 'response-timeout' };
    return { generator: 'lb', cause: 'no-healthy-upstream' };
  }
  if (elbStatus === 503) return { generator: 'lb', cause: 'no-healthy-upstream' };
  if (elbStatus === 504) {
    const connectTimeout =
      targetProcessingMs === null && elapsedMs !== null && elapsedMs >= 9900 && elapsedMs <= 10500;
    return { generator: 'lb', cause: connectTimeout ? 'connect-timeout' : 'response-timeout' };
  }
  return { generator: 'lb', cause: 'unknown' };
}

/** The ALB `type` field at `line[start, end)`, as one of the constant names, or null. */
function albTypeAt(line: string, start: number, end: number): string | null {
  for (const t of ALB_TYPE_LIST) if (end - start === t.length && line.startsWith(t, start)) return t;
  return null;
}

export function parseAlbLine(line: string): ParseResult {
  return parseAlb(line, false);
}

/**
 * `lean`: the same decisions, a record with only what the analyzer reads (`LogFormat.parseForAnalysis`):
 * no method and path, and the target time and `error_reason` read only when the classification
 * needs them.
 */
function parseAlb(line: string, lean: boolean): ParseResult {
  if (line.length === 0 || line.charCodeAt(0) === 35 /* # */) return null;
  // Field offsets only (no array of 30 strings per line): the parser reads 9 fields, and slices
  // only the texts a record keeps (a field with an escaped quote is read through `fieldText`).
  const count = tokenizeOffsets(line);
  if (count < 0) return fail('unterminated quoted field (truncated line?)');
  if (count < MIN_FIELDS) return fail(`${count} fields, an ALB line has at least ${MIN_FIELDS}`);
  const type = FIELD_ESCAPED[0] === 0 ? albTypeAt(line, FIELD_START[0]!, FIELD_END[0]!) : null;
  if (type === null) return fail(`unknown type ${JSON.stringify(fieldText(line, count, 0)!.slice(0, 20))}`);
  const timeMs = plain(1)
    ? isoMsAt(line, FIELD_START[1]!, FIELD_END[1]!)
    : parseIsoMs(fieldText(line, count, 1)!);
  if (Number.isNaN(timeMs)) return fail('time is not ISO 8601');
  const elbStatus = plain(8)
    ? intAt(line, FIELD_START[8]!, FIELD_END[8]!)
    : intOrNull(fieldText(line, count, 8));
  if (elbStatus === null && fieldText(line, count, 8) !== '-') return fail('elb_status_code is not a number');
  const targetStatus = plain(9)
    ? intAt(line, FIELD_START[9]!, FIELD_END[9]!)
    : intOrNull(fieldText(line, count, 9));
  const targetText = fieldText(line, count, 4)!;
  const target = targetText === '-' ? undefined : targetText;
  const targetProcessingMs = !lean || elbStatus === 504 ? secondsToMs(fieldText(line, count, 6)) : null;
  const created = plain(21)
    ? isoMsAt(line, FIELD_START[21]!, FIELD_END[21]!)
    : parseIsoMs(fieldText(line, count, 21)!);
  const elapsedMs = Number.isNaN(created) ? null : Math.max(0, timeMs - created);
  // classifyAlb reads error_reason only for an LB 5xx without a target status.
  const errorReason =
    !lean || (elbStatus !== null && elbStatus >= 500 && targetStatus === null)
      ? fieldText(line, count, 24)
      : undefined;
  const { generator, cause } =
    elbStatus === null
      ? { generator: 'lb' as const, cause: null }
      : classifyAlb(elbStatus, targetStatus, targetProcessingMs, elapsedMs, errorReason);
  const record = {
    timeMs,
    status: elbStatus,
    targetStatus,
    generator,
    cause,
    target,
    requestMs: elapsedMs,
    protocol: type === 'grpcs' ? 'grpc' : undefined,
  };
  if (lean) return ok(record);
  const request = splitRequestLine(fieldText(line, count, 12));
  return ok({
    ...record,
    rawCause: errorReason && errorReason !== '-' ? errorReason : undefined,
    method: request.method,
    path: request.path,
    targetProcessingMs,
  });
}

/** Field `i` of the last tokenized line has no escaped quote: its offsets are its text. */
function plain(i: number): boolean {
  return FIELD_ESCAPED[i] === 0;
}

const ALB_LINE = /^(?:http|https|h2|grpcs|ws|wss) \d{4}-\d\d-\d\dT[\d:.]+Z app\//;

export const albFormat: LogFormat = {
  id: 'alb',
  summary: 'AWS Application Load Balancer access log (25–34+ fields)',
  detect: (sample) => shareOf(sample, (l) => ALB_LINE.test(l)),
  parseLine: parseAlbLine,
  parseForAnalysis: (line) => parseAlb(line, true),
};
