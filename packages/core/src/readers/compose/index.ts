import { isMap, isScalar, isSeq, LineCounter, type Node, parseDocument } from 'yaml';
import type { Provenance } from '../../facts.js';
import { type ContainerSpec, containerSide, overlayContainer } from '../image/container.js';
import { dockerfileSpec } from '../image/dockerfile.js';
import { commandConfigFiles, type EnvEntry, splitCommandLine } from '../servers/index.js';
import { addTraefikSides } from '../traefik/flags.js';
import type { ConfigReader, ReaderDiagnostic, ReaderInput, ReaderResult, ReadSide } from '../types.js';

function dirname(path: string): string {
  const slash = path.lastIndexOf('/');
  return slash < 0 ? '.' : path.slice(0, slash) || '/';
}

/** `a/./b/../c` → `a/c` (paths stay relative; no I/O). */
export function joinPath(dir: string, rel: string): string {
  if (rel.startsWith('/')) return rel;
  const parts = `${dir}/${rel}`.split('/');
  const out: string[] = [];
  for (const p of parts) {
    if (p === '.' || p === '') continue;
    if (p === '..' && out.length > 0 && out[out.length - 1] !== '..') out.pop();
    else out.push(p);
  }
  return (dir.startsWith('/') ? '/' : '') + (out.join('/') || '.');
}

interface ComposeService {
  readonly spec: ContainerSpec;
  /** Folder of the build context and the Dockerfile path, when the service builds one. */
  readonly dockerfile?: string | undefined;
  /** The build context folder, when the service builds one. */
  readonly context?: string | undefined;
}

/**
 * Config files the service's command points at (`gunicorn -c conf.py`), looked up in the build
 * context: the usual image copies the context into its working directory. A file not found there
 * is reported, and the server's keep-alive is then unknown, not a default.
 */
function serviceConfigFiles(service: ComposeService): string[] {
  if (!service.context) return [];
  const argv = [...(service.spec.entrypoint ?? []), ...(service.spec.cmd ?? [])];
  return commandConfigFiles(argv)
    .filter((f) => !f.startsWith('/') && !f.includes('$'))
    .map((f) => joinPath(service.context!, f));
}

/** Services of a compose file, each a container spec (its `command` as compose splits it). */
export function composeServices(
  text: string,
  file: string,
): { services: ComposeService[]; diagnostics: ReaderDiagnostic[] } {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter });
  const diagnostics: ReaderDiagnostic[] = [];
  if (doc.errors.length > 0) {
    const e = doc.errors[0]!;
    diagnostics.push({
      severity: 'error',
      message: `not valid YAML: ${e.message.split('\n')[0]}`,
      file,
      line: e.linePos?.[0]?.line,
    });
    return { services: [], diagnostics };
  }
  const lineOf = (node: unknown): number | undefined => {
    const range = (node as Node | undefined)?.range;
    return range ? lineCounter.linePos(range[0]).line : undefined;
  };
  const services: ComposeService[] = [];
  const root = doc.contents;
  const servicesNode = isMap(root) ? root.get('services', true) : undefined;
  if (!isMap(servicesNode)) return { services, diagnostics };
  for (const pair of servicesNode.items) {
    const name = isScalar(pair.key) ? String(pair.key.value) : undefined;
    const svc = pair.value;
    if (!name || !isMap(svc)) continue;
    const get = (key: string) => svc.get(key, true) as Node | undefined;
    const words = (node: Node | undefined): string[] | undefined => {
      if (node === undefined) return undefined;
      if (isScalar(node)) return node.value === null ? undefined : splitCommandLine(String(node.value));
      if (isSeq(node)) return node.items.map((i) => (isScalar(i) ? String(i.value) : ''));
      diagnostics.push({
        severity: 'warning',
        message: `service ${name}: command is neither a string nor a list`,
        file,
        line: lineOf(node),
      });
      return undefined;
    };
    const env = new Map<string, EnvEntry>();
    const envNode = get('environment');
    const put = (k: string, v: string, node: unknown) => {
      const provenance: Provenance = { kind: 'file', file, line: lineOf(node) };
      env.set(k, {
        value: v,
        provenance,
        where: `compose service ${name} environment (${file}:${lineOf(node) ?? '?'})`,
      });
    };
    if (isMap(envNode)) {
      for (const p of envNode.items) {
        if (isScalar(p.key) && isScalar(p.value) && p.value.value !== null)
          put(String(p.key.value), String(p.value.value), p.key);
      }
    } else if (isSeq(envNode)) {
      for (const item of envNode.items) {
        if (!isScalar(item)) continue;
        const text = String(item.value);
        const eq = text.indexOf('=');
        if (eq > 0) put(text.slice(0, eq), text.slice(eq + 1), item);
      }
    }
    // env_file: variables from files this reader does not read (they may set the server's
    // keep-alive, GUNICORN_CMD_ARGS ...), so a default is not a fact there.
    const envFileNode = get('env_file');
    const envFiles = isScalar(envFileNode)
      ? [String(envFileNode.value)]
      : isSeq(envFileNode)
        ? envFileNode.items.map((i) =>
            isScalar(i) ? String(i.value) : isMap(i) ? String(i.get('path') ?? '') : '',
          )
        : [];
    const envUnknown = envFiles.length
      ? [
          `compose service ${name}: env_file ${envFiles.join(', ')} (${file}:${lineOf(envFileNode) ?? '?'}) is not read; its variables are not known`,
        ]
      : undefined;
    const ports: number[] = [];
    for (const key of ['ports', 'expose']) {
      const node = get(key);
      if (!isSeq(node)) continue;
      for (const item of node.items) {
        const text = isScalar(item)
          ? String(item.value)
          : isMap(item)
            ? String(item.get('target') ?? '')
            : '';
        const target = Number.parseInt(
          text
            .replace(/\/\w+$/, '')
            .split(':')
            .pop() ?? '',
          10,
        );
        if (target > 0) ports.push(target);
      }
    }
    const build = get('build');
    let dockerfile: string | undefined;
    let buildContext: string | undefined;
    if (isScalar(build) || isMap(build)) {
      const context = isScalar(build) ? String(build.value) : String(build.get('context') ?? '.');
      buildContext = joinPath(dirname(file), context);
      const df = isMap(build) ? build.get('dockerfile') : undefined;
      dockerfile = joinPath(joinPath(dirname(file), context), df === undefined ? 'Dockerfile' : String(df));
    }
    const imageNode = get('image');
    const image = isScalar(imageNode) ? String(imageNode.value) : undefined;
    const command = get('command');
    const entrypoint = get('entrypoint');
    const imageBase = image
      ?.replace(/@sha256:.*$/, '')
      .replace(/:[^/:]+$/, '')
      .split('/')
      .pop();
    services.push({
      dockerfile,
      context: buildContext,
      spec: {
        name,
        label: `compose service ${name}`,
        entrypoint: words(entrypoint),
        cmd: words(command),
        env,
        image,
        file,
        line: lineOf(pair.key),
        commandLine: lineOf(command) ?? lineOf(entrypoint),
        ports,
        keys: [
          `service:${name}`,
          ...(imageBase ? [`image:${imageBase}`] : []),
          ...(dockerfile ? [`dockerfile:${dirname(dockerfile)}`] : []),
        ],
        origin: 'docker compose',
        envUnknown,
      },
    });
  }
  return { services, diagnostics };
}

export function readCompose(input: ReaderInput): ReaderResult {
  const { services, diagnostics } = composeServices(input.text, input.file);
  const sides: ReadSide[] = [];
  for (const service of services) {
    let spec = service.spec;
    const dfText = service.dockerfile ? input.includes?.get(service.dockerfile) : undefined;
    if (service.dockerfile && dfText !== undefined) {
      const base = dockerfileSpec(dfText, service.dockerfile).spec;
      spec = overlayContainer(base, spec);
    }
    if (addTraefikSides(spec, { sides, diagnostics })) continue;
    const { side, diagnostics: d } = containerSide(spec, { files: input.includes });
    sides.push(side);
    diagnostics.push(...d.map((message) => ({ severity: 'warning' as const, message, file: input.file })));
  }
  return { sides, diagnostics };
}

export const composeReader: ConfigReader = {
  id: 'compose',
  summary: 'docker compose services: command, entrypoint, environment (on top of the built Dockerfile)',
  roles: ['server', 'pool'],
  detect: (file, text) =>
    /(^|\/)(docker-)?compose(\.[\w-]+)?\.ya?ml$/.test(file) && /^services\s*:/m.test(text),
  includes(file, text) {
    const out: string[] = [];
    const dir = dirname(file);
    for (const s of composeServices(text, file).services) {
      for (const path of [...(s.dockerfile ? [s.dockerfile] : []), ...serviceConfigFiles(s)])
        out.push(path.startsWith(`${dir}/`) ? path.slice(dir.length + 1) : path);
    }
    return out;
  },
  read: readCompose,
};
