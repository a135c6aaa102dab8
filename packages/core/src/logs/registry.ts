import { albFormat } from './formats/alb.js';
import { apacheErrorFormat } from './formats/apache-error.js';
import { azureAppGwFormat } from './formats/azure-appgw.js';
import { caddyFormat } from './formats/caddy.js';
import { cloudflareFormat } from './formats/cloudflare.js';
import { elbClassicFormat } from './formats/elb-classic.js';
import { envoyJsonFormat, envoyTextFormat } from './formats/envoy.js';
import { gcpLbFormat } from './formats/gcp-lb.js';
import { goProxyFormat } from './formats/go-proxy.js';
import { gorouterAccessFormat, gorouterJsonFormat } from './formats/gorouter.js';
import { h2oFormat } from './formats/h2o.js';
import { haproxyFormat } from './formats/haproxy.js';
import { kapNodeProxyFormat } from './formats/kap-node-proxy.js';
import { nginxCombinedFormat, nginxIngressFormat } from './formats/nginx-access.js';
import { nginxErrorFormat } from './formats/nginx-error.js';
import { traefikDebugFormat, traefikFormat } from './formats/traefik.js';
import type { LogFormat } from './types.js';

/** The one registry of log formats; each parser lives in logs/formats/<id>.ts. */
export const LOG_FORMATS: LogFormat[] = [
  albFormat,
  elbClassicFormat,
  nginxIngressFormat,
  nginxCombinedFormat,
  nginxErrorFormat,
  apacheErrorFormat,
  haproxyFormat,
  envoyTextFormat,
  envoyJsonFormat,
  gcpLbFormat,
  traefikFormat,
  caddyFormat,
  azureAppGwFormat,
  gorouterAccessFormat,
  gorouterJsonFormat,
  goProxyFormat,
  h2oFormat,
  cloudflareFormat,
  traefikDebugFormat,
  kapNodeProxyFormat,
];

export function registerLogFormat(format: LogFormat): void {
  const existing = LOG_FORMATS.findIndex((f) => f.id === format.id);
  if (existing >= 0) LOG_FORMATS[existing] = format;
  else LOG_FORMATS.push(format);
}

export function findLogFormat(id: string): LogFormat | undefined {
  return LOG_FORMATS.find((f) => f.id === id);
}

/** Minimum detection score for a format to be chosen. */
export const DETECT_THRESHOLD = 0.5;

/**
 * Picks the format whose detector scores the sample highest (ties: registry order), or null when no
 * format reaches DETECT_THRESHOLD. `extra` formats (e.g. a custom nginx log_format) are tried first.
 */
export function detectLogFormat(
  sampleLines: readonly string[],
  extra: readonly LogFormat[] = [],
): { format: LogFormat; score: number } | null {
  let best: { format: LogFormat; score: number } | null = null;
  for (const format of [...extra, ...LOG_FORMATS]) {
    const score = format.detect(sampleLines);
    if (score >= DETECT_THRESHOLD && (best === null || score > best.score)) best = { format, score };
  }
  return best;
}
