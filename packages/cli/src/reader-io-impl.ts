import { isAbsolute, join, resolve } from 'node:path';
import { KeepaliveParityError } from '@keepalive-parity/core/engine';
import type { CliContext } from './context.js';
import { fsPromises } from './fs-text.js';

/** Bounds on what a config source may pull in: files walked in a folder, bytes from a URL. */
const MAX_FOLDER_ENTRIES = 5000;
const MAX_FOLDER_DEPTH = 8;
const MAX_FETCH_BYTES = 64 * 1024 * 1024;
const FETCH_TIMEOUT_MS = 15_000;

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream)
    chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}

/** Every regular file under `dir` (recursive, sorted, hidden entries and node_modules skipped). */
async function walk(dir: string): Promise<string[]> {
  const files: string[] = [];
  const visit = async (current: string, depth: number): Promise<void> => {
    if (depth > MAX_FOLDER_DEPTH || files.length >= MAX_FOLDER_ENTRIES) return;
    const entries = await (await fsPromises()).readdir(current, { withFileTypes: true });
    entries.sort((a, b) => a.name.localeCompare(b.name));
    for (const entry of entries) {
      if (entry.name.startsWith('.') || entry.name === 'node_modules') continue;
      const path = join(current, entry.name);
      if (entry.isDirectory()) await visit(path, depth + 1);
      else if (entry.isFile() && files.length < MAX_FOLDER_ENTRIES) files.push(path);
    }
  };
  await visit(dir, 0);
  return files;
}

function globSegmentToRegExp(segment: string): RegExp {
  let out = '';
  for (let i = 0; i < segment.length; i++) {
    const ch = segment[i]!;
    if (ch === '*') out += '[^/]*';
    else if (ch === '?') out += '[^/]';
    else if (ch === '[') {
      const end = segment.indexOf(']', i + 1);
      if (end < 0) out += '\\[';
      else {
        out += `[${segment
          .slice(i + 1, end)
          .replace(/^!/, '^')
          .replace(/\\/g, '\\\\')}]`;
        i = end;
      }
    } else out += ch.replace(/[.+^${}()|\\]/g, '\\$&');
  }
  return new RegExp(`^${out}$`);
}

/**
 * glob(3) as nginx uses it for `include`: `*`, `?`, `[...]` within path segments, no `**`; hidden
 * files only when the pattern segment starts with a dot; sorted. A pattern without wildcards is
 * returned as is (the caller reports it if it cannot be read).
 */
export async function expandGlob(pattern: string, baseDir: string): Promise<string[]> {
  const absolute = isAbsolute(pattern) ? pattern : join(baseDir, pattern);
  if (!/[*?[]/.test(absolute)) return [absolute];
  const segments = absolute.split('/');
  let candidates = [segments[0] === '' ? '/' : segments[0]!];
  for (const segment of segments.slice(1)) {
    if (segment === '') continue;
    const next: string[] = [];
    for (const base of candidates) {
      if (!/[*?[]/.test(segment)) {
        next.push(join(base, segment));
        continue;
      }
      const matcher = globSegmentToRegExp(segment);
      let names: string[];
      try {
        names = await (await fsPromises()).readdir(base);
      } catch {
        continue;
      }
      for (const name of names.sort()) {
        if (name.startsWith('.') && !segment.startsWith('.')) continue;
        if (matcher.test(name)) next.push(join(base, name));
      }
    }
    candidates = next;
    if (candidates.length > MAX_FOLDER_ENTRIES) candidates = candidates.slice(0, MAX_FOLDER_ENTRIES);
  }
  const files: string[] = [];
  for (const candidate of candidates) {
    try {
      if ((await (await fsPromises()).stat(candidate)).isFile()) files.push(candidate);
    } catch {
      // A pattern that matches nothing is not an error for nginx either.
    }
  }
  return files;
}

const HCL_WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const { parse } = require(workerData.module);
parentPort.on('message', ({ id, file, text }) => {
  parse(file, text).then(
    (json) => parentPort.postMessage({ id, json }),
    (error) => parentPort.postMessage({ id, error: String((error && error.message) || error) }),
  );
});
`;

let hclWorker: { parse(file: string, text: string): Promise<unknown> } | undefined;

/**
 * @cdktf/hcl2json runs Go compiled to WebAssembly, whose runtime holds the process for about a
 * second after the last parse. It runs in a worker thread that is terminated once idle for
 * `HCL_IDLE_MS` (a folder's files are parsed back to back, so one worker serves them all).
 */
const HCL_IDLE_MS = 25;

async function hclParser(): Promise<{ parse(file: string, text: string): Promise<unknown> }> {
  if (hclWorker) return hclWorker;
  // Loaded on first use: no start-up path pays for worker threads (see commands/index.ts).
  const [{ Worker }, { createRequire }] = await Promise.all([
    import('node:worker_threads'),
    import('node:module'),
  ]);
  if (hclWorker) return hclWorker;
  const module = createRequire(import.meta.url).resolve('@cdktf/hcl2json');
  const worker = new Worker(HCL_WORKER, { eval: true, workerData: { module } });
  const pending = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
  let nextId = 0;
  let idleTimer: NodeJS.Timeout | undefined;
  worker.on('message', (m: { id: number; json?: unknown; error?: string }) => {
    const waiter = pending.get(m.id);
    pending.delete(m.id);
    if (pending.size === 0) {
      idleTimer = setTimeout(() => {
        hclWorker = undefined;
        void worker.terminate();
      }, HCL_IDLE_MS);
    }
    if (m.error !== undefined) waiter?.reject(new Error(m.error));
    else waiter?.resolve(m.json);
  });
  worker.on('error', (error) => {
    for (const waiter of pending.values()) waiter.reject(error);
    pending.clear();
    hclWorker = undefined;
  });
  hclWorker = {
    parse: (file, text) =>
      new Promise((resolve, reject) => {
        const id = nextId++;
        pending.set(id, { resolve, reject });
        clearTimeout(idleTimer);
        worker.postMessage({ id, file, text });
      }),
  };
  return hclWorker;
}

/** `parse config: [bad.tf:2,6-3,1: Invalid expression; ...]` → line 2. */
function hclErrorLine(message: string, file: string): number | undefined {
  const escaped = file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const match = new RegExp(`${escaped}:(\\d+),`).exec(message) ?? /:(\d+),\d+-/.exec(message);
  return match ? Number(match[1]) : undefined;
}

/** The I/O of the config-reader sources, loaded by reader-io.ts on first use (`nginx:-`, `k8s:FOLDER/`, `envoy:URL`, `terraform:`). */
export function readerIo(context: CliContext): Record<string, unknown> {
  let stdinText: Promise<string> | undefined;
  return {
    // Standard input is read once; two `-` sources in one run share it.
    readStdin: () => {
      if ((context.stdin as { isTTY?: boolean }).isTTY) {
        return Promise.reject(
          new KeepaliveParityError(
            'KAP_USAGE',
            'a "-" source reads standard input, which is a terminal here: pipe the text in (nginx -T | keepalive-parity check --lb nginx:- ...)',
          ),
        );
      }
      stdinText ??= readAll(context.stdin);
      return stdinText;
    },
    listFolder: async (path: string): Promise<string[] | null> => {
      const absolute = resolve(context.cwd, path);
      try {
        if (!(await (await fsPromises()).stat(absolute)).isDirectory()) return null;
      } catch {
        return null;
      }
      const files = await walk(absolute);
      return isAbsolute(path) ? files : files.map((f) => join(path, f.slice(absolute.length + 1)));
    },
    expandGlob: async (pattern: string, baseDir: string) => {
      const absoluteBase = resolve(context.cwd, baseDir);
      const files = await expandGlob(pattern, absoluteBase);
      // Keep paths as relative as the user wrote them, for provenance.
      if (isAbsolute(baseDir) || isAbsolute(pattern)) return files;
      return files.map((f) =>
        f.startsWith(`${absoluteBase}/`) ? join(baseDir, f.slice(absoluteBase.length + 1)) : f,
      );
    },
    fetchText: async (url: string): Promise<string> => {
      const signal = AbortSignal.any([context.signal, AbortSignal.timeout(FETCH_TIMEOUT_MS)]);
      let response: Response;
      try {
        response = await fetch(url, { signal, redirect: 'error' });
      } catch (error) {
        throw new KeepaliveParityError(
          'KAP_SOURCE_UNAVAILABLE',
          `cannot fetch ${url}: ${(error as Error).message}`,
          {
            file: url,
          },
        );
      }
      if (!response.ok) {
        throw new KeepaliveParityError('KAP_SOURCE_UNAVAILABLE', `${url} answered HTTP ${response.status}`, {
          file: url,
        });
      }
      const length = Number(response.headers.get('content-length') ?? 0);
      if (length > MAX_FETCH_BYTES) {
        throw new KeepaliveParityError(
          'KAP_SOURCE_UNAVAILABLE',
          `${url} is larger than ${MAX_FETCH_BYTES} bytes`,
          {
            file: url,
          },
        );
      }
      return response.text();
    },
    parseToml: async (text: string, file: string): Promise<unknown> => {
      const { parse } = await import('smol-toml');
      try {
        return parse(text);
      } catch (error) {
        const line = (error as { line?: number }).line;
        const message = String((error as Error)?.message ?? error).split('\n')[0]!;
        throw new KeepaliveParityError('KAP_INPUT_INVALID', message, { file, line });
      }
    },
    parseHcl: async (text: string, file: string): Promise<unknown> => {
      try {
        return await (await hclParser()).parse(file, text);
      } catch (error) {
        const message = String((error as Error)?.message ?? error).replace(/^parse config: \[|\]$/g, '');
        throw new KeepaliveParityError('KAP_INPUT_INVALID', message, {
          file,
          line: hclErrorLine(message, file),
        });
      }
    },
  };
}
