// `check` and `assert` in one module, so the bundled start-up path loads them as one chunk with
// the engine (scripts/bundle-cli.mjs): every file loaded at start-up costs time.
export { assertCommand } from './assert.js';
export { checkCommand } from './check.js';
