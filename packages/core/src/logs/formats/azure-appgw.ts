import type { CauseCode, Generator, LogFormat, ParseResult } from '../types.js';
import { asNumber, asString, fail, jsonTimeMs, ok, parseJsonObject, pick, shareOf } from '../util.js';

/**
 * Azure Application Gateway v2 access log (JSON, `category` ApplicationGatewayAccessLog, with the
 * fields under `properties`; also the flattened Log Analytics shapes `*_s`/`*_d` and
 * `AGWAccessLogs`). `error_info` carries the cause.
 */

const ERROR_INFO: Record<string, CauseCode> = {
  ERRORINFO_UPSTREAM_CLOSED_CONNECTION: 'upstream-closed-reused-connection',
  ERRORINFO_UPSTREAM_NO_LIVE: 'no-healthy-upstream',
  ERRORINFO_UPSTREAM_TIMED_OUT: 'response-timeout',
  ERRORINFO_CLIENT_CLOSED_REQUEST: 'client-aborted',
  ERRORINFO_CLIENT_TIMED_OUT: 'client-aborted',
};

function prop(o: Record<string, unknown>, name: string, pascal: string): unknown {
  return pick(o, `properties.${name}`, name, `${name}_s`, `${name}_d`, pascal);
}

export function parseAzureAppGwLine(line: string): ParseResult {
  if (line.trim() === '') return null;
  const o = parseJsonObject(line);
  if (o === null) return fail('not a JSON object (truncated?)');
  const status = asNumber(prop(o, 'httpStatus', 'HttpStatus'));
  if (status === null) return fail('no httpStatus');
  const timeMs = jsonTimeMs(pick(o, 'time', 'timeStamp', 'TimeGenerated', 'TimeGenerated [UTC]'));
  if (Number.isNaN(timeMs)) return fail('no time');
  const errorInfo = asString(prop(o, 'error_info', 'ErrorInfo')) ?? '';
  const serverStatus = asNumber(prop(o, 'serverStatus', 'ServerStatus'));
  const timeTaken = asNumber(prop(o, 'timeTaken', 'TimeTaken'));
  let generator: Generator = serverStatus !== null ? 'target' : 'lb';
  let cause: CauseCode | null = null;
  if (status >= 500) {
    if (
      serverStatus !== null &&
      serverStatus >= 500 &&
      (errorInfo === '' || errorInfo === 'ERRORINFO_NO_ERROR')
    ) {
      generator = 'target';
    } else {
      generator = 'lb';
      cause = ERROR_INFO[errorInfo] ?? 'unknown';
    }
  } else if (ERROR_INFO[errorInfo] === 'client-aborted') {
    cause = 'client-aborted';
  }
  return ok({
    timeMs,
    status,
    targetStatus: serverStatus,
    generator,
    cause,
    rawCause: errorInfo || undefined,
    target: asString(prop(o, 'serverRouted', 'ServerRouted')) || undefined,
    method: asString(prop(o, 'httpMethod', 'HttpMethod')),
    path: asString(prop(o, 'requestUri', 'RequestUri')),
    // v2 logs timeTaken in seconds.
    requestMs: timeTaken !== null ? Math.round(timeTaken * 1000) : null,
    targetProcessingMs: (() => {
      const s = asNumber(prop(o, 'serverResponseLatency', 'ServerResponseLatency'));
      return s !== null ? Math.round(s * 1000) : null;
    })(),
  });
}

export const azureAppGwFormat: LogFormat = {
  id: 'azure-appgw',
  summary: 'Azure Application Gateway v2 access log (JSON, error_info)',
  detect: (sample) =>
    shareOf(
      sample,
      (l) =>
        l.includes('ApplicationGatewayAccessLog') ||
        (l.includes('httpStatus') && l.includes('serverRouted')) ||
        l.includes('"ErrorInfo"'),
    ),
  parseLine: parseAzureAppGwLine,
};
