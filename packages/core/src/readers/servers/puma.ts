import {
  type Candidate,
  commandCandidate,
  defaultKeepAliveFact,
  envCandidate,
  fileCandidate,
  keepAliveFact,
  portsFrom,
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
        else
          diagnostics.push(
            `${configPath}:${c.line}: persistent_timeout reads ${c.env}, which is not set here`,
          );
      } else if (c?.value) candidates.push(fileCandidate(configPath, c.line, 'persistent_timeout', c.value));
      else if (c)
        diagnostics.push(
          `${configPath}:${c.line}: persistent_timeout is not a literal (${c.raw.trim()}); not read`,
        );
    }
    const env = context.env.get('PUMA_PERSISTENT_TIMEOUT');
    if (env) candidates.push(envCandidate('PUMA_PERSISTENT_TIMEOUT', env, 'persistent_timeout'));
    const lock = [...files].find(([p]) => /(^|\/)Gemfile\.lock$/.test(p));
    const version = lock ? pumaVersionFromLockfile(lock[1]) : undefined;
    const fact =
      keepAliveFact(
        'puma',
        candidates,
        { syntax: 'plain', defaultUnit: 's', unit: 'seconds' },
        diagnostics,
      ) ??
      defaultKeepAliveFact(
        'puma',
        `nothing sets persistent_timeout (${context.origin}), so Puma's default applies${version ? ` (puma ${version} from ${lock![0]})` : ''}`,
        [],
        version,
      );
    const port = optionValue(argv, ['-p', '--port'])?.value ?? context.env.get('PORT')?.value ?? '9292';
    return { product: 'puma', label: 'Puma', facts: [fact], diagnostics, ports: portsFrom([port]) };
  },
};
