import type { Fact, Provenance } from '../../facts.js';
import { defaultFact } from '../../kb/index.js';
import type { ConfigReader } from '../types.js';
import { unknownKeepAliveFact } from './facts.js';
import { gunicornInterpreter } from './gunicorn.js';
import { httpdInterpreter, httpdReader } from './httpd.js';
import {
  dotnetInterpreter,
  javaInterpreter,
  kestrelReader,
  springBootReader,
  tomcatReader,
} from './jvm-dotnet.js';
import { nextInterpreter, nodeInterpreter } from './node.js';
import { pumaInterpreter } from './puma.js';
import { hypercornInterpreter, uvicornInterpreter } from './python-asgi.js';
import { normalizeCommand, optionValue, programName, splitCommandLine } from './shell.js';
import type { EnvEntry, ServerContext, ServerInterpreter, ServerReading } from './types.js';

export { classifyWorker } from './gunicorn.js';
export { readHttpdConfig } from './httpd.js';
export { readSpringProperties, readTomcatServerXml } from './jvm-dotnet.js';
export { readPythonAssignments } from './python-config.js';
export * from './shell.js';
export * from './types.js';

/**
 * nginx as a backend started from an image (`nginx -g 'daemon off;'`): its nginx.conf is read by the
 * nginx reader when scanned; from a command alone, nginx's default keepalive_timeout applies.
 */
const nginxInterpreter: ServerInterpreter = {
  product: 'nginx',
  matches: (argv) => programName(argv[0] ?? '') === 'nginx',
  interpret(_argv, context): ServerReading {
    let fact: Fact;
    try {
      fact = defaultFact('nginx', 'server');
      fact = {
        ...fact,
        notes: [
          `nginx.conf is not part of ${context.origin}; assuming nginx's default keepalive_timeout (read the file with nginx:PATH)`,
          ...(fact.notes ?? []),
        ],
      };
    } catch {
      fact = {
        subject: 'server-keepalive',
        value: { type: 'unset' },
        product: 'nginx',
        provenance: { kind: 'derived', from: context.origin },
      };
    }
    return { product: 'nginx', label: 'nginx', facts: [fact], diagnostics: [], ports: [80] };
  },
};

/** Every server interpreter, tried in order on the normalised command. */
export const SERVER_INTERPRETERS: readonly ServerInterpreter[] = [
  gunicornInterpreter,
  uvicornInterpreter,
  hypercornInterpreter,
  pumaInterpreter,
  nextInterpreter,
  nodeInterpreter,
  httpdInterpreter,
  javaInterpreter,
  dotnetInterpreter,
  nginxInterpreter,
];

export interface InterpretResult extends ServerReading {
  /** The server's own argv after wrappers were stripped. */
  readonly argv: readonly string[];
  readonly wrappers: readonly string[];
}

/**
 * `npm start` / `yarn start` / `npm run NAME`: the script from a package.json among the files.
 * Returns the script's words, or undefined.
 */
function packageScript(
  argv: readonly string[],
  files: ReadonlyMap<string, string> | undefined,
): string[] | undefined {
  const tool = programName(argv[0] ?? '');
  if (!['npm', 'yarn', 'pnpm'].includes(tool) || !files) return undefined;
  const name = argv[1] === 'run' || argv[1] === 'run-script' ? argv[2] : argv[1];
  if (!name) return undefined;
  for (const [path, text] of files) {
    if (!/(^|\/)package\.json$/.test(path)) continue;
    try {
      const script = (JSON.parse(text) as { scripts?: Record<string, string> }).scripts?.[name];
      if (typeof script === 'string') return splitCommandLine(script);
    } catch {
      // not JSON: not ours to report
    }
  }
  return undefined;
}

/**
 * A default keep-alive (nothing set it) is only a default if nothing unseen can set it: with part
 * of the environment unknown (an env file not read, an expression), a variable the server reads
 * (GUNICORN_CMD_ARGS, UVICORN_TIMEOUT_KEEP_ALIVE, PUMA_PERSISTENT_TIMEOUT ...) may be there.
 */
function unknownWhenEnvUnknown(fact: Fact, context: ServerContext): Fact {
  if (!context.envUnknown?.length || fact.isDefault !== true) return fact;
  return unknownKeepAliveFact(fact.product ?? 'server', fact.setting ?? 'keep-alive', context.origin, [
    ...context.envUnknown,
    `nothing read here sets ${fact.setting ?? 'the keep-alive'}, but the environment is not fully known and may set it (the default would be ${fact.value.type === 'duration' ? fact.value.text : fact.value.type})`,
  ]);
}

/**
 * Interprets one process as deployed: finds the server in its command (through `sh -c`, `exec`,
 * `python -m`, `npm start` ...) and reads its keep-alive from the command line, the environment and
 * any config files given. Returns undefined when no known server is found in the command.
 */
export function interpretProcess(context: ServerContext): InterpretResult | undefined {
  let candidates = normalizeCommand(context.argv);
  for (let round = 0; round < 2; round++) {
    for (const candidate of candidates) {
      const interpreter = SERVER_INTERPRETERS.find((i) => i.matches(candidate.argv));
      if (!interpreter) continue;
      let env = context.env;
      if (candidate.assignments.length > 0) {
        const merged = new Map(env);
        for (const a of candidate.assignments)
          merged.set(a.name, {
            value: a.value,
            provenance: { kind: 'env', variable: a.name },
            where: `set on the command line (${context.origin})`,
          });
        env = merged;
      }
      const reading = interpreter.interpret(candidate.argv, { ...context, env });
      const wrapped =
        candidate.wrappers.length > 0 ? [`command found inside ${candidate.wrappers.join(' → ')}`] : [];
      const facts = reading.facts
        .map((f) => (f.subject === 'server-keepalive' ? unknownWhenEnvUnknown(f, context) : f))
        .map((f, i) =>
          i === 0 && wrapped.length > 0 ? { ...f, notes: [...(f.notes ?? []), ...wrapped] } : f,
        );
      return { ...reading, facts, argv: candidate.argv, wrappers: candidate.wrappers };
    }
    const script = candidates.map((c) => packageScript(c.argv, context.files)).find((s) => s !== undefined);
    if (!script) break;
    candidates = normalizeCommand(script);
  }
  return undefined;
}

/**
 * Config files a command line points at (`gunicorn -c conf.py`, `puma -C config/puma.rb`), as
 * written (relative to the process's working directory). A deployment reader that can see the
 * app's files (a compose build context) asks for them; where it cannot, the interpreter reports
 * the keep-alive as unknown.
 */
export function commandConfigFiles(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (const candidate of normalizeCommand(argv)) {
    const interpreter = SERVER_INTERPRETERS.find((i) => i.matches(candidate.argv));
    const flags =
      interpreter?.product === 'gunicorn'
        ? ['-c', '--config']
        : interpreter?.product === 'puma'
          ? ['-C', '--config']
          : undefined;
    const value = flags ? optionValue(candidate.argv, flags)?.value : undefined;
    // `python:pkg.module` names a module, not a file.
    if (value && !value.startsWith('python:')) out.push(value);
  }
  return out;
}

/** Builds the env map of a process from plain pairs, all from one place. */
export function envFrom(
  pairs: Iterable<readonly [string, string]>,
  where: string,
  provenance: (name: string) => Provenance = (name) => ({ kind: 'env', variable: name }),
): Map<string, EnvEntry> {
  const map = new Map<string, EnvEntry>();
  for (const [name, value] of pairs) map.set(name, { value, provenance: provenance(name), where });
  return map;
}

/** `KEY=VALUE` strings (Docker `Env`, `/proc/PID/environ`) to pairs. */
export function parseEnvList(list: readonly string[]): [string, string][] {
  const out: [string, string][] = [];
  for (const item of list) {
    const eq = item.indexOf('=');
    if (eq > 0) out.push([item.slice(0, eq), item.slice(eq + 1)]);
  }
  return out;
}

/** A config file that only means something for one server: read it as that server started plainly. */
function configFileReader(
  id: string,
  summary: string,
  pattern: RegExp,
  argv: (file: string) => string[],
  looksRight: RegExp,
): ConfigReader {
  return {
    id,
    summary,
    roles: ['server'],
    detect: (file, text) => pattern.test(file) && looksRight.test(text),
    read(input) {
      const files = new Map([[input.file, input.text], ...(input.includes ?? new Map<string, string>())]);
      const result = interpretProcess({ argv: argv(input.file), env: new Map(), files, origin: input.file });
      if (!result) return { sides: [], diagnostics: [] };
      return {
        sides: [
          {
            role: 'server',
            name: result.product,
            label: result.label,
            product: result.product,
            facts: result.facts,
            targets: result.ports.map(String),
          },
        ],
        diagnostics: result.diagnostics.map((message) => ({
          severity: 'warning' as const,
          message,
          file: input.file,
        })),
      };
    },
  };
}

export const gunicornConfigReader = configFileReader(
  'gunicorn-conf',
  'gunicorn.conf.py: keepalive, worker_class, threads (simple assignments)',
  /(^|\/)gunicorn(\.conf|_conf|\.config|_config)?\.py$/,
  (file) => ['gunicorn', '-c', file],
  /^\s*(keepalive|worker_class|bind|workers)\s*=/m,
);

export const pumaConfigReader = configFileReader(
  'puma-rb',
  'Puma config/puma.rb: persistent_timeout',
  /(^|\/)puma(\/[\w-]+)?\.rb$/,
  (file) => ['puma', '-C', file],
  /^\s*(persistent_timeout|port|workers|threads|bind)\b/m,
);

/** Config-file readers for servers, each also a `kind:PATH` source through the shared bridge. */
export const SERVER_FILE_READERS: readonly ConfigReader[] = [
  httpdReader,
  tomcatReader,
  springBootReader,
  kestrelReader,
  gunicornConfigReader,
  pumaConfigReader,
];
