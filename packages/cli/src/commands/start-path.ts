// `check` and `assert` in one module, so the bundled start-up path loads them as one chunk with
// the engine (scripts/bundle-cli.mjs): each file ESM loads costs about 0.3 ms on Node 24.
export { assertCommand } from './assert.js';
export { checkCommand } from './check.js';
