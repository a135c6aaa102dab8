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
import { optionValue, programName } from './shell.js';
import type { ServerContext, ServerInterpreter, ServerReading } from './types.js';

/** `persistent_timeout 75`, `persistent_timeout ENV.fetch("X", 75)`, `persistent_timeout Integer(ENV["X"] || 75)`. */
export function readPumaConfig(
  text: string,
): { line: number; value?: string; env?: string; fallback?: string; raw: string } | undefined {
  let found: { line: number; value?: string; env?: string; fallback?: string; raw: string } | undefined;
  for (const [index, raw] of text.split(/\r?\n/).entries()) {
    const m = /^\s*persistent_timeout[\s(]+(.+?)\)?\s*(?:#.*)?$/.exec(raw);
    if (!m) continue;
    const expr = m[1]!.trim();
    const env =
      /ENV(?:\.fetch\(\s*|\[\s*)["']([A-Z0-9_]+)["']\s*\]?\s*(?:,\s*["']?(\d+)["']?\s*\)?|\|\|\s*["']?(\d+)["']?)?/.exec(
        expr,
      );
    if (env) found = { line: index + 1, env: env[1], fallback: env[2] ?? env[3], raw };
    else if (/^\d+(\.\d+)?$/.test(expr)) found = { line: index + 1, value: expr, raw };
    else found = { line: index + 1, raw };
  }
  return found;
}

/** The Puma version from a Gemfile.lock (`    puma (6.4.2)`). */
export function pumaVersionFromLockfile(text: string): string | undefined {
  return /^\s{4}puma \((\d+\.\d+(?:\.\d+)?)[^)]*\)/m.exec(text)?.[1];
}

/**
 * Puma: `persistent_timeout` in the config file (`-C FILE`, else `config/puma.rb`), or
 * `PUMA_PERSISTENT_TIMEOUT`. Default 65 s from Puma 7.0.0, 20 s before: the version comes from
 * a `Gemfile.lock` when one is available.
 */
export const pumaInterpreter: ServerInterpreter = {
  product: 'puma',
  matches: (argv) => {
    const name = programName(argv[0] ?? '');
    return (
      name === 'puma' || ((name === 'rails' || name.endsWith('/rails')) && /^(s|server)$/.test(argv[1] ?? ''))
    );
  },
  interpret(argv: readonly string[], context: ServerContext): ServerReading {
    const diagnostics: string[] = [];
    const files = context.files ?? new Map<string, string>();
    const configArg = optionValue(argv, ['-C', '--config'])?.value;
    const configPath = [...files.keys()].find((p) =>
      configArg
        ? p === configArg || p.endsWith(`/${configArg.replace(/^\.\//, '')}`)
        : /(^|\/)config\/puma\.rb$/.test(p),
    );
    if (configArg && !configPath)
      diagnostics.push(`config file ${configArg} (${context.origin}) was not available to read`);
    /** Why persistent_timeout cannot be told, when it cannot. */
    const blockers: string[] = [];
    const lock = [...files].find(([p]) => /(^|\/)Gemfile\.lock$/.test(p));
    if (configArg && !configPath)
      blockers.push(
        `persistent_timeout may be set in ${configArg}, which was not available to read (${context.origin})`,
      );
    else if (!configArg && !configPath && !lock && !context.appFolderSearched)
      // Without -C, Puma loads config/puma/<env>.rb or config/puma.rb from the app's folder when it
      // exists (every Rails app has one). With no file of the app here, that cannot be told.
      blockers.push(
        `Puma loads config/puma.rb from the app's folder when it exists; no file of the app is available here (${context.origin}), so its persistent_timeout is not known`,
      );
    const candidates: Candidate[] = [];
    const flag = optionValue(argv, ['--persistent-timeout']);
    if (flag) candidates.push(commandCandidate(context, flag.flag, flag.value, 'persistent_timeout'));
    if (configPath) {
      const c = readPumaConfig(files.get(configPath)!);
      if (c?.env) {
        const entry = context.env.get(c.env);
        if (entry) candidates.push(envCandidate(c.env, entry, 'persistent_timeout'));
        else if (c.fallback)
          candidates.push(fileCandidate(configPath, c.line, 'persistent_timeout', c.fallback));
        else {
          const why = `${configPath}:${c.line}: persistent_timeout reads ${c.env}, which is not set here`;
          diagnostics.push(why);
          blockers.push(why);
        }
      } else if (c?.value) candidates.push(fileCandidate(configPath, c.line, 'persistent_timeout', c.value));
      else if (c) {
        const why = `${configPath}:${c.line}: persistent_timeout is computed (${c.raw.trim()}); this tool does not evaluate it`;
        diagnostics.push(why);
        blockers.push(why);
      }
    }
    const env = context.env.get('PUMA_PERSISTENT_TIMEOUT');
    if (env) candidates.push(envCandidate('PUMA_PERSISTENT_TIMEOUT', env, 'persistent_timeout'));
    const version = lock ? pumaVersionFromLockfile(lock[1]) : undefined;
    const port = optionValue(argv, ['-p', '--port'])?.value ?? context.env.get('PORT')?.value ?? '9292';
    const known = keepAliveFact(
      'puma',
      candidates,
      { syntax: 'plain', defaultUnit: 's', unit: 'seconds' },
      diagnostics,
    );
    // A file that could not be read may set persistent_timeout over the env default: only a value
    // on the command line stands above it.
    if (blockers.length > 0 && !(known && flag)) {
      const fact = unknownKeepAliveFact('puma', 'persistent_timeout', context.origin, blockers);
      return { product: 'puma', label: 'Puma', facts: [fact], diagnostics, ports: portsFrom([port]) };
    }
    const fact =
      known ??
      defaultKeepAliveFact(
        'puma',
        `nothing sets persistent_timeout (${context.origin}), so Puma's default applies${version ? ` (puma ${version} from ${lock![0]})` : ''}`,
        [],
        version,
      );
    return { product: 'puma', label: 'Puma', facts: [fact], diagnostics, ports: portsFrom([port]) };
  },
};
