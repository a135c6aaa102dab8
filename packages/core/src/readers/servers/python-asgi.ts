import {
  type Candidate,
  commandCandidate,
  defaultKeepAliveFact,
  envCandidate,
  fileCandidate,
  keepAliveFact,
  portsFrom,
  unknownKeepAliveFact,
} from './facts.js';
import { lastAssignment, readPythonAssignments } from './python-config.js';
import { optionValue, programName } from './shell.js';
import type { ServerContext, ServerInterpreter, ServerReading } from './types.js';

/**
 * uvicorn: `--timeout-keep-alive N` (seconds) beats `UVICORN_TIMEOUT_KEEP_ALIVE` (click reads
 * every option from `UVICORN_<OPTION>`); default 5 s.
 */
export const uvicornInterpreter: ServerInterpreter = {
  product: 'uvicorn',
  matches: (argv) => programName(argv[0] ?? '') === 'uvicorn',
  interpret(argv: readonly string[], context: ServerContext): ServerReading {
    const diagnostics: string[] = [];
    const flag = optionValue(argv, ['--timeout-keep-alive']);
    const env = context.env.get('UVICORN_TIMEOUT_KEEP_ALIVE');
    const candidates: Candidate[] = [];
    if (flag) candidates.push(commandCandidate(context, flag.flag, flag.value, '--timeout-keep-alive'));
    if (env) candidates.push(envCandidate('UVICORN_TIMEOUT_KEEP_ALIVE', env, 'UVICORN_TIMEOUT_KEEP_ALIVE'));
    const fact =
      keepAliveFact('uvicorn', candidates, { syntax: 'integer-seconds', unit: 'seconds' }, diagnostics) ??
      defaultKeepAliveFact(
        'uvicorn',
        `neither --timeout-keep-alive nor UVICORN_TIMEOUT_KEEP_ALIVE is set (${context.origin}), so uvicorn's default applies`,
      );
    const port = optionValue(argv, ['--port'])?.value ?? context.env.get('UVICORN_PORT')?.value ?? '8000';
    return { product: 'uvicorn', label: 'uvicorn', facts: [fact], diagnostics, ports: portsFrom([port]) };
  },
};

/**
 * hypercorn: `--keep-alive N` (seconds) beats the config file (`-c FILE`, Python or TOML:
 * `keep_alive_timeout = N`); default 5 s.
 */
export const hypercornInterpreter: ServerInterpreter = {
  product: 'hypercorn',
  matches: (argv) => programName(argv[0] ?? '') === 'hypercorn',
  interpret(argv: readonly string[], context: ServerContext): ServerReading {
    const diagnostics: string[] = [];
    const candidates: Candidate[] = [];
    const flag = optionValue(argv, ['--keep-alive']);
    if (flag) candidates.push(commandCandidate(context, flag.flag, flag.value, '--keep-alive'));
    const config = optionValue(argv, ['-c', '--config'])?.value.replace(/^(python|toml|file):/, '');
    /** Why keep_alive_timeout cannot be told from the config file, when it cannot. */
    let blocker: string | undefined;
    if (config) {
      const entry = [...(context.files ?? new Map<string, string>())].find(
        ([path]) => path === config || path.endsWith(`/${config.replace(/^\.\//, '')}`),
      );
      if (!entry) {
        diagnostics.push(`config file ${config} (${context.origin}) was not available to read`);
        blocker = `keep_alive_timeout may be set in ${config}, which was not available to read (${context.origin})`;
      } else {
        // TOML and Python share the `name = value` shape for simple settings.
        const a = lastAssignment(readPythonAssignments(entry[1]), 'keep_alive_timeout');
        if (a?.value !== undefined)
          candidates.push(fileCandidate(entry[0], a.line, 'keep_alive_timeout', a.value));
        else if (a)
          blocker = `${entry[0]}:${a.line}: keep_alive_timeout is computed (${a.raw.trim()}); this tool does not evaluate it`;
      }
    }
    const known = keepAliveFact(
      'hypercorn',
      candidates,
      { syntax: 'plain', defaultUnit: 's', unit: 'seconds' },
      diagnostics,
    );
    // --keep-alive on the command line beats the file; without it, an unread file decides.
    const fact =
      (flag ? known : undefined) ??
      (blocker
        ? unknownKeepAliveFact('hypercorn', 'keep_alive_timeout', context.origin, [blocker])
        : known) ??
      defaultKeepAliveFact(
        'hypercorn',
        `nothing sets keep_alive_timeout (${context.origin}), so hypercorn's default applies`,
      );
    const bind = optionValue(argv, ['-b', '--bind'])?.value ?? '127.0.0.1:8000';
    return { product: 'hypercorn', label: 'hypercorn', facts: [fact], diagnostics, ports: portsFrom([bind]) };
  },
};
