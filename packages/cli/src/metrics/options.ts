import { KeepaliveParityError } from '@keepalive-parity/core';
import type { CliContext } from '../context.js';

/** `--period 60s` for Prometheus reads: seconds or minutes, at least 1 s. */
export function parsePeriod(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const match = /^(\d+)(s|m)$/.exec(text);
  const ms = match ? Number(match[1]) * (match[2] === 'm' ? 60_000 : 1000) : Number.NaN;
  if (!(ms >= 1000)) {
    throw new KeepaliveParityError(
      'KAP_USAGE',
      `--period must be seconds or minutes such as 60s or 5m, got ${JSON.stringify(text)}`,
      {
        field: '--period',
      },
    );
  }
  return ms;
}

/** `--endpoint-url` for cloudwatch: inputs, as for alb:. */
export function withEndpoint(context: CliContext, endpointUrl: string | undefined): CliContext {
  return endpointUrl ? { ...context, env: { ...context.env, KAP_AWS_ENDPOINT_URL: endpointUrl } } : context;
}
