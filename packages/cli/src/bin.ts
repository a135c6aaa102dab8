#!/usr/bin/env node
// The compiled CLI's entry (dist/bin.js). Users run the bin shim (bin/keepalive-parity.cjs), which
// loads the bundled start-up path (dist/start.cjs) and calls the same runCli.
import { runCli } from './run-cli.js';

await runCli(process.argv.slice(2));
