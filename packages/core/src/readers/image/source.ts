import { KeepaliveParityError } from '../../errors.js';
import type { ResolvedSide, SourceIo, SourceKindDefinition } from '../../sources/types.js';
import { refuseDefaults } from '../servers/sources.js';
import { imageSpecs } from './config.js';
import { containerSide } from './container.js';

/** What the CLI returns for `image:FILE`: the config JSON, found in a JSON file or a tarball. */
export interface ImageConfigText {
  /** docker inspect JSON, or the image config blob. */
  readonly text: string;
  /** For people: `app.tar!blobs/sha256/ab12...` or the JSON file's path. */
  readonly file: string;
  /** The image's tag from a docker-save manifest or OCI annotation, when there is one. */
  readonly name?: string | undefined;
}

export interface ImageSourceIo extends SourceIo {
  readImageConfig?(locator: string): Promise<ImageConfigText[]>;
}

/**
 * `image:FILE[#VAR]`: an image's Env, Entrypoint and Cmd from `docker inspect` JSON, an OCI or
 * Docker config blob, or a `docker save` / OCI layout tarball (the config is read from the tar
 * without unpacking layers). `#VAR` names the env var a Node server reads its keep-alive from.
 */
export const imageSource: SourceKindDefinition = {
  kind: 'image',
  roles: ['server'],
  summary:
    'A container image: docker inspect JSON, an image config blob, or a docker save / OCI tarball; #VAR names a Node env var',
  example: '--backend image:build/app.tar',
  async resolve(request, io: ImageSourceIo): Promise<ResolvedSide[]> {
    if (typeof io.readImageConfig !== 'function') {
      throw new KeepaliveParityError(
        'KAP_SOURCE_UNAVAILABLE',
        `${request.field}: reading images is not available here`,
        { field: request.field },
      );
    }
    const configs = await io.readImageConfig(request.spec.locator);
    const sides: ResolvedSide[] = [];
    for (const config of configs) {
      for (const spec of imageSpecs(config.text, config.file, config.name)) {
        const { side, diagnostics } = containerSide(spec, { backendEnv: request.spec.fragment || undefined });
        sides.push({
          label: side.label,
          product: side.product,
          facts: side.facts,
          source: request.spec.raw,
          diagnostics: diagnostics.length > 0 ? diagnostics : undefined,
        });
      }
    }
    return refuseDefaults(request, sides);
  },
};
