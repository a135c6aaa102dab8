// process.getBuiltinModule, not `import ... from 'node:fs'`: an ESM import of a built-in builds
// its whole namespace, and node:fs's includes `promises` (see readTextFile).
const { readFile } = process.getBuiltinModule('node:fs');

/**
 * `fs.readFile(path, 'utf8')` as a promise. The start-up paths (`check`, `assert`) use this rather
 * than `node:fs/promises`, whose first import loads streams, readline and worker messaging (about
 * 30 internal modules; issue 12, docs/benchmarks.md "Start-up").
 */
export function readTextFile(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    readFile(path, 'utf8', (error, text) => (error ? reject(error) : resolve(text)));
  });
}

/** `node:fs/promises`, loaded on first use (see `readTextFile`). */
export function fsPromises(): Promise<typeof import('node:fs/promises')> {
  fsPromisesModule ??= import('node:fs/promises');
  return fsPromisesModule;
}
let fsPromisesModule: Promise<typeof import('node:fs/promises')> | undefined;
