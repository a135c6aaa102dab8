import { KeepaliveParityError } from '../../errors.js';
import type { ResolvedSide, SourceIo, SourceKindDefinition, SourceRequest } from '../../sources/types.js';
import { envFrom, type InterpretResult, interpretProcess, optionValue } from './index.js';
import { splitCommandLine } from './shell.js';

/** What the CLI reads for `proc:PID` (Linux `/proc`). */
export interface ProcessSnapshot {
  readonly pid: number;
  readonly argv: readonly string[];
  readonly env: readonly (readonly [string, string])[];
  /** The process' working directory, for relative config paths (`-c gunicorn.conf.py`). */
  readonly cwd?: string | undefined;
}

/** I/O members these sources use (provided by the CLI's readers-io). */
export interface ServerSourceIo extends SourceIo {
  readProcess?(pid: number): Promise<ProcessSnapshot>;
}

function toResolved(result: InterpretResult, label: string, source: string): ResolvedSide {
  return {
    label: `${label} (${result.label})`,
    product: result.product,
    facts: result.facts,
    source,
    diagnostics: result.diagnostics.length > 0 ? result.diagnostics : undefined,
  };
}

/**
 * `assert` without `--allow-default`: a side whose keep-alive is only the knowledge-base default
 * (nothing in the command, env or files sets it) is an input error, as for `runtime:NAME`.
 */
export function refuseDefaults(request: SourceRequest, sides: readonly ResolvedSide[]): ResolvedSide[] {
  if (request.allowDefault) return [...sides];
  for (const side of sides) {
    const fact = side.facts.find((f) => f.subject === 'server-keepalive');
    if (fact?.isDefault) {
      throw new KeepaliveParityError(
        'KAP_SOURCE_UNAVAILABLE',
        `${request.field}: ${request.spec.raw}: nothing sets the keep-alive of ${side.label}; its ${fact.setting ?? 'keep-alive'} would be the knowledge-base default. Set it explicitly, or pass --allow-default`,
        { field: request.field },
      );
    }
  }
  return [...sides];
}

function noServer(request: SourceRequest, argv: readonly string[]): KeepaliveParityError {
  return new KeepaliveParityError(
    'KAP_SOURCE_UNAVAILABLE',
    `${request.field}: ${request.spec.raw}: no known server in the command ${JSON.stringify(argv.join(' '))} (known: gunicorn, uvicorn, hypercorn, puma, next, node, httpd, java/Spring Boot, dotnet/Kestrel, nginx)`,
    { field: request.field },
  );
}

/** `cmd:"gunicorn -k gthread --keep-alive 75 app:app"`: a command line given as text. */
export const cmdSource: SourceKindDefinition = {
  kind: 'cmd',
  roles: ['server'],
  summary:
    "A server command line as text (a Procfile line, Kubernetes args, an ECS command); #VAR names a Node server's env var",
  example: `--backend 'cmd:gunicorn -k gthread --keep-alive 75 app:app'`,
  async resolve(request): Promise<ResolvedSide[]> {
    const text = request.spec.locator
      .trim()
      .replace(/^"(.*)"$/s, '$1')
      .replace(/^'(.*)'$/s, '$1');
    const argv = splitCommandLine(text);
    const result = interpretProcess({
      argv,
      env: new Map(),
      origin: 'given as cmd:',
      backendEnv: request.spec.fragment || undefined,
    });
    if (!result) throw noServer(request, argv);
    return refuseDefaults(request, [toResolved(result, 'command', request.spec.raw)]);
  },
};

/** Config files a command names, to read from the process' working directory. */
function wantedFiles(argv: readonly string[]): string[] {
  const out = new Set<string>(['gunicorn.conf.py', 'config/puma.rb', 'appsettings.json', 'package.json']);
  for (const names of [['-c', '--config'], ['-C'], ['-f']]) {
    const v = optionValue(argv, names)?.value.replace(/^(python|file|toml):/, '');
    if (v) out.add(v);
  }
  return [...out];
}

/** `proc:PID`: a running process' command line and environment (Linux `/proc/PID`). */
export const procSource: SourceKindDefinition = {
  kind: 'proc',
  roles: ['server'],
  summary:
    "A running process on this machine: /proc/PID/cmdline and environ (Linux); #VAR names a Node server's env var",
  example: '--backend proc:4242',
  async resolve(request, io: ServerSourceIo): Promise<ResolvedSide[]> {
    const pidText = request.spec.locator.trim();
    if (!/^\d+$/.test(pidText) || Number(pidText) <= 0) {
      throw new KeepaliveParityError(
        'KAP_SOURCE_INVALID',
        `${request.field}: ${request.spec.raw}: a process id is a positive whole number`,
        { field: request.field },
      );
    }
    if (typeof io.readProcess !== 'function') {
      throw new KeepaliveParityError(
        'KAP_SOURCE_UNAVAILABLE',
        `${request.field}: reading processes is not available here`,
        { field: request.field },
      );
    }
    let snapshot = await io.readProcess(Number(pidText));
    // A process that rewrote its title (setproctitle) shows one string, or only its new title.
    if (snapshot.argv.length === 1 && /\s/.test(snapshot.argv[0]!)) {
      const title = snapshot.argv[0]!;
      if (/^[\w.-]+: (master|worker)\b/.test(title)) {
        throw new KeepaliveParityError(
          'KAP_SOURCE_UNAVAILABLE',
          `${request.field}: ${request.spec.raw}: the process renamed itself (${JSON.stringify(title)}), so its flags are not in /proc/${snapshot.pid}/cmdline; give its command line with cmd:"..."`,
          { field: request.field },
        );
      }
      snapshot = { ...snapshot, argv: splitCommandLine(title) };
    }
    const env = envFrom(snapshot.env, `environment of process ${snapshot.pid}`);
    const files = new Map<string, string>();
    if (snapshot.cwd && io.readTextFile) {
      for (const path of wantedFiles(snapshot.argv)) {
        const full = path.startsWith('/') ? path : `${snapshot.cwd.replace(/\/$/, '')}/${path}`;
        try {
          files.set(full, await io.readTextFile(full));
        } catch {
          // absent or unreadable: the interpreter says what it could not read
        }
      }
    }
    const result = interpretProcess({
      argv: snapshot.argv,
      env,
      files,
      appFolderSearched: Boolean(snapshot.cwd && io.readTextFile),
      origin: `process ${snapshot.pid}`,
      backendEnv: request.spec.fragment || undefined,
    });
    if (!result) throw noServer(request, snapshot.argv);
    return refuseDefaults(request, [toResolved(result, `process ${snapshot.pid}`, request.spec.raw)]);
  },
};
