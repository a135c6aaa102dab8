import { KeepaliveParityError } from '@keepalive-parity/core';

/**
 * Metrics inputs on the command line, next to log inputs:
 *   prom:http://HOST:PORT[#{label="value",...}]
 *   cloudwatch:alb:NAME | cloudwatch:alb:ARN | cloudwatch:elb:NAME
 */
export type MetricsSpec =
  | { readonly kind: 'prom'; readonly name: string; readonly url: string; readonly selector: string }
  | {
      readonly kind: 'cloudwatch';
      readonly name: string;
      readonly service: 'alb' | 'elb';
      readonly locator: string;
    };

export function isMetricsInput(input: string): boolean {
  return input.startsWith('prom:') || input.startsWith('cloudwatch:');
}

/** Label matchers only: `{job="haproxy",instance=~"lb-.*"}` (the selector is spliced into queries). */
const SELECTOR = /^\{\s*(?:[a-zA-Z_][a-zA-Z0-9_]*\s*(?:=|!=|=~|!~)\s*"(?:[^"\\]|\\.)*"\s*,?\s*)*\}$/;

export function parseMetricsInput(input: string): MetricsSpec {
  const fail = (why: string) =>
    new KeepaliveParityError('KAP_USAGE', `${input}: ${why} (see --help)`, { field: 'input' });
  if (input.startsWith('prom:')) {
    const rest = input.slice(5);
    const hash = rest.indexOf('#');
    const url = hash < 0 ? rest : rest.slice(0, hash);
    const selector = hash < 0 ? '' : decodeURIComponent(rest.slice(hash + 1));
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw fail('expected prom:http://HOST:PORT');
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw fail('expected an http(s) URL');
    if (selector !== '' && !SELECTOR.test(selector)) {
      throw fail('the part after # must be a label selector such as {job="haproxy"}');
    }
    return { kind: 'prom', name: input, url: url.replace(/\/+$/, ''), selector };
  }
  if (input.startsWith('cloudwatch:')) {
    const match = /^cloudwatch:(alb|elb):(.+)$/.exec(input);
    if (!match) throw fail('expected cloudwatch:alb:NAME, cloudwatch:alb:ARN or cloudwatch:elb:NAME');
    return { kind: 'cloudwatch', name: input, service: match[1] as 'alb' | 'elb', locator: match[2]! };
  }
  throw fail('not a metrics input');
}

/** The time window of a metrics read (epoch ms) and its period. */
export interface MetricsWindow {
  readonly sinceMs: number;
  readonly untilMs: number;
  /** Period asked for by --period (Prometheus); CloudWatch picks 60 s or 300 s itself. */
  readonly periodMs?: number | undefined;
}

export const DEFAULT_RANGE_MS = 24 * 3600_000;

export function metricsWindow(
  sinceMs: number | undefined,
  untilMs: number | undefined,
  nowMs: number,
  periodMs?: number,
): MetricsWindow {
  const until = untilMs ?? nowMs;
  const since = sinceMs ?? until - DEFAULT_RANGE_MS;
  if (since >= until) {
    throw new KeepaliveParityError('KAP_USAGE', '--since must be before --until', { field: '--since' });
  }
  return { sinceMs: since, untilMs: until, periodMs };
}
