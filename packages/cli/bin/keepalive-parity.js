#!/usr/bin/env node
// The package's `bin`: a committed shim that loads the compiled CLI. npm links a workspace's bin
// when `npm install` runs, before `npm run build` has written dist/, and makes no link to a file
// that does not exist yet; this file always exists, so `npx keepalive-parity` works right after
// the build on a fresh clone. It loads dist/start.js, the bundled start-up path (`check`, `assert`,
// `--help`; scripts/bundle-cli.mjs), which loads every other command from dist/commands/, and
// runs it: the bundle's entry does not run itself (see src/run-cli.ts).
import('../dist/start.js').then(
  (start) => start.runCli(process.argv.slice(2)),
  (error) => {
    if (error?.code === 'ERR_MODULE_NOT_FOUND' && String(error.message).includes('dist/start.js')) {
      process.stderr.write('keepalive-parity: not built yet: run `npm run build` first\n');
      process.exit(2);
    }
    throw error;
  },
);
