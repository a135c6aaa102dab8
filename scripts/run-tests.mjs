#!/usr/bin/env node
// Runs every test file under packages/*/test with Node's own test runner (TypeScript through tsx).
// Usage: node scripts/run-tests.mjs [--unit] [filter...]
//   --unit    only files that do not start real servers (name does not end in .int.test.ts)
//   filter    substrings of test file paths to keep
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const args = process.argv.slice(2);
const unitOnly = args.includes('--unit');
const filters = args.filter((a) => !a.startsWith('--'));

function walk(dir, out) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) walk(path, out);
    else if (name.endsWith('.test.ts')) out.push(path);
  }
  return out;
}

let files = [];
for (const pkg of readdirSync('packages')) {
  try {
    walk(join('packages', pkg, 'test'), files);
  } catch {
    // package without tests
  }
}
files.sort();
if (unitOnly) files = files.filter((f) => !f.endsWith('.int.test.ts'));
if (filters.length > 0) files = files.filter((f) => filters.some((s) => f.includes(s)));
if (files.length === 0) {
  console.error('run-tests: no test file matched');
  process.exit(1);
}
// Integration tests start real proxies and time idle closes: run files one at a time so they
// do not compete for the two cores of a CI machine.
const result = spawnSync(
  process.execPath,
  [
    '--import',
    'tsx',
    '--test',
    '--test-concurrency=1',
    '--test-reporter=spec',
    '--test-reporter-destination=stdout',
    // Every skip (also a whole describe, which node's own summary does not count) by its reason.
    `--test-reporter=${new URL('./skip-summary.mjs', import.meta.url).pathname}`,
    '--test-reporter-destination=stdout',
    ...files,
  ],
  { stdio: 'inherit' },
);
process.exit(result.status ?? 1);
