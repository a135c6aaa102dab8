import { formatLocation, isKeepaliveParityError } from '@keepalive-parity/core/engine';
import { TOOL_NAME } from './version.js';

/**
 * The one line a failed command prints (exit 2): typed input and usage errors as one clear line,
 * anything else (a bug) with its stack. The MCP server returns the same text as a tool error.
 */
export function describeError(command: string, error: unknown): string {
  if (isKeepaliveParityError(error)) {
    const where = formatLocation(error.location);
    const message =
      where && !error.message.includes(where) && error.location?.file
        ? `${where}: ${error.message}`
        : error.message;
    return `${TOOL_NAME} ${command}: error: ${message}`;
  }
  return `${TOOL_NAME} ${command}: internal error: ${(error as Error)?.stack ?? String(error)}`;
}
