import { createReadStream } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import {
  type AnalyzerOptions,
  CaptureAnalyzer,
  type CaptureFileInput,
  type EvidenceReport,
  KeepaliveParityError,
} from '@keepalive-parity/core';
import type { CliContext } from '../context.js';
import { Progress } from '../diagnose/progress.js';

const CHUNK_BYTES = 1 << 18;
const MAX_FOLDER_FILES = 10_000;

/** Every regular file under a folder (recursive, sorted, hidden entries skipped). */
async function filesUnder(folder: string): Promise<string[]> {
  const entries = await readdir(folder, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile() && !e.name.startsWith('.'))
    .map((e) => join(e.parentPath ?? (e as unknown as { path: string }).path, e.name))
    .filter(
      (path) =>
        !path
          .slice(folder.length)
          .split('/')
          .some((part) => part.startsWith('.')),
    )
    .sort()
    .slice(0, MAX_FOLDER_FILES);
}

/** Expands folders into their files; `-` stays (standard input). */
export async function expandCapturePaths(paths: readonly string[], cwd: string): Promise<string[]> {
  const out: string[] = [];
  for (const path of paths) {
    if (path === '-') {
      out.push(path);
      continue;
    }
    const absolute = resolve(cwd, path);
    let info: Awaited<ReturnType<typeof stat>>;
    try {
      info = await stat(absolute);
    } catch (error) {
      throw new KeepaliveParityError(
        'KAP_INPUT_INVALID',
        `cannot read ${path}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file or folder' : (error as Error).message}`,
        { file: path },
      );
    }
    if (info.isDirectory()) out.push(...(await filesUnder(absolute)));
    else out.push(absolute);
  }
  return out;
}

/** Feeds one stream into a capture input, un-gzipping when it starts with the gzip magic. */
async function feed(
  stream: NodeJS.ReadableStream,
  input: CaptureFileInput,
  name: string,
  read: { readonly progress: Progress; readonly signal: AbortSignal | undefined },
): Promise<string | null> {
  const source = (stream as AsyncIterable<Buffer | string>)[Symbol.asyncIterator]();
  // Every chunk read from the file counts as progress (compressed bytes for .gz); an abort ends
  // the stream as if the file ended there.
  const iterator = {
    next: async (): Promise<IteratorResult<Buffer | string>> => {
      if (read.signal?.aborted) {
        await source.return?.(); // closes the file
        return { done: true, value: undefined };
      }
      const next = await source.next();
      if (!next.done) read.progress.add(next.value.length);
      return next;
    },
  };
  let first = await iterator.next();
  while (!first.done && first.value.length < 2) {
    const next = await iterator.next();
    if (next.done) break;
    first = { done: false, value: Buffer.concat([Buffer.from(first.value), Buffer.from(next.value)]) };
  }
  if (first.done) return null;
  const head = Buffer.from(first.value);
  if (head[0] === 0x1f && head[1] === 0x8b) {
    const rest = async function* () {
      yield head;
      for (;;) {
        const next = await iterator.next();
        if (next.done) return;
        yield next.value;
      }
    };
    const gunzip = Readable.from(rest()).pipe(createGunzip({ chunkSize: CHUNK_BYTES }));
    try {
      for await (const chunk of gunzip) input.push(chunk as Buffer);
    } catch (error) {
      return `${name}: the gzip stream is damaged or cut short (${(error as Error).message}); what was decompressed before was read`;
    }
    return null;
  }
  input.push(head);
  for (;;) {
    const next = await iterator.next();
    if (next.done) break;
    input.push(typeof next.value === 'string' ? Buffer.from(next.value) : next.value);
  }
  return null;
}

export interface ReadCapturesResult {
  readonly report: EvidenceReport;
  /** Problems outside the capture formats (gzip damage, unreadable files). */
  readonly warnings: readonly string[];
  /** The signal aborted before every capture was read to its end. */
  readonly interrupted: boolean;
}

/** Streams every capture through one analyzer (files in the order given, folders sorted). */
export async function readCaptures(
  paths: readonly string[],
  options: AnalyzerOptions & {
    readonly cwd: string;
    readonly stdin?: NodeJS.ReadableStream;
    /** Stops reading (the report covers what was read; `interrupted` says so). */
    readonly signal?: AbortSignal;
    /** Bytes read of the files' total size (the MCP server's progress notifications). */
    readonly onProgress?: CliContext['onProgress'];
  },
): Promise<ReadCapturesResult> {
  const analyzer = new CaptureAnalyzer(options);
  const warnings: string[] = [];
  const files = await expandCapturePaths(paths, options.cwd);
  const sizes = await Promise.all(
    files.map((path) =>
      path === '-'
        ? 0
        : stat(path).then(
            (info) => info.size,
            () => 0,
          ),
    ),
  );
  const totalBytes = sizes.reduce((sum, size) => sum + size, 0);
  const progress = new Progress(process.stderr, false, totalBytes, options.onProgress);
  const signal = options.signal;
  for (const path of files) {
    if (signal?.aborted) break;
    const name = path === '-' ? '(stdin)' : path;
    const input = analyzer.openFile(name);
    try {
      const stream =
        path === '-'
          ? (options.stdin ?? process.stdin)
          : createReadStream(path, { highWaterMark: CHUNK_BYTES });
      const warning = await feed(stream, input, name, { progress, signal });
      if (warning) warnings.push(warning);
    } catch (error) {
      warnings.push(
        `${name}: cannot read: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
      );
    }
    input.end();
  }
  return { report: analyzer.finish(), warnings, interrupted: signal?.aborted === true };
}
