#!/usr/bin/env node
// The package's `bin`, committed, and CommonJS: Node starts a CommonJS main module about 1 ms sooner
// than an ES module (no ES module loader on the way; docs/benchmarks.md "Start-up"). npm links a workspace's bin when `npm install` runs, before
// `npm run build` has written dist/, and makes no link to a file that does not exist yet; this
// file always exists, so `npx keepalive-parity` works right after the build on a fresh clone).
//
// It loads the bundled start-up path (dist/start.cjs and its chunks dist/start-HASH.cjs, made by
// scripts/bundle-cli.mjs: `--help`, `check`, `assert` and the engine) with a V8 code cache, and
// runs the CLI. Every other command is loaded from the compiled dist/commands/ when it runs.
//
// Why a loader of its own (issue 12, docs/benchmarks.md "Start-up"): compiling the bundle is most
// of what `check` costs beyond a bare `node -e 0`, and V8 compiles each function again on its
// first call. Node's compile cache (module.enableCompileCache) keeps only what was compiled when
// the module loaded; this cache is made after the command ran (vm.Script#createCachedData), so it
// holds the functions `check` called too: 1.25x of `node -e 0` on Node 24 against 1.4x.
// - One cache file per bundle file, named by the file's content hash (its first line or its file
//   name), its size and time, the Node version and the CPU: a new build, an edited file or a new
//   Node never reads an old cache. V8 also checks its version, flags and the source, and rejects a
//   cache that does not fit; then the file is compiled as usual and the cache is written again.
// - Written once, at exit, when it was missing or rejected (a temporary file, then a rename).
//   Writing one also removes cache files of the folder not written for 30 days (old builds and
//   old Nodes; one in use is then written again on its next run).
// - In KAP_CACHE_DIR, or a folder of our own in the temporary folder: created 0700 and used only
//   when it is a folder (not a link) owned by this user that no one else can write to.
// - Off with KAP_NO_CACHE=1 or NODE_DISABLE_COMPILE_CACHE=1. KAP_DEBUG_START=1 tells on stderr
//   which files were loaded and whether the cache was used.
// - Nothing about the cache ever fails the command: any error means no cache.
const fs = process.getBuiltinModule('node:fs');
const path = process.getBuiltinModule('node:path');
const vm = process.getBuiltinModule('node:vm');
const { createRequire } = process.getBuiltinModule('node:module');

const dist = path.join(__dirname, '..', 'dist');
const entry = path.join(dist, 'start.cjs');
const env = process.env;
const debug = env.KAP_DEBUG_START === '1';
const cacheOff = env.KAP_NO_CACHE === '1' || env.NODE_DISABLE_COMPILE_CACHE === '1';
const nodeRequire = createRequire(entry);
const distUrl = `${process.getBuiltinModule('node:url').pathToFileURL(dist).href}/`;
/** Bundle files loaded so far (file → module), so chunks share the entry's exports. */
const modules = new Map();
/** Scripts whose cache is to be written at exit. */
const toCache = [];
let cacheDir;

/** The cache folder, or null when there is none we can trust. */
function cacheFolder() {
  if (cacheDir !== undefined) return cacheDir;
  cacheDir = null;
  if (cacheOff) return cacheDir;
  const uid = process.getuid?.();
  const dir =
    env.KAP_CACHE_DIR ||
    path.join(process.getBuiltinModule('node:os').tmpdir(), `keepalive-parity-${uid ?? 'user'}`);
  try {
    let stat = fs.lstatSync(dir, { throwIfNoEntry: false });
    if (stat === undefined) {
      fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
      stat = fs.lstatSync(dir);
    }
    if (!stat.isDirectory()) return cacheDir;
    if (uid !== undefined && (stat.uid !== uid || (stat.mode & 0o022) !== 0)) return cacheDir;
    cacheDir = dir;
  } catch {
    // no cache
  }
  return cacheDir;
}

/** What names this exact file: the hash on its first line (the entry) or in its name (chunks). */
function contentKey(file, source) {
  const fromLine = /^\/\/ keepalive-parity bundle ([0-9a-f]{16,})\n/.exec(source.slice(0, 120))?.[1];
  const fromName = /-([\w-]{8,})\.cjs$/.exec(path.basename(file))?.[1];
  return fromLine ?? fromName;
}

/** `import()` for the bundle: relative to dist/ (the compiled commands), or a package. */
function bundleImport(specifier) {
  return import(specifier.startsWith('.') ? new URL(specifier, distUrl).href : specifier);
}

function load(file) {
  const known = modules.get(file);
  if (known) return known.exports;
  const source = fs.readFileSync(file, 'utf8');
  const hash = contentKey(file, source);
  let key;
  if (hash !== undefined) {
    const stat = fs.statSync(file);
    key = `${hash}.${stat.size}.${Math.trunc(stat.mtimeMs)}`;
  }
  const dir = key === undefined ? null : cacheFolder();
  const cacheFile =
    dir === null
      ? null
      : path.join(dir, `${path.basename(file)}.${key}.${process.version}-${process.arch}.v8`);
  let cachedData;
  if (cacheFile !== null) {
    try {
      cachedData = fs.readFileSync(cacheFile);
    } catch {
      // not cached yet
    }
  }
  const script = new vm.Script(
    `(function (exports, require, module, __filename, __dirname, __kapImport) {${source}\n})`,
    { filename: file, cachedData },
  );
  const state =
    cacheFile === null ? 'off' : !cachedData ? 'miss' : script.cachedDataRejected ? 'rejected' : 'hit';
  if (state === 'miss' || state === 'rejected') toCache.push({ script, cacheFile });
  if (debug) process.stderr.write(`keepalive-parity: start: ${path.basename(file)} (code cache: ${state})\n`);
  const module = { exports: {} };
  modules.set(file, module);
  const require = (id) => (id.startsWith('./start') ? load(path.join(dist, id)) : nodeRequire(id));
  script.runInThisContext()(module.exports, require, module, file, dist, bundleImport);
  return module.exports;
}

/** Cache files older than this are removed when a new one is written (old builds, old Nodes). */
const CACHE_MAX_AGE_MS = 30 * 24 * 3600 * 1000;

/** Removes cache files (and leftover temporary files) not written in the last CACHE_MAX_AGE_MS. */
function sweep(dir) {
  const now = Date.now();
  for (const name of fs.readdirSync(dir)) {
    if (!/\.v8(\.\d+\.tmp)?$/.test(name)) continue;
    const file = path.join(dir, name);
    const stat = fs.lstatSync(file, { throwIfNoEntry: false });
    if (stat?.isFile() && now - stat.mtimeMs > CACHE_MAX_AGE_MS) fs.rmSync(file, { force: true });
  }
}

process.on('exit', () => {
  if (toCache.length === 0) return;
  try {
    sweep(cacheDir);
  } catch {
    // a file in use elsewhere, or gone: the next write sweeps again
  }
  for (const { script, cacheFile } of toCache) {
    const temporary = `${cacheFile}.${process.pid}.tmp`;
    try {
      fs.writeFileSync(temporary, script.createCachedData(), { mode: 0o600 });
      fs.renameSync(temporary, cacheFile);
    } catch {
      try {
        fs.rmSync(temporary, { force: true });
      } catch {
        // nothing to clean
      }
    }
  }
});

let start;
try {
  start = load(entry);
} catch (error) {
  if (error?.code === 'ENOENT' && error.path === entry) {
    process.stderr.write('keepalive-parity: not built yet: run `npm run build` first\n');
    process.exit(2);
  }
  throw error;
}
start.runCli(process.argv.slice(2));
