// The engine (`@keepalive-parity/core/engine`: what check and assert need at start-up) ...

// ... and everything that reads configs, logs, metrics and packet captures.
export * from './capture/index.js';
export * from './engine.js';
export * from './hops-file.js';
export * from './logs/public.js';
export * from './logs/registry.js';
export * from './logs/types.js';
export * from './metrics/public.js';
export * from './readers/registry.js';
export * from './readers/servers/public.js';
export * from './readers/types.js';
export * from './sources/file-reader.js';
// The full API has every source kind: the reader-backed ones register when this module loads.
export { READER_SOURCE_KINDS_REGISTERED } from './sources/reader-kinds.js';
