/** What the CLI uses of the deployed-server readers (re-exported by the core's index). */

export { composeServices, joinPath } from '../compose/index.js';
export { imageSpecs } from '../image/config.js';
export { type ContainerSpec, containerArgv, containerSide, overlayContainer } from '../image/container.js';
export { dockerfileSpec } from '../image/dockerfile.js';
export type { ImageConfigText, ImageSourceIo } from '../image/source.js';
export {
  type EnvEntry,
  envFrom,
  type InterpretResult,
  interpretProcess,
  normalizeCommand,
  parseEnvList,
  SERVER_INTERPRETERS,
  type ServerContext,
  splitCommandLine,
} from './index.js';
export { DEPLOYED_READERS } from './register.js';
export type { ProcessSnapshot, ServerSourceIo } from './sources.js';
