import { parseArgs, type ParseArgsConfig } from 'node:util';
import { usageError } from './errors.js';

type Options = NonNullable<ParseArgsConfig['options']>;

/** `node:util` parseArgs with errors turned into usage errors that name the command. */
// biome-ignore lint/suspicious/noExplicitAny: parseArgs' value types are derived per call site
export function parseCommandArgs<T extends Options>(
  command: string,
  args: string[],
  options: T,
  allowPositionals = false,
): { values: any; positionals: string[] } {
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
