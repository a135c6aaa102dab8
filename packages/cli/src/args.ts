import type { ParseArgsConfig } from 'node:util';
import { usageError } from './errors.js';

// Built-ins on the start-up path come from process.getBuiltinModule: an ESM `import ... from
// 'node:util'` builds the module's whole namespace, which loads some 35 internal modules
// (streams, workers) that `check` never uses (issue 12, docs/benchmarks.md "Start-up").
const { parseArgs } = process.getBuiltinModule('node:util');

type Options = NonNullable<ParseArgsConfig['options']>;
// biome-ignore lint/suspicious/noExplicitAny: each command's option table decides the value types
type ParsedValues = Record<string, any>;

/** `node:util` parseArgs with errors turned into usage errors that name the command. */
export function parseCommandArgs<T extends Options>(
  command: string,
  args: string[],
  options: T,
  allowPositionals = false,
): { values: ParsedValues; positionals: string[] } {
  try {
    return parseArgs({ args, options, allowPositionals, strict: true });
  } catch (error) {
    throw usageError(
      `${command}: ${(error as Error).message.replace(/\. To specify a positional argument.*$/s, '')} (see keepalive-parity ${command} --help)`,
    );
  }
}

export function wantsHelp(args: string[]): boolean {
  return args.includes('--help') || args.includes('-h');
}
