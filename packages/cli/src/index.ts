export type { CliContext, Command } from './context.js';
export { EXIT_FOUND, EXIT_OK, EXIT_USAGE, main } from './main.js';
