#!/usr/bin/env node
// The compiled CLI's entry (dist/bin.js). Users run the bin shim (bin/keepalive-parity.js), which
// loads the bundled start-up path (dist/start.js) and calls the same runCli.
import { runCli } from './run-cli.js';

await runCli(process.argv.slice(2));
