import type { Fact } from '../../facts.js';
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
import { optionValue, programName, splitCommandLine } from './shell.js';
import type { ServerContext, ServerInterpreter, ServerReading } from './types.js';

/**
 * gunicorn. Precedence (gunicorn's own): command line > GUNICORN_CMD_ARGS > config file
 * (`-c FILE`, else `./gunicorn.conf.py`). The worker class decides what `keepalive` means:
 *
 * - `sync` (the default): closes the connection after every response, so nothing is kept alive
 *   (value type `disabled`) whatever `--keep-alive` says; with `--threads` > 1 gunicorn switches
 *   to `gthread`.
 * - `gthread`, `gevent`, `eventlet`, `tornado`: `keepalive` is the idle keep-alive (default 2 s).
 * - `uvicorn.workers.UvicornWorker` / `UvicornH11Worker`: the worker passes gunicorn's
 *   `keepalive` to uvicorn as `timeout_keep_alive` (uvicorn/workers.py), so `--keep-alive` is in
 *   force and, unset, the worker gets gunicorn's 2 s, not uvicorn's 5 s. Measured on this machine
 *   with gunicorn 20.1.0 + uvicorn 0.17.6: `--keep-alive 3` closed an idle connection after 3.0 s,
 *   no flag after 2.0 s. `UVICORN_TIMEOUT_KEEP_ALIVE` is read only by the `uvicorn` CLI, so it
 *   has no effect under gunicorn.
 */

const KEEPALIVE_FLAGS = ['--keep-alive'];
const WORKER_FLAGS = ['-k', '--worker-class'];
const THREAD_FLAGS = ['--threads'];
const CONFIG_FLAGS = ['-c', '--config'];
const BIND_FLAGS = ['-b', '--bind'];

type WorkerKind = 'sync' | 'threaded' | 'uvicorn' | 'unknown';

export function classifyWorker(name: string): WorkerKind {
  const n = name
    .trim()
    .replace(/^egg:gunicorn#/, '')
    .toLowerCase();
  if (n === 'sync' || n === 'gunicorn.workers.sync.syncworker') return 'sync';
  if (['gthread', 'gevent', 'eventlet', 'tornado', 'gevent_wsgi', 'gevent_pywsgi'].includes(n))
    return 'threaded';
  if (n.startsWith('gunicorn.workers.')) return 'threaded';
  if (/^uvicorn(_worker)?\.workers?\.uvicorn(h11)?worker$/.test(n) || n === 'uvicorn_worker.uvicornworker')
    return 'uvicorn';
  return 'unknown';
}

export const gunicornInterpreter: ServerInterpreter = {
  product: 'gunicorn',
  matches: (argv) => programName(argv[0] ?? '') === 'gunicorn',
  interpret(argv: readonly string[], context: ServerContext): ServerReading {
    const diagnostics: string[] = [];
    const cmdArgsEntry = context.env.get('GUNICORN_CMD_ARGS');
    const envArgv = cmdArgsEntry ? ['gunicorn', ...splitCommandLine(cmdArgsEntry.value)] : undefined;

    // Config file: -c on the command line, then in GUNICORN_CMD_ARGS, then ./gunicorn.conf.py.
    const configFlag =
      optionValue(argv, CONFIG_FLAGS)?.value ??
      (envArgv ? optionValue(envArgv, CONFIG_FLAGS)?.value : undefined);
    let configPath: string | undefined;
    let configText: string | undefined;
    const files = context.files ?? new Map<string, string>();
    const wanted = configFlag?.replace(/^python:/, '');
    for (const [path, text] of files) {
      const base = path.split('/').pop();
      if (
        wanted !== undefined
          ? path === wanted ||
            path.endsWith(`/${wanted.replace(/^\.\//, '')}`) ||
            base === wanted.split('/').pop()
          : base === 'gunicorn.conf.py'
      ) {
        configPath = path;
        configText = text;
        break;
      }
    }
    const configMissing = wanted !== undefined && configText === undefined;
    if (configMissing)
      diagnostics.push(
        `config file ${wanted} (${context.origin}) was not available to read; its settings are not known`,
      );
    const assignments = configText === undefined ? [] : readPythonAssignments(configText);
    /** Settings the config file assigns in a way this reader cannot evaluate, with why. */
    const unreadable = new Map<string, string>();
    if (configText !== undefined && configPath !== undefined) {
      for (const [index, raw] of configText.split(/\r?\n/).entries()) {
        const nested = /^\s+(keepalive|worker_class|threads)\s*=/.exec(raw);
        if (nested && !unreadable.has(nested[1]!))
          unreadable.set(
            nested[1]!,
            `${configPath}:${index + 1}: ${nested[1]} is assigned inside a block (${raw.trim()}), so its value depends on code this tool does not run`,
          );
      }
    }

    const fromConfig = (name: string): Candidate | undefined => {
      const a = lastAssignment(assignments, name);
      if (!a || configPath === undefined) return undefined;
      if (a.env) {
        const entry = context.env.get(a.env.name);
        if (entry) return envCandidate(a.env.name, entry, name);
        if (a.env.fallback === undefined) {
          const why = `${configPath}:${a.line}: ${name} reads ${a.env.name}, which is not set here`;
          diagnostics.push(why);
          unreadable.set(name, why);
          return undefined;
        }
        return fileCandidate(configPath, a.line, name, a.env.fallback);
      }
      if (a.value === undefined) {
        const why = `${configPath}:${a.line}: ${name} is computed (${a.raw.trim()}); this tool does not evaluate it`;
        diagnostics.push(why);
        unreadable.set(name, why);
        return undefined;
      }
      return fileCandidate(configPath, a.line, name, a.value);
    };
    const pick = (flags: string[], configName: string, setting: string): Candidate | undefined => {
      const onCommand = optionValue(argv, flags);
      const inEnv = envArgv ? optionValue(envArgv, flags) : undefined;
      return (
        (onCommand && commandCandidate(context, onCommand.flag, onCommand.value, setting)) ??
        (inEnv && cmdArgsEntry
          ? {
              text: inEnv.value,
              provenance: cmdArgsEntry.provenance,
              described: `GUNICORN_CMD_ARGS ${inEnv.flag} ${inEnv.value} (${cmdArgsEntry.where})`,
              setting,
            }
          : undefined) ??
        fromConfig(configName)
      );
    };
    const keepaliveCandidates = (): Candidate[] => {
      const out: Candidate[] = [];
      const onCommand = optionValue(argv, KEEPALIVE_FLAGS);
      if (onCommand) out.push(commandCandidate(context, onCommand.flag, onCommand.value, '--keep-alive'));
      const inEnv = envArgv ? optionValue(envArgv, KEEPALIVE_FLAGS) : undefined;
      if (inEnv && cmdArgsEntry)
        out.push({
          text: inEnv.value,
          provenance: cmdArgsEntry.provenance,
          described: `GUNICORN_CMD_ARGS ${inEnv.flag} ${inEnv.value} (${cmdArgsEntry.where})`,
          setting: '--keep-alive',
        });
      const c = fromConfig('keepalive');
      if (c) out.push(c);
      return out;
    };

    const worker = pick(WORKER_FLAGS, 'worker_class', 'worker_class');
    const threads = pick(THREAD_FLAGS, 'threads', 'threads');
    let kind: WorkerKind = worker ? classifyWorker(worker.text) : 'sync';
    const notes: string[] = [];
    if (kind === 'sync' && threads && Number(threads.text) > 1) {
      kind = 'threaded';
      notes.push(
        `${threads.described}: with more than one thread gunicorn runs the gthread worker instead of sync`,
      );
    }
    const bind = pick(BIND_FLAGS, 'bind', 'bind');
    const port = context.env.get('PORT');
    const ports = portsFrom([bind?.text ?? (port ? `:${port.value}` : '127.0.0.1:8000')]);
    const keepalive = keepaliveCandidates();
    const parse = { syntax: 'integer-seconds' as const, unit: 'seconds' };
    let fact: Fact | undefined;
    let label = 'gunicorn';
    let product = 'gunicorn';

    // What the value depends on that could not be read: the worker class (sync keeps nothing
    // alive, the others use keepalive), the thread count (sync with threads > 1 is gthread) and
    // keepalive itself. Any of them unread and not fixed by a higher-precedence setting: unknown.
    const missing = (name: string) =>
      unreadable.get(name) ??
      (configMissing
        ? `${name} may be set in ${wanted}, which was not available to read (${context.origin})`
        : undefined);
    const blockers: string[] = [];
    if (!worker) {
      const why = missing('worker_class');
      if (why) blockers.push(why);
    }
    if (kind === 'sync' && !threads) {
      const why = missing('threads');
      if (why && !blockers.includes(why)) blockers.push(why);
    }
    if (kind !== 'sync' && keepalive.length === 0) {
      const why = missing('keepalive');
      if (why && !blockers.includes(why)) blockers.push(why);
    }
    if (blockers.length > 0) {
      return {
        product: 'gunicorn',
        label: 'gunicorn',
        facts: [
          unknownKeepAliveFact('gunicorn', '--keep-alive', context.origin, [
            ...blockers,
            'gunicorn keeps idle connections alive only with a non-sync worker (then for keepalive seconds, default 2); without the settings above that cannot be told',
          ]),
        ],
        diagnostics,
        ports,
      };
    }

    if (kind === 'sync') {
      product = 'gunicorn-sync';
      label = 'gunicorn (sync worker)';
      const ignored = keepalive[0]
        ? [`${keepalive[0].described} is ignored: the sync worker does not keep connections alive`]
        : [];
      if (worker) {
        fact = {
          subject: 'server-keepalive',
          value: { type: 'disabled', text: 'sync worker: closes after every response' },
          product,
          setting: worker.setting,
          provenance: worker.provenance,
          notes: [
            `${worker.described}: the sync worker closes the connection after every response, so no connection is reused and this race cannot happen`,
            ...ignored,
          ],
        };
      } else {
        fact = defaultKeepAliveFact(
          'gunicorn-sync',
          `no worker class is set (${context.origin}), so gunicorn runs its default sync worker, which closes the connection after every response`,
          ignored,
        );
      }
    } else {
      const why =
        kind === 'uvicorn'
          ? `${worker!.described}: UvicornWorker passes gunicorn's keepalive to uvicorn as timeout_keep_alive (uvicorn/workers.py), so gunicorn's --keep-alive is in force (measured: --keep-alive 3 closed an idle connection after 3 s); uvicorn's own --timeout-keep-alive and UVICORN_TIMEOUT_KEEP_ALIVE are not read under gunicorn`
          : kind === 'unknown'
            ? `${worker!.described}: a worker class this tool does not know; it is assumed to honour gunicorn's keepalive (check its source)`
            : worker
              ? `${worker.described}: this worker keeps connections alive for keepalive seconds`
              : undefined;
      if (kind === 'uvicorn') label = 'gunicorn + UvicornWorker';
      else if (worker) label = `gunicorn (${worker.text.replace(/^egg:gunicorn#/, '')} worker)`;
      const extra = [...notes, ...(why ? [why] : [])];
      if (kind === 'uvicorn') {
        const uvicornEnv = context.env.get('UVICORN_TIMEOUT_KEEP_ALIVE');
        if (uvicornEnv)
          extra.push(
            `UVICORN_TIMEOUT_KEEP_ALIVE=${uvicornEnv.value} (${uvicornEnv.where}) has no effect: only the uvicorn command reads it`,
          );
      }
      fact = keepAliveFact('gunicorn', keepalive, parse, diagnostics, extra);
      if (!fact) {
        fact = defaultKeepAliveFact(
          'gunicorn',
          kind === 'uvicorn'
            ? `nothing sets --keep-alive (${context.origin}), so UvicornWorker gets gunicorn's default keepalive (2 s), not uvicorn's 5 s (measured: 2.0 s)`
            : `nothing sets --keep-alive (${context.origin}), so gunicorn's default applies`,
          extra,
        );
      }
    }
    return { product, label, facts: [fact], diagnostics, ports };
  },
};
