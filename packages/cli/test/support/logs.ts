import { existsSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Waits until a proxy has written the access-log lines of the requests a test sent, instead of
 * sleeping a fixed time: a proxy logs a request after it has answered it, and a loaded host can
 * deschedule it for longer than any fixed pause (seen: HAProxy's 96th line missing after 100 ms,
 * at load 7). Counts the lines of `file` that match `pattern` (default: `ACCESS_LINE`); returns the count reached when it is at least `atLeast`, or when `maxMs`
 * passes (the caller's assertion then shows what was missing).
 */
/** An access-log line of nginx, HAProxy, Caddy, Apache httpd (request line or `proto`) or the lab's proxy. */
const ACCESS_LINE = /HTTP\/1\.[01]|"ev":"access"/;

export async function waitForLogLines(
  file: string,
  atLeast: number,
  options: { pattern?: RegExp; maxMs?: number } = {},
): Promise<number> {
  const pattern = options.pattern ?? ACCESS_LINE;
  const deadline = Date.now() + (options.maxMs ?? 15_000);
  const count = () =>
    existsSync(file)
      ? readFileSync(file, 'utf8')
          .split('\n')
          .filter((line) => pattern.test(line)).length
      : 0;
  let seen = count();
  while (seen < atLeast && Date.now() < deadline) {
    await sleep(25);
    seen = count();
  }
  return seen;
}
