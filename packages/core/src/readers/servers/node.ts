import {
  type Candidate,
  commandCandidate,
  defaultKeepAliveFact,
  envCandidate,
  keepAliveFact,
  portsFrom,
  unknownKeepAliveFact,
} from './facts.js';
import { optionValue, programName } from './shell.js';
import type { ServerInterpreter, ServerReading } from './types.js';

const MS = { syntax: 'integer-milliseconds' as const, unit: 'milliseconds' };

/**
 * Next.js: `next start --keepAliveTimeout MS`; the standalone output's `node server.js` reads
 * `KEEP_ALIVE_TIMEOUT` (ms). Unset: Node's default (5 s).
 */
export const nextInterpreter: ServerInterpreter = {
  product: 'nextjs',
  matches: (argv) => programName(argv[0] ?? '') === 'next' && (argv[1] === 'start' || argv[1] === undefined),
  interpret(argv, context) {
    const diagnostics: string[] = [];
    const candidates: Candidate[] = [];
    const flag = optionValue(argv, ['--keepAliveTimeout']);
    if (flag) candidates.push(commandCandidate(context, flag.flag, flag.value, '--keepAliveTimeout'));
    const fact =
      keepAliveFact('nextjs', candidates, MS, diagnostics) ??
      defaultKeepAliveFact(
        'nextjs',
        `next start has no --keepAliveTimeout (${context.origin}), so Node's default applies`,
      );
    const port = optionValue(argv, ['-p', '--port'])?.value ?? context.env.get('PORT')?.value ?? '3000';
    return {
      product: 'nextjs',
      label: 'Next.js (next start)',
      facts: [fact],
      diagnostics,
      ports: portsFrom([port]),
    };
  },
};

/**
 * A Node server (`node server.js`). Node has no command-line flag or env var for
 * `server.keepAliveTimeout`; a service that reads one documents its name, given as `#VAR` on
 * the source (`image:app.tar#KEEP_ALIVE_TIMEOUT`). Next.js' standalone `server.js` reads
 * `KEEP_ALIVE_TIMEOUT`. With no variable the code is assumed to keep Node's default.
 */
export const nodeInterpreter: ServerInterpreter = {
  product: 'node',
  matches: (argv) => {
    const name = programName(argv[0] ?? '');
    return name === 'node' || name === 'bun' || name === 'nodemon' || name === 'ts-node' || name === 'tsx';
  },
  interpret(argv, context): ServerReading {
    const diagnostics: string[] = [];
    const script = argv.slice(1).find((w) => !w.startsWith('-')) ?? '';
    const standaloneNext = /(^|\/)server\.js$/.test(script) && context.env.has('KEEP_ALIVE_TIMEOUT');
    const variable = context.backendEnv ?? (standaloneNext ? 'KEEP_ALIVE_TIMEOUT' : undefined);
    const product = standaloneNext && !context.backendEnv ? 'nextjs' : 'node';
    const label =
      product === 'nextjs'
        ? 'Next.js standalone (node server.js)'
        : `Node (${programName(argv[0] ?? '')} ${script})`.trim();
    const candidates: Candidate[] = [];
    const entry = variable ? context.env.get(variable) : undefined;
    if (variable && entry) candidates.push(envCandidate(variable, entry, variable));
    const convention = context.backendEnv
      ? [
          `the server reads its keepAliveTimeout (ms) from ${context.backendEnv} (named with #${context.backendEnv})`,
        ]
      : standaloneNext
        ? ['Next.js standalone server.js reads KEEP_ALIVE_TIMEOUT (ms)']
        : [];
    // With no variable to read, the keep-alive is whatever the script's code sets: not read here, so
    // unknown (issue 11), not Node's default. Named with #VAR (or Next.js standalone's
    // KEEP_ALIVE_TIMEOUT), an unset variable leaves the server on Node's default.
    const fact =
      keepAliveFact(product, candidates, MS, diagnostics, convention) ??
      (variable
        ? defaultKeepAliveFact(
            product,
            `${variable} is not set (${context.origin}), so Node's default applies`,
          )
        : unknownKeepAliveFact(product, 'server.keepAliveTimeout', context.origin, [
            `Node has no flag or env var for keepAliveTimeout: ${script || 'the script'} sets it in code (default 5 s if it does not), which is not read here; name the variable the server reads with #VAR, give the value with value:DURATION, or measure it with probe:URL`,
          ]));
    void commandCandidate;
    const port = context.env.get('PORT')?.value;
    return { product, label, facts: [fact], diagnostics, ports: portsFrom([port]) };
  },
};
