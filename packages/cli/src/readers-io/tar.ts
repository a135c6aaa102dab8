import { createReadStream } from 'node:fs';
import { type FileHandle, open } from 'node:fs/promises';
import { createGunzip } from 'node:zlib';

/**
 * A tar reader that never unpacks layers: it walks the 512-byte headers (ustar, pax `path=`, GNU
 * long names), skips every body by seeking, and reads only the entries asked for. Gzipped tarballs
 * are streamed through gunzip once; bodies above `maxEntryBytes` are skipped, not buffered.
 */
export interface TarEntry {
  readonly name: string;
  readonly size: number;
  /** Byte offset of the body in the (uncompressed) tar. */
  readonly offset: number;
}

export interface TarArchive {
  readonly entries: ReadonlyMap<string, TarEntry>;
  /** The body of an entry, as text; undefined when the entry is missing or was too large to keep. */
  readText(name: string): Promise<string | undefined>;
  close(): Promise<void>;
}

const BLOCK = 512;

function cString(buffer: Buffer, start: number, length: number): string {
  const slice = buffer.subarray(start, start + length);
  const nul = slice.indexOf(0);
  return slice.subarray(0, nul < 0 ? slice.length : nul).toString('utf8');
}

function octal(buffer: Buffer, start: number, length: number): number {
  // GNU base-256 for sizes over 8 GiB: high bit set on the first byte.
  if ((buffer[start]! & 0x80) !== 0) {
    let value = 0;
    for (let i = start + 1; i < start + length; i++) value = value * 256 + buffer[i]!;
    return value;
  }
  const text = cString(buffer, start, length).trim();
  return text === '' ? 0 : Number.parseInt(text, 8);
}

function paxPath(body: Buffer): string | undefined {
  let i = 0;
  const text = body.toString('utf8');
  while (i < text.length) {
    const space = text.indexOf(' ', i);
    if (space < 0) break;
    const length = Number.parseInt(text.slice(i, space), 10);
    if (!(length > 0)) break;
    const record = text.slice(space + 1, i + length - 1);
    if (record.startsWith('path=')) return record.slice(5);
    i += length;
  }
  return undefined;
}

function isZeroBlock(header: Buffer): boolean {
  for (const byte of header) if (byte !== 0) return false;
  return true;
}

export function normalizeTarName(name: string): string {
  return name.replace(/^\.\//, '').replace(/^\/+/, '');
}

interface HeaderInfo {
  name: string;
  size: number;
  type: string;
}

function parseHeader(header: Buffer): HeaderInfo | 'end' | 'bad' {
  if (isZeroBlock(header)) return 'end';
  const stored = octal(header, 148, 8);
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 32 : header[i]!;
  if (sum !== stored) return 'bad';
  const name = cString(header, 0, 100);
  const prefix = header.subarray(257, 262).toString('latin1') === 'ustar' ? cString(header, 345, 155) : '';
  return {
    name: prefix ? `${prefix}/${name}` : name,
    size: octal(header, 124, 12),
    type: String.fromCharCode(header[156] || 48),
  };
}

/** Opens a tar file (plain or gzip) and indexes its entries. Throws on a file that is not a tar. */
export async function openTar(path: string, options: { maxEntryBytes?: number } = {}): Promise<TarArchive> {
  const maxEntryBytes = options.maxEntryBytes ?? 8 * 1024 * 1024;
  const handle = await open(path, 'r');
  try {
    const magic = Buffer.alloc(2);
    await handle.read(magic, 0, 2, 0);
    if (magic[0] === 0x1f && magic[1] === 0x8b) {
      await handle.close();
      return await openGzipTar(path, maxEntryBytes);
    }
    return await openPlainTar(handle, path);
  } catch (error) {
    await handle.close().catch(() => undefined);
    throw error;
  }
}

async function openPlainTar(handle: FileHandle, path: string): Promise<TarArchive> {
  const { size: fileSize } = await handle.stat();
  const entries = new Map<string, TarEntry>();
  const header = Buffer.alloc(BLOCK);
  let position = 0;
  let longName: string | undefined;
  // Bounded: every step advances by at least one block.
  while (position + BLOCK <= fileSize) {
    await handle.read(header, 0, BLOCK, position);
    const info = parseHeader(header);
    if (info === 'end') break;
    if (info === 'bad')
      throw new Error(`${path}: not a tar archive (bad header checksum at byte ${position})`);
    const bodyOffset = position + BLOCK;
    if (info.type === 'L' || info.type === 'x') {
      const body = Buffer.alloc(Math.min(info.size, 64 * 1024));
      await handle.read(body, 0, body.length, bodyOffset);
      longName = info.type === 'L' ? cString(body, 0, body.length) : (paxPath(body) ?? longName);
    } else if (info.type !== 'g') {
      const name = normalizeTarName(longName ?? info.name);
      longName = undefined;
      if (info.type === '0' || info.type === '\0' || info.type === '7')
        entries.set(name, { name, size: info.size, offset: bodyOffset });
    }
    position = bodyOffset + Math.ceil(info.size / BLOCK) * BLOCK;
  }
  if (entries.size === 0 && position === 0) throw new Error(`${path}: not a tar archive`);
  return {
    entries,
    async readText(name) {
      const entry = entries.get(normalizeTarName(name));
      if (!entry) return undefined;
      const body = Buffer.alloc(entry.size);
      await handle.read(body, 0, entry.size, entry.offset);
      return body.toString('utf8');
    },
    close: () => handle.close(),
  };
}

async function openGzipTar(path: string, maxEntryBytes: number): Promise<TarArchive> {
  const entries = new Map<string, TarEntry>();
  const kept = new Map<string, Buffer>();
  let pending: Buffer = Buffer.alloc(0);
  let offset = 0;
  let current:
    | { info: HeaderInfo; remaining: number; chunks: Buffer[] | undefined; name: string }
    | undefined;
  let padding = 0;
  let longName: string | undefined;
  let ended = false;
  const stream = createReadStream(path).pipe(createGunzip());
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
    let progressed = true;
    while (progressed && !ended) {
      progressed = false;
      if (current) {
        const take = Math.min(current.remaining, pending.length);
        if (take > 0) {
          current.chunks?.push(pending.subarray(0, take));
          pending = pending.subarray(take);
          current.remaining -= take;
          offset += take;
          progressed = true;
        }
        if (current.remaining === 0) {
          const body = current.chunks ? Buffer.concat(current.chunks) : undefined;
          if (current.info.type === 'L' && body) longName = cString(body, 0, body.length);
          else if (current.info.type === 'x' && body) longName = paxPath(body) ?? longName;
          else if (current.info.type !== 'g') {
            if (body) kept.set(current.name, body);
          }
          current = undefined;
          progressed = true;
        }
      } else if (padding > 0) {
        const take = Math.min(padding, pending.length);
        pending = pending.subarray(take);
        padding -= take;
        offset += take;
        progressed = take > 0;
      } else if (pending.length >= BLOCK) {
        const info = parseHeader(pending.subarray(0, BLOCK));
        pending = pending.subarray(BLOCK);
        offset += BLOCK;
        progressed = true;
        if (info === 'end') {
          ended = true;
          break;
        }
        if (info === 'bad')
          throw new Error(`${path}: not a tar archive inside the gzip stream (bad header checksum)`);
        const meta = info.type === 'L' || info.type === 'x' || info.type === 'g';
        const name = normalizeTarName(meta ? info.name : (longName ?? info.name));
        if (!meta) {
          longName = undefined;
          if (info.type === '0' || info.type === '\0' || info.type === '7')
            entries.set(name, { name, size: info.size, offset });
        }
        const keep = meta || info.size <= maxEntryBytes;
        current = { info, remaining: info.size, chunks: keep ? [] : undefined, name };
        padding = (BLOCK - (info.size % BLOCK)) % BLOCK;
        if (info.size === 0) {
          if (!meta && keep) kept.set(name, Buffer.alloc(0));
          current = undefined;
        }
      }
    }
    if (ended) break;
  }
  stream.destroy();
  return {
    entries,
    async readText(name) {
      return kept.get(normalizeTarName(name))?.toString('utf8');
    },
    async close() {},
  };
}
