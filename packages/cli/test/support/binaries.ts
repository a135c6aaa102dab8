/**
 * Tests that need a program the machine may lack (nginx, HAProxy, Apache, Caddy, gunicorn,
 * uvicorn, tcpdump, tshark, prometheus, ...) are SKIPPED with the reason when it is missing, never
 * failed for its absence: `npm test` on a fresh machine passes and its summary counts the skips;
 * `.ci/run` installs every one of them, so CI runs everything. One line per test or suite:
 *
 *   describe('nginx reader against the real nginx', requireBinaries('nginx'), () => { ... });
 *   it('decodes with tshark', requireBinaries('tshark', 'editcap'), async () => { ... });
 *   test('...', async (t) => { if (skipUnless(t, 'tcpdump')) return; ... });
 *
 * A name is an executable looked up like the lab does (PATH, then the sbin directories, as a regular
 * executable file: a path masked by /dev/null does not count); `a|b` accepts either
 * (`apache2|httpd`); `gunicorn` and `uvicorn` are Python programs that tests also run as
 * `python3 -m NAME`, so they count only when their script is found and its interpreter (its `#!`
 * line) can import them.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { TestContext } from 'node:test';
import { findOnPath } from '../../src/lab/proxies.js';

/** Programs the tests start as `python3 -m NAME`. */
const PYTHON_MODULES = new Set(['gunicorn', 'uvicorn']);

const found = new Map<string, boolean>();

/** Whether the program `name` (see the module comment) is on this machine; cached per run. */
export function hasBinary(name: string): boolean {
  let have = found.get(name);
  if (have === undefined) {
    have = PYTHON_MODULES.has(name)
      ? pythonProgramWorks(name)
      : name.split('|').some((alternative) => findOnPath(alternative) !== null);
    found.set(name, have);
  }
  return have;
}

function pythonProgramWorks(name: string): boolean {
  const script = findOnPath(name);
  if (script === null) return false;
  const interpreter = /^#!\s*(\S+)/.exec(readFileSync(script, 'utf8').slice(0, 200))?.[1];
  if (!interpreter) return false;
  return spawnSync(interpreter, ['-c', `import ${name}`], { stdio: 'ignore', timeout: 10_000 }).status === 0;
}

/** The skip reason naming every missing program, or false when all are there. */
export function missingBinaries(...names: string[]): string | false {
  const missing = names.filter((n) => !hasBinary(n));
  return missing.length === 0 ? false : `not installed here: ${missing.join(', ')} (.ci/run installs it)`;
}

/** Options for node:test's `describe`/`it`/`test`: skipped, with the reason, when a program is missing. */
export function requireBinaries(...names: string[]): { skip: string | false } {
  return { skip: missingBinaries(...names) };
}

/** Inside a test: marks it skipped with the reason and returns true when a program is missing. */
export function skipUnless(t: TestContext, ...names: string[]): boolean {
  const reason = missingBinaries(...names);
  if (reason) t.skip(reason);
  return reason !== false;
}
