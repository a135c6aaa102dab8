import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { parseJson, runCli } from './cli-helpers.js';

/** A minimal ustar writer: enough to build the `docker save` and OCI layout tarballs a registry would. */
function tar(entries: readonly { name: string; body: Buffer | string }[]): Buffer {
  const blocks: Buffer[] = [];
  for (const entry of entries) {
    const body = typeof entry.body === 'string' ? Buffer.from(entry.body) : entry.body;
    const header = Buffer.alloc(512);
    const put = (text: string, offset: number, length: number) =>
      header.write(text, offset, length, 'latin1');
    let name = entry.name;
    let prefix = '';
    if (name.length > 100) {
      const cut = name.lastIndexOf('/', 155);
      prefix = name.slice(0, cut);
      name = name.slice(cut + 1);
    }
    put(name, 0, 100);
    put('0000644\0', 100, 8);
    put('0000000\0', 108, 8);
    put('0000000\0', 116, 8);
    put(`${body.length.toString(8).padStart(11, '0')}\0`, 124, 12);
    put(
      `${Math.floor(Date.UTC(2026, 0, 1) / 1000)
        .toString(8)
        .padStart(11, '0')}\0`,
      136,
      12,
    );
    put('        ', 148, 8);
    put('0', 156, 1);
    put('ustar\0', 257, 6);
    put('00', 263, 2);
    put(prefix, 345, 155);
    let sum = 0;
    for (const byte of header) sum += byte;
    put(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 8);
    blocks.push(header, body, Buffer.alloc((512 - (body.length % 512)) % 512));
  }
  blocks.push(Buffer.alloc(1024));
  return Buffer.concat(blocks);
}

const sha256 = (data: Buffer | string) => createHash('sha256').update(data).digest('hex');

function imageConfig(cmd: string[]): string {
  return JSON.stringify({
    architecture: 'amd64',
    os: 'linux',
    config: {
      Env: ['PATH=/usr/local/bin:/usr/bin:/bin', 'UVICORN_TIMEOUT_KEEP_ALIVE=65'],
      Cmd: cmd,
      ExposedPorts: { '8000/tcp': {} },
    },
    rootfs: { type: 'layers', diff_ids: [] },
  });
}

/** A layer: itself a tar, with an app file and 2 MiB of data nobody should need to read. */
const LAYER = tar([
  { name: 'app/main.py', body: 'async def app(scope, receive, send): ...\n' },
  { name: 'app/blob.bin', body: Buffer.alloc(2 * 1024 * 1024, 7) },
]);

function dockerSave(config: string, tag: string): Buffer {
  const configName = `${sha256(config)}.json`;
  const layerName = `${sha256(LAYER)}/layer.tar`;
  return tar([
    { name: `${sha256(LAYER)}/VERSION`, body: '1.0' },
    { name: layerName, body: LAYER },
    { name: configName, body: config },
    {
      name: 'manifest.json',
      body: JSON.stringify([{ Config: configName, RepoTags: [tag], Layers: [layerName] }]),
    },
    { name: 'repositories', body: '{}' },
  ]);
}

function ociLayout(config: string, ref: string): Buffer {
  const layerDigest = sha256(LAYER);
  const configDigest = sha256(config);
  const manifest = JSON.stringify({
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: {
      mediaType: 'application/vnd.oci.image.config.v1+json',
      digest: `sha256:${configDigest}`,
      size: config.length,
    },
    layers: [
      {
        mediaType: 'application/vnd.oci.image.layer.v1.tar',
        digest: `sha256:${layerDigest}`,
        size: LAYER.length,
      },
    ],
  });
  const index = JSON.stringify({
    schemaVersion: 2,
    manifests: [
      {
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        digest: `sha256:${sha256(manifest)}`,
        size: manifest.length,
        annotations: { 'org.opencontainers.image.ref.name': ref },
        platform: { os: 'linux', architecture: 'amd64' },
      },
    ],
  });
  return tar([
    { name: 'oci-layout', body: '{"imageLayoutVersion":"1.0.0"}' },
    { name: `blobs/sha256/${layerDigest}`, body: LAYER },
    { name: `blobs/sha256/${configDigest}`, body: config },
    { name: `blobs/sha256/${sha256(manifest)}`, body: manifest },
    { name: 'index.json', body: index },
  ]);
}

describe('image: on real tarballs (docker save and OCI layout, built here without a Docker engine)', () => {
  let dir: string;
  const wrong = imageConfig(['uvicorn', 'main:app', '--host', '0.0.0.0', '--timeout-keep-alive', '30']);
  const fixed = imageConfig(['uvicorn', 'main:app', '--host', '0.0.0.0', '--timeout-keep-alive', '75']);

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kap-image-'));
    await writeFile(join(dir, 'wrong.tar'), dockerSave(wrong, 'example/api:1.0'));
    await writeFile(join(dir, 'fixed.tar'), dockerSave(fixed, 'example/api:1.1'));
    await writeFile(join(dir, 'wrong.tar.gz'), gzipSync(dockerSave(wrong, 'example/api:1.0')));
    await writeFile(join(dir, 'oci.tar'), ociLayout(fixed, 'example/api:oci'));
    await writeFile(
      join(dir, 'inspect.json'),
      JSON.stringify([{ RepoTags: ['example/api:1.0'], Config: JSON.parse(wrong).config }]),
    );
    await writeFile(join(dir, 'not-an-image.tar'), tar([{ name: 'hello.txt', body: 'hi' }]));
    await writeFile(join(dir, 'garbage.bin'), Buffer.alloc(4096, 1));
    await writeFile(
      join(dir, 'unset.json'),
      JSON.stringify({ Cmd: ['gunicorn', '-k', 'gthread', 'app:app'] }),
    );
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('docker save tarball: CMD beats ENV, the finding shows both, exit 1 against a 60 s LB', async () => {
    const result = await runCli([
      'check',
      '--lb',
      '60s',
      '--backend',
      `image:${join(dir, 'wrong.tar')}`,
      '--json',
    ]);
    assert.equal(result.code, 1, result.stderr);
    const doc = parseJson(result);
    const hop = doc.hops[0];
    assert.equal(hop.serverKeepAliveMs, 30_000);
    assert.match(hop.server.label, /image example\/api:1\.0/);
    const fact = hop.server.facts.find((f: any) => f.subject === 'server-keepalive');
    assert.deepEqual(fact.provenance, { kind: 'command-line', flag: '--timeout-keep-alive', text: '30' });
    assert.ok(
      fact.notes.some((n: string) =>
        /--timeout-keep-alive 30.*overrides UVICORN_TIMEOUT_KEEP_ALIVE=65/.test(n),
      ),
      JSON.stringify(fact.notes),
    );
    // The finding carries the fact, so it shows the value in force and the ENV it overrode.
    const finding = doc.findings.find((f: any) => f.id === 'keepalive-below-pool-idle');
    const findingFact = finding.facts.find((f: any) => f.subject === 'server-keepalive');
    assert.ok(findingFact.notes.some((n: string) => /overrides UVICORN_TIMEOUT_KEEP_ALIVE=65/.test(n)));
  });

  it('the fixed image holds (exit 0); gzip and OCI layout tarballs and inspect JSON read the same', async () => {
    const fixedResult = await runCli([
      'check',
      '--lb',
      '60s',
      '--backend',
      `image:${join(dir, 'fixed.tar')}`,
      '--json',
    ]);
    assert.equal(fixedResult.code, 0, fixedResult.stdout + fixedResult.stderr);
    assert.equal(parseJson(fixedResult).hops[0].serverKeepAliveMs, 75_000);
    const gz = parseJson(
      await runCli(['check', '--lb', '60s', '--backend', `image:${join(dir, 'wrong.tar.gz')}`, '--json']),
    );
    assert.equal(gz.hops[0].serverKeepAliveMs, 30_000);
    const oci = await runCli([
      'check',
      '--lb',
      '60s',
      '--backend',
      `image:${join(dir, 'oci.tar')}`,
      '--json',
    ]);
    assert.equal(oci.code, 0, oci.stderr);
    assert.match(parseJson(oci).hops[0].server.label, /example\/api:oci/);
    const inspect = parseJson(
      await runCli(['check', '--lb', '60s', '--backend', `image:${join(dir, 'inspect.json')}`, '--json']),
    );
    assert.equal(inspect.hops[0].serverKeepAliveMs, 30_000);
  });

  it('assert refuses an image whose keep-alive is only the default, unless --allow-default', async () => {
    const refused = await runCli(['assert', '--lb', '60s', '--backend', `image:${join(dir, 'unset.json')}`]);
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /nothing sets the keep-alive .*--allow-default/);
    const allowed = await runCli([
      'assert',
      '--lb',
      '60s',
      '--backend',
      `image:${join(dir, 'unset.json')}`,
      '--allow-default',
    ]);
    assert.equal(allowed.code, 1, allowed.stderr);
    const set = await runCli(['assert', '--lb', '60s', '--backend', `image:${join(dir, 'fixed.tar')}`]);
    assert.equal(set.code, 0, set.stderr);
  });

  it('bad input: exit 2 with a message naming the file', async () => {
    const missing = await runCli(['check', '--lb', '60s', '--backend', 'image:example/api:1.0']);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /does not talk to a Docker engine.*docker image inspect/);
    const notImage = await runCli([
      'check',
      '--lb',
      '60s',
      '--backend',
      `image:${join(dir, 'not-an-image.tar')}`,
    ]);
    assert.equal(notImage.code, 2);
    assert.match(notImage.stderr, /not-an-image\.tar.*neither a docker save tarball/);
    const garbage = await runCli(['check', '--lb', '60s', '--backend', `image:${join(dir, 'garbage.bin')}`]);
    assert.equal(garbage.code, 2);
    assert.match(garbage.stderr, /garbage\.bin: neither image JSON nor a tar archive/);
  });
});
