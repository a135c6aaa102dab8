export { main, EXIT_OK, EXIT_FOUND, EXIT_USAGE } from './main.js';
export type { CliContext, Command } from './context.js';
