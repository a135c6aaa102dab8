/** What the CLI uses of the deployed-server readers (re-exported by the core's index). */

export { composeServices, joinPath } from '../compose/index.js';
export { imageSpecs } from '../image/config.js';
export {
  type ContainerReadSide,
  type ContainerSpec,
  containerArgv,
  containerOf,
  containerSide,
  overlayContainer,
} from '../image/container.js';
export { dockerfileSpec } from '../image/dockerfile.js';
export type { ImageConfigText, ImageSourceIo } from '../image/source.js';
export { type K8sManifests, type K8sObject, parseK8sManifests } from '../k8s/index.js';
export {
  parseTerraformDocuments,
  type TerraformDocuments,
  type TerraformResource,
} from '../terraform/index.js';
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
