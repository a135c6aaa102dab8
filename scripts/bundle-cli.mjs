#!/usr/bin/env node
// Bundles the CLI's start-up path (issue 12): `--help`, `check` and `assert`, with the engine of
// @keepalive-parity/core, into two CommonJS files beside the compiled output, so each of those
// commands compiles the bin shim and at most two more files:
//   dist/start.cjs      run-cli.js, main.js, the command registry, output, colours: all `--help` needs.
//   dist/start-*.cjs    commands/start-path.js (check + assert) and everything it imports.
// The bin shim (bin/keepalive-parity.cjs) loads them with vm.Script and a V8 code cache made after
// the command ran; that is why they are CommonJS (an ES module cannot be compiled from a cache
// made after it ran) and why the shim, not Node, resolves `require('./start-*.cjs')` between them.
// The lazily loaded parts of the engine (reader-backed source kinds, `pcap:`, the AWS clients, the
// hops file parser, the --format renderers) become chunks that take the engine from the start-up
// chunk, so the registries they fill are the ones `check` reads.
// Rollup, not esbuild: esbuild splits shared code by which entry points reach it and would put the
// engine in chunks of its own; Rollup's manualChunks says which chunk a module goes to, and Rollup
// knows a module the importer has already loaded is there when a lazy chunk runs.
// `import()` of what is not bundled (the other commands, compiled in dist/commands/; npm packages)
// becomes `__kapImport()`, the shim's real `import()`. Node's built-ins and npm packages are never
// bundled. The entry's first line carries a hash of its content: the shim names its cache by it.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { rollup } from 'rollup';

const root = fileURLToPath(new URL('..', import.meta.url));
const dist = fileURLToPath(new URL('../packages/cli/dist/', import.meta.url));
const core = `${realpathSync(fileURLToPath(new URL('../packages/core/dist', import.meta.url)))}/`;
const ENTRY = `${dist}run-cli.js`;
const START_PATH = `${dist}commands/start-path.js`;
for (const f of readdirSync(dist)) if (/^start(-[\w-]+)?\.(c?js)(\.map)?$/.test(f)) rmSync(dist + f);

/** Every module `ids` import statically, themselves included (not through `import()`). */
function staticClosure(ids, getModuleInfo) {
  const seen = new Set();
  const stack = [...ids];
  while (stack.length > 0) {
    const id = stack.pop();
    const info = getModuleInfo(id);
    if (seen.has(id) || !info || info.isExternal) continue;
    seen.add(id);
    stack.push(...info.importedIds);
  }
  return seen;
}

const bundle = await rollup({
  input: { start: ENTRY },
  // The entry chunk may export what the start-up chunk imports from it (no facade file).
  preserveEntrySignatures: 'allow-extension',
  plugins: [
    {
      name: 'start-path',
      resolveId(source, importer) {
        // Other commands: the compiled module, loaded when that command runs.
        if (importer === `${dist}commands/index.js` && source.startsWith('./')) {
          if (source === './start-path.js') return null;
          return { id: `${dist}commands/${source.slice(2)}`, external: true };
        }
        if (source === '@keepalive-parity/core') return `${core}index.js`;
        if (source === '@keepalive-parity/core/engine') return `${core}engine.js`;
        // npm packages and Node's built-ins are loaded from node_modules as usual.
        if (!source.startsWith('.') && !source.startsWith('/')) return { id: source, external: true };
        return null;
      },
      // The shim's `import()`: a vm.Script has no module loader of its own.
      renderDynamicImport({ targetChunk }) {
        return targetChunk === null ? { left: '__kapImport(', right: ')' } : null;
      },
      // No source maps (they would add about 1.7 MB to the package): the bundle is not minified,
      // and each module in it starts with its path, so a stack trace still leads to the code.
      transform(code, id) {
        return { code: `// ${relative(root, id)}\n${code}`, map: null };
      },
    },
  ],
  onwarn(warning, warn) {
    // The engine's modules import each other in cycles that ESM allows (registries and their kinds).
    if (warning.code !== 'CIRCULAR_DEPENDENCY') warn(warning);
  },
});

let start;
let startPath;
await bundle.write({
  dir: dist,
  format: 'cjs',
  entryFileNames: '[name].cjs',
  chunkFileNames: 'start-[hash].cjs',
  manualChunks(id, { getModuleInfo }) {
    start ??= staticClosure([ENTRY], getModuleInfo);
    startPath ??= staticClosure([START_PATH], getModuleInfo);
    // A manual chunk that holds the entry module is the entry chunk.
    if (start.has(id)) return 'start';
    if (startPath.has(id)) return 'start-path';
    return undefined;
  },
});
await bundle.close();

// The entry's name has no hash; its first line carries one (the shim's cache key).
const entryFile = `${dist}start.cjs`;
const code = readFileSync(entryFile, 'utf8');
const hash = createHash('sha256').update(code).digest('hex').slice(0, 32);
writeFileSync(entryFile, `// keepalive-parity bundle ${hash}\n${code}`);
