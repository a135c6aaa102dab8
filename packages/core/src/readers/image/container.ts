import type { Fact } from '../../facts.js';
import { type EnvEntry, interpretProcess } from '../servers/index.js';
import type { ReadSide } from '../types.js';

/**
 * A container as some file describes it: an image config, a Dockerfile stage, a Kubernetes
 * container, a compose service, an ECS container definition. `undefined` means "not set here"
 * (inherit from the image), an empty array means "set to nothing".
 */
export interface ContainerSpec {
  /** Name inside its file (`web`, `Deployment/web/app`), also the `#NAME` of a source. */
  readonly name: string;
  readonly label: string;
  readonly entrypoint?: readonly string[] | undefined;
  readonly cmd?: readonly string[] | undefined;
  readonly env: ReadonlyMap<string, EnvEntry>;
  /** Image reference, when the spec runs one (`example/api:1.2`). */
  readonly image?: string | undefined;
  /** Where the spec was written. */
  readonly file: string;
  readonly line?: number | undefined;
  /** Where its command was written (k8s `args:` line), for provenance. */
  readonly commandLine?: number | undefined;
  /** Ports it exposes or maps (container side). */
  readonly ports: readonly number[];
  /** Pairing keys for `scan` (`service:web`, `label:app=web`, `port:8000`, `image:api`). */
  readonly keys: readonly string[];
  /** For people: what the spec is (`image config`, `Kubernetes Deployment`). */
  readonly origin: string;
  /** Why part of the environment is not known (an `env_file` not read, an expression). */
  readonly envUnknown?: readonly string[] | undefined;
}

/**
 * Docker's override rules, shared by Kubernetes (`command` = ENTRYPOINT, `args` = CMD), compose
 * and ECS (`entryPoint`, `command`): setting the entrypoint drops the image's CMD unless the
 * override sets one too. Env: the override's variables win over the image's.
 */
export function overlayContainer(base: ContainerSpec | undefined, top: ContainerSpec): ContainerSpec {
  if (!base) return top;
  const entrypoint = top.entrypoint ?? base.entrypoint;
  const cmd = top.cmd ?? (top.entrypoint !== undefined ? undefined : base.cmd);
  const env = new Map(base.env);
  for (const [k, v] of top.env) {
    const replaced = base.env.get(k);
    env.set(k, replaced && replaced.value !== v.value ? { ...v, overrides: replaced } : v);
  }
  return {
    ...top,
    entrypoint,
    cmd,
    env,
    ports: top.ports.length > 0 ? top.ports : base.ports,
    keys: [...new Set([...top.keys, ...base.keys])],
    origin: `${top.origin} on ${base.origin}`,
    envUnknown:
      top.envUnknown || base.envUnknown ? [...(base.envUnknown ?? []), ...(top.envUnknown ?? [])] : undefined,
  };
}

/** A server side read from a container, carrying the spec it came from (for `scan` to overlay an image). */
export interface ContainerReadSide extends ReadSide {
  readonly container: ContainerSpec;
}

export function containerOf(side: ReadSide): ContainerSpec | undefined {
  return (side as Partial<ContainerReadSide>).container;
}

/** The full argv a container runs (entrypoint + cmd). */
export function containerArgv(spec: ContainerSpec): string[] {
  return [...(spec.entrypoint ?? []), ...(spec.cmd ?? [])];
}

/**
 * Turns a container into a server side: interprets its command and env with the server readers.
 * A container whose command is not known (an image built elsewhere) gets an `unset` fact saying
 * what to give instead, so the hop is reported `unknown`, never silently passed.
 */
export function containerSide(
  spec: ContainerSpec,
  options: {
    readonly files?: ReadonlyMap<string, string> | undefined;
    readonly backendEnv?: string | undefined;
  } = {},
): { side: ContainerReadSide; diagnostics: string[] } {
  const argv = containerArgv(spec);
  const reading =
    argv.length > 0
      ? interpretProcess({
          argv,
          env: spec.env,
          files: options.files,
          origin: `${spec.origin} ${spec.label}`,
          commandFile:
            spec.commandLine !== undefined ? { file: spec.file, line: spec.commandLine } : undefined,
          backendEnv: options.backendEnv,
          envUnknown: spec.envUnknown,
        })
      : undefined;
  const keys = [
    ...spec.keys,
    ...(reading?.ports ?? []).map((p) => `port:${p}`),
    ...spec.ports.map((p) => `port:${p}`),
  ];
  if (!reading) {
    const fact: Fact = {
      subject: 'server-keepalive',
      value: { type: 'unset' },
      provenance: { kind: 'file', file: spec.file, line: spec.line },
      notes: [
        argv.length === 0
          ? `${spec.label}: the command is not in ${spec.file}${spec.image ? ` (it comes from image ${spec.image})` : ''}; give the image config (image:FILE) or its Dockerfile`
          : `${spec.label}: no known server in the command ${JSON.stringify(argv.join(' '))}; give the value with value:DURATION, or name the env var a Node server reads with #VAR`,
      ],
    };
    return {
      side: {
        role: 'server',
        name: spec.name,
        label: spec.label,
        facts: [fact],
        targets: [...new Set(keys)],
        container: spec,
      },
      diagnostics: [],
    };
  }
  return {
    side: {
      role: 'server',
      name: spec.name,
      label: `${spec.label} (${reading.label})`,
      product: reading.product,
      facts: reading.facts,
      targets: [...new Set(keys)],
      container: spec,
    },
    diagnostics: [...reading.diagnostics],
  };
}
