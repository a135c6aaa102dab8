#!/usr/bin/env node
// Bundles the CLI's start-up path (issue 12): `bin.js`, `main.js`, the command registry, `check`,
// `assert` and everything they import, including the engine of @keepalive-parity/core, into a few
// files beside the compiled output (packages/cli/dist/start-*.js). ESM pays per module loaded
// (resolve, read, compile, link: about 0.3 ms each on Node 24), and these paths load about 70.
// The other commands stay the compiled modules in dist/commands/, loaded on demand from the bundle
// as before. npm packages are never bundled.
import { readdirSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const dist = fileURLToPath(new URL('../packages/cli/dist/', import.meta.url));
const BUNDLED_COMMANDS = /^\.\/(check|assert)\.js$/;
for (const f of readdirSync(dist)) if (/^start(-[A-Z0-9]+)?\.js(\.map)?$/.test(f)) rmSync(dist + f);

await build({
  entryPoints: { start: `${dist}bin.js` },
  outdir: dist,
  chunkNames: 'start-[hash]',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node22',
  // No source maps (they would add 1.7 MB to the package): the bundle is not minified, and each
  // module in it starts with a `// packages/.../x.js` comment, so a stack trace still names the code.
  logLevel: 'warning',
  plugins: [
    {
      name: 'start-path',
      setup(b) {
        b.onResolve({ filter: /.*/ }, (args) => {
          // Other commands: the compiled module, loaded when that command runs.
          if (args.kind === 'dynamic-import' && args.importer === `${dist}commands/index.js`)
            return BUNDLED_COMMANDS.test(args.path)
              ? undefined
              : { path: `./commands/${args.path.slice(2)}`, external: true };
          // npm packages (and Node's built-ins) are loaded from node_modules as usual.
          if (
            !args.path.startsWith('.') &&
            !args.path.startsWith('/') &&
            !args.path.startsWith('@keepalive-parity/')
          )
            return { path: args.path, external: true };
          return undefined;
        });
      },
    },
  ],
});
