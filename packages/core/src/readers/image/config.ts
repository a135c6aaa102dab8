import { KeepaliveParityError } from '../../errors.js';
import { envFrom, parseEnvList } from '../servers/index.js';
import type { ConfigReader, ReaderInput, ReaderResult } from '../types.js';
import { type ContainerSpec, containerSide } from './container.js';

interface RawConfig {
  Env?: unknown;
  Entrypoint?: unknown;
  Cmd?: unknown;
  ExposedPorts?: unknown;
}

function strings(value: unknown): string[] | undefined {
  if (value === null || value === undefined) return undefined;
  if (typeof value === 'string') return ['/bin/sh', '-c', value];
  if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return value as string[];
  return undefined;
}

/**
 * The container config of an image, from any of: `docker inspect` / `docker image inspect` JSON
 * (an array of objects with `Config`), a Docker image config or OCI image config blob (`config`),
 * or a bare `{Env, Entrypoint, Cmd}` object. One spec per image.
 */
export function imageSpecs(text: string, file: string, name?: string): ContainerSpec[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new KeepaliveParityError('KAP_INPUT_INVALID', `${file}: not JSON: ${(error as Error).message}`, {
      file,
    });
  }
  const items = Array.isArray(parsed) ? parsed : [parsed];
  const specs: ContainerSpec[] = [];
  for (const [index, item] of items.entries()) {
    if (!item || typeof item !== 'object') continue;
    const obj = item as Record<string, unknown>;
    const config = (obj.Config ??
      obj.config ??
      ('Cmd' in obj || 'Env' in obj || 'Entrypoint' in obj ? obj : undefined)) as RawConfig | undefined;
    if (!config || typeof config !== 'object') continue;
    const tags = Array.isArray(obj.RepoTags) ? (obj.RepoTags as string[]) : [];
    const ref = name ?? tags[0] ?? (items.length > 1 ? `${file}[${index}]` : file);
    const env = Array.isArray(config.Env)
      ? parseEnvList(config.Env.filter((e): e is string => typeof e === 'string'))
      : [];
    const ports = Object.keys((config.ExposedPorts as object | undefined) ?? {})
      .map((p) => Number.parseInt(p, 10))
      .filter((p) => p > 0);
    const base = ref.replace(/@sha256:.*$/, '').replace(/:[^/:]+$/, '');
    specs.push({
      name: items.length > 1 ? ref : 'image',
      label: `image ${ref}`,
      entrypoint: strings(config.Entrypoint),
      cmd: strings(config.Cmd),
      env: envFrom(env, `image ENV (${file})`),
      image: ref,
      file,
      ports,
      keys: [`image:${base.split('/').pop()}`],
      origin: 'image config',
    });
  }
  if (specs.length === 0)
    throw new KeepaliveParityError(
      'KAP_INPUT_INVALID',
      `${file}: no image config found (expected docker inspect JSON, an image config with "config", or {Env, Entrypoint, Cmd})`,
      { file },
    );
  return specs;
}

export function readImageConfig(input: ReaderInput, backendEnv?: string): ReaderResult {
  const sides = [];
  const diagnostics = [];
  for (const spec of imageSpecs(input.text, input.file)) {
    const { side, diagnostics: d } = containerSide(spec, { backendEnv });
    sides.push(side);
    diagnostics.push(...d.map((message) => ({ severity: 'warning' as const, message, file: input.file })));
  }
  return { sides, diagnostics };
}

/** `image:FILE.json` through the file bridge; tarballs go through the `image:` source kind. */
export const imageConfigReader: ConfigReader = {
  id: 'image-config',
  summary: 'A container image config (docker inspect JSON, Docker/OCI config blob): Env, Entrypoint, Cmd',
  roles: ['server'],
  detect: (file, text) =>
    /\.json$/.test(file) && /"(Cmd|Entrypoint)"\s*:/.test(text) && /"Env"\s*:/.test(text),
  read: (input) => readImageConfig(input),
};
