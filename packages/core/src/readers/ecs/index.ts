import { KeepaliveParityError } from '../../errors.js';
import type { Provenance } from '../../facts.js';
import { type ContainerSpec, containerSide } from '../image/container.js';
import type { EnvEntry } from '../servers/index.js';
import { addTraefikSides } from '../traefik/flags.js';
import type { ConfigReader, ReaderDiagnostic, ReaderInput, ReaderResult, ReadSide } from '../types.js';

/** A value the file holds as an expression we do not evaluate (`var.keepalive`). */
export interface Unresolved {
  readonly unresolved: string;
}

export function isUnresolved(value: unknown): value is Unresolved {
  return typeof value === 'object' && value !== null && 'unresolved' in value;
}

function lineOfText(text: string, needle: string, from = 0): number | undefined {
  const index = text.indexOf(needle, from);
  if (index < 0) return undefined;
  let line = 1;
  for (let i = 0; i < index; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

function stringList(value: unknown): string[] | undefined {
  if (!Array.isArray(value)) return undefined;
  return value.map((v) => (isUnresolved(v) ? `\${${v.unresolved}}` : String(v)));
}

/**
 * ECS container definitions (`containerDefinitions[]`): `entryPoint`, `command`, `environment`
 * ([{name, value}]) and `portMappings`, each a container spec. `where` names the file and the
 * task definition for provenance; `text` is searched for line numbers.
 */
export function ecsContainerSpecs(
  definitions: readonly unknown[],
  where: {
    readonly file: string;
    readonly text: string;
    readonly family: string;
    readonly line?: number | undefined;
    readonly origin: string;
  },
  diagnostics: ReaderDiagnostic[],
): ContainerSpec[] {
  const specs: ContainerSpec[] = [];
  for (const [index, raw] of definitions.entries()) {
    if (!raw || typeof raw !== 'object') continue;
    const def = raw as Record<string, unknown>;
    const name = typeof def.name === 'string' ? def.name : `container ${index}`;
    const nameLine = lineOfText(where.text, `"${name}"`) ?? where.line;
    const env = new Map<string, EnvEntry>();
    if (Array.isArray(def.environment)) {
      for (const item of def.environment) {
        const e = item as { name?: unknown; value?: unknown };
        if (typeof e?.name !== 'string') continue;
        if (isUnresolved(e.value)) {
          diagnostics.push({
            severity: 'warning',
            message: `${where.family}/${name}: ${e.name} is an expression (${e.value.unresolved}) this tool does not evaluate`,
            file: where.file,
            line: nameLine,
            field: e.name,
          });
          // Kept as its expression: a server that reads this variable reports its keep-alive
          // unknown instead of falling back to a default.
          env.set(e.name, {
            value: `\${${e.value.unresolved}}`,
            provenance: { kind: 'file', file: where.file, line: nameLine },
            where: `${where.origin} ${where.family} container ${name} environment (an expression: ${e.value.unresolved})`,
          });
          continue;
        }
        const line = lineOfText(where.text, `"${e.name}"`) ?? lineOfText(where.text, e.name) ?? nameLine;
        const provenance: Provenance = { kind: 'file', file: where.file, line };
        env.set(e.name, {
          value: String(e.value ?? ''),
          provenance,
          where: `${where.origin} ${where.family} container ${name} environment (${where.file}:${line ?? '?'})`,
        });
      }
    }
    const envUnknown: string[] = [];
    if (def.environment !== undefined && !Array.isArray(def.environment))
      envUnknown.push(
        `${where.family}/${name}: environment = ${isUnresolved(def.environment) ? def.environment.unresolved : JSON.stringify(def.environment)} is not a list this tool can read`,
      );
    if (def.environmentFiles !== undefined)
      envUnknown.push(`${where.family}/${name}: environmentFiles (S3 env files) are not read`);
    const ports: number[] = [];
    if (Array.isArray(def.portMappings)) {
      for (const p of def.portMappings) {
        const port = Number((p as { containerPort?: unknown })?.containerPort);
        if (port > 0) ports.push(port);
      }
    }
    const image = typeof def.image === 'string' ? def.image : undefined;
    const imageBase = image
      ?.replace(/@sha256:.*$/, '')
      .replace(/:[^/:]+$/, '')
      .split('/')
      .pop();
    const command = stringList(def.command);
    const entrypoint = stringList(def.entryPoint);
    const commandLine = command
      ? lineOfText(where.text, command[0] ?? '', where.text.indexOf(`"${name}"`))
      : undefined;
    specs.push({
      name: `${where.family}/${name}`,
      label: `ECS ${where.family} container ${name}`,
      entrypoint,
      cmd: command,
      env,
      image,
      file: where.file,
      line: nameLine,
      commandLine,
      ports,
      keys: [
        `ecs-container:${where.family}/${name}`,
        `ecs-family:${where.family}`,
        ...(imageBase ? [`image:${imageBase}`] : []),
      ],
      origin: where.origin,
      envUnknown: envUnknown.length > 0 ? envUnknown : undefined,
    });
  }
  return specs;
}

export function specsToResult(
  specs: readonly ContainerSpec[],
  diagnostics: ReaderDiagnostic[],
  backendEnv?: string,
): ReaderResult {
  const sides: ReadSide[] = [];
  for (const spec of specs) {
    if (addTraefikSides(spec, { sides, diagnostics })) continue;
    const { side, diagnostics: d } = containerSide(spec, { backendEnv });
    sides.push(side);
    diagnostics.push(
      ...d.map((message) => ({ severity: 'warning' as const, message, file: spec.file, line: spec.line })),
    );
  }
  return { sides, diagnostics };
}

/** An ECS task definition JSON (`register-task-definition` input or `describe-task-definition` output). */
export function readEcsTaskDefinition(input: ReaderInput): ReaderResult {
  let parsed: unknown;
  try {
    parsed = JSON.parse(input.text);
  } catch (error) {
    throw new KeepaliveParityError(
      'KAP_INPUT_INVALID',
      `${input.file}: not JSON: ${(error as Error).message}`,
      { file: input.file },
    );
  }
  const root = ((parsed as { taskDefinition?: unknown })?.taskDefinition ?? parsed) as Record<
    string,
    unknown
  >;
  const definitions = Array.isArray(root) ? root : root?.containerDefinitions;
  const diagnostics: ReaderDiagnostic[] = [];
  if (!Array.isArray(definitions)) {
    diagnostics.push({
      severity: 'error',
      message: 'no containerDefinitions: not an ECS task definition',
      file: input.file,
    });
    return { sides: [], diagnostics };
  }
  const family =
    typeof root.family === 'string'
      ? root.family
      : input.file
          .split('/')
          .pop()!
          .replace(/\.json$/, '');
  const specs = ecsContainerSpecs(
    definitions,
    { file: input.file, text: input.text, family, origin: 'ECS task definition' },
    diagnostics,
  );
  return specsToResult(specs, diagnostics);
}

export const ecsReader: ConfigReader = {
  id: 'ecs',
  summary: 'An ECS task definition JSON: containerDefinitions[].entryPoint, command, environment',
  roles: ['server', 'pool'],
  detect: (file, text) => /\.json$/.test(file) && /"containerDefinitions"\s*:/.test(text),
  read: readEcsTaskDefinition,
};
