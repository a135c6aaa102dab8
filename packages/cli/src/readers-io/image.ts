import { open, readFile, stat } from 'node:fs/promises';
import { type ImageConfigText, KeepaliveParityError } from '@keepalive-parity/core';
import { openTar, type TarArchive } from './tar.js';

function unavailable(message: string, file: string): KeepaliveParityError {
  return new KeepaliveParityError('KAP_SOURCE_UNAVAILABLE', message, { file });
}

function invalid(message: string, file: string): KeepaliveParityError {
  return new KeepaliveParityError('KAP_INPUT_INVALID', message, { file });
}

function blobPath(digest: string): string {
  const [algorithm, hex] = digest.split(':');
  return `blobs/${algorithm}/${hex}`;
}

async function json(archive: TarArchive, name: string, file: string): Promise<unknown> {
  const text = await archive.readText(name);
  if (text === undefined) throw invalid(`${file}: the tarball has no ${name}`, file);
  try {
    return JSON.parse(text);
  } catch (error) {
    throw invalid(`${file}!${name}: not JSON: ${(error as Error).message}`, file);
  }
}

interface Descriptor {
  mediaType?: string;
  digest?: string;
  platform?: { os?: string; architecture?: string };
  annotations?: Record<string, string>;
}

/** OCI index → manifest (preferring linux/amd64 in a multi-platform index) → config blob. */
async function fromOciIndex(archive: TarArchive, file: string): Promise<ImageConfigText[]> {
  const out: ImageConfigText[] = [];
  const visit = async (descriptors: Descriptor[], name: string | undefined, depth: number) => {
    if (depth > 4) return;
    const images = descriptors.filter((d) => d.platform?.os !== 'unknown');
    const preferred = images.find((d) => d.platform?.os === 'linux' && d.platform.architecture === 'amd64');
    for (const descriptor of preferred ? [preferred] : images.slice(0, 1)) {
      if (!descriptor.digest) continue;
      const ref =
        descriptor.annotations?.['org.opencontainers.image.ref.name'] ??
        descriptor.annotations?.['io.containerd.image.name'] ??
        name;
      const manifest = (await json(archive, blobPath(descriptor.digest), file)) as {
        manifests?: Descriptor[];
        config?: Descriptor;
      };
      if (Array.isArray(manifest.manifests)) await visit(manifest.manifests, ref, depth + 1);
      else if (manifest.config?.digest) {
        const path = blobPath(manifest.config.digest);
        const text = await archive.readText(path);
        if (text === undefined) throw invalid(`${file}: config blob ${path} is missing`, file);
        out.push({ text, file: `${file}!${path}`, name: ref });
      }
    }
  };
  const index = (await json(archive, 'index.json', file)) as { manifests?: Descriptor[] };
  await visit(index.manifests ?? [], undefined, 0);
  return out;
}

/**
 * `image:` I/O: a JSON file is returned as it is; a `docker save` tarball yields the config named
 * by `manifest.json` (one per image in it); an OCI layout tarball goes index → manifest → config.
 * Layers are never read.
 */
export async function readImageConfig(locator: string): Promise<ImageConfigText[]> {
  let info: Awaited<ReturnType<typeof stat>>;
  try {
    info = await stat(locator);
  } catch {
    throw unavailable(
      `image:${locator}: no such file. This tool reads images from files and does not talk to a Docker engine: run \`docker image inspect ${locator} > image.json\` or \`docker save ${locator} -o image.tar\` and give that file`,
      locator,
    );
  }
  if (!info.isFile()) throw unavailable(`image:${locator}: not a file`, locator);
  // Sniff the first bytes only: a tarball of several GB is never read whole.
  const head = Buffer.alloc(64);
  const handle = await open(locator, 'r');
  try {
    await handle.read(head, 0, head.length, 0);
  } finally {
    await handle.close();
  }
  if (/^\s*[[{]/.test(head.toString('utf8'))) {
    if (info.size > 64 * 1024 * 1024)
      throw invalid(
        `${locator}: a JSON file of ${info.size} bytes is too large for an image config`,
        locator,
      );
    return [{ text: await readFile(locator, 'utf8'), file: locator }];
  }
  let archive: TarArchive;
  try {
    archive = await openTar(locator);
  } catch (error) {
    throw invalid(`${locator}: neither image JSON nor a tar archive (${(error as Error).message})`, locator);
  }
  try {
    if (archive.entries.has('manifest.json')) {
      const manifest = (await json(archive, 'manifest.json', locator)) as {
        Config?: string;
        RepoTags?: string[];
      }[];
      if (!Array.isArray(manifest)) throw invalid(`${locator}!manifest.json: expected a list`, locator);
      const out: ImageConfigText[] = [];
      for (const item of manifest) {
        if (typeof item.Config !== 'string') continue;
        const config = await archive.readText(item.Config);
        if (config === undefined)
          throw invalid(
            `${locator}: manifest.json names ${item.Config}, which is not in the tarball`,
            locator,
          );
        out.push({ text: config, file: `${locator}!${item.Config}`, name: item.RepoTags?.[0] });
      }
      if (out.length > 0) return out;
    }
    if (archive.entries.has('index.json')) {
      const out = await fromOciIndex(archive, locator);
      if (out.length > 0) return out;
    }
    throw invalid(
      `${locator}: a tar archive, but neither a docker save tarball (manifest.json) nor an OCI layout (index.json)`,
      locator,
    );
  } finally {
    await archive.close();
  }
}
