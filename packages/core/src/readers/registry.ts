import { caddyReader } from './caddy/index.js';
import { envoyReader } from './envoy/index.js';
import { haproxyReader } from './haproxy/index.js';
import { k8sReader } from './k8s/index.js';
import { nginxReader } from './nginx/index.js';
import { terraformReader } from './terraform/index.js';
import { traefikReader } from './traefik/index.js';
import type { ConfigReader } from './types.js';

/**
 * The one registry of config readers (knip-style: one folder per reader under readers/,
 * registered here). Each reader's `id` is also its source kind (`nginx:PATH#UPSTREAM`).
 */
export const READERS: ConfigReader[] = [
  nginxReader,
  haproxyReader,
  envoyReader,
  traefikReader,
  caddyReader,
  k8sReader,
  terraformReader,
];

/** `--help` examples of the reader sources (`check --lb nginx:...`). */
export const READER_EXAMPLES: Readonly<Record<string, string>> = {
  nginx: '--lb nginx:/etc/nginx/nginx.conf#app (or: nginx -T | keepalive-parity check --lb nginx:- ...)',
  haproxy: '--lb haproxy:/etc/haproxy/haproxy.cfg#be_app',
  envoy:
    '--lb envoy:envoy.yaml#service_a (or the admin API: envoy:http://127.0.0.1:9901/config_dump#service_a)',
  traefik: '--lb traefik:dynamic.yml#my-service (static traefik.yml for entry points)',
  caddy: '--lb caddy:Caddyfile#app:3000 (or caddy.json)',
  k8s: '--lb k8s:deploy/ingress.yaml',
  terraform: '--lb terraform:infra/ (or terraform show -json plan.out > plan.json; --lb terraform:plan.json)',
};

export function registerReader(reader: ConfigReader): void {
  const existing = READERS.findIndex((r) => r.id === reader.id);
  if (existing >= 0) READERS[existing] = reader;
  else READERS.push(reader);
}

export function findReader(id: string): ConfigReader | undefined {
  return READERS.find((r) => r.id === id);
}
