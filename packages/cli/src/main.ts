import { COMMANDS, findCommand } from './commands/index.js';
import type { CliContext } from './context.js';
import { EXIT_OK, EXIT_USAGE } from './exit-codes.js';
import { TOOL_NAME, TOOL_VERSION } from './version.js';

export { EXIT_FOUND, EXIT_OK, EXIT_USAGE } from './exit-codes.js';

export function mainHelp(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return `${TOOL_NAME} ${TOOL_VERSION}: find, prove and prevent the keep-alive race behind phantom load-balancer 502s.

Usage: ${TOOL_NAME} <command> [options]

Commands:
${COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`).join('\n')}

Every command has --help (with an example) and --json (one document on stdout).
Exit codes: 0 holds / nothing found, 1 violation or race found, 2 usage or input error.

Examples:
  ${TOOL_NAME} lab                                         # reproduce the race on 127.0.0.1
  ${TOOL_NAME} check --lb 60s --backend runtime:gunicorn   # check one hop
`;
}

/**
 * Runs the CLI and returns its exit code. The only place that maps errors to exit codes:
 * typed input and usage errors → 2 with one clear line on stderr; anything else is a bug → 2 with
 * the stack.
 */
export async function main(argv: string[], context: CliContext): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    context.stdout.write(mainHelp());
    return name === undefined ? EXIT_USAGE : EXIT_OK;
  }
  if (name === '--version' || name === '-v') {
    context.stdout.write(`${TOOL_VERSION}\n`);
    return EXIT_OK;
  }
  const entry = findCommand(name);
  if (!entry) {
    context.stderr.write(
      `${TOOL_NAME}: unknown command ${JSON.stringify(name)}; commands: ${COMMANDS.map((c) => c.name).join(', ')}\n`,
    );
    return EXIT_USAGE;
  }
  try {
    // Loaded only now: start-up costs only what this command needs (see commands/index.ts).
    const command = await entry.load();
    if (rest.includes('--help') || rest.includes('-h')) {
      context.stdout.write(command.help.endsWith('\n') ? command.help : `${command.help}\n`);
      return EXIT_OK;
    }
    return await command.run(
      rest.filter((a) => a !== '--no-color'),
      context,
    );
  } catch (error) {
    // Loaded here, not at start-up: `--help` never needs the core.
    const { describeError } = await import('./describe-error.js');
    context.stderr.write(`${describeError(name, error)}\n`);
    return EXIT_USAGE;
  }
}
