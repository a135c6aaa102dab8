import { READER_EXAMPLES, READERS, registerReader } from '../readers/registry.js';
import { DEPLOYED_READERS, DEPLOYED_SOURCE_KINDS } from '../readers/servers/register.js';
import { fileReaderSource } from './file-reader.js';
import { pcapSource } from './pcap.js';
import { registerSourceKind } from './registry.js';

/**
 * The source kinds backed by readers, registered when this module is first evaluated: the package
 * index imports it (the full API has every kind), and `sources/registry.ts` imports it on first use
 * of a kind it does not know yet, so the literal, `runtime:` and `env:` paths of `check` and
 * `assert` do not load every reader and its parsers (YAML, ...) at start-up.
 */
// Timeouts measured in a packet capture (issue 14); the CLI streams the file.
registerSourceKind(pcapSource);
// The server side as deployed (issue 6): Dockerfile, compose, ECS, server config files; cmd:, proc:, image:.
for (const reader of DEPLOYED_READERS) registerReader(reader);
for (const definition of DEPLOYED_SOURCE_KINDS) registerSourceKind(definition);
// Every config reader is also a source kind (`nginx:PATH#UPSTREAM`), read through the file bridge.
for (const reader of READERS)
  registerSourceKind(
    fileReaderSource(reader, { example: READER_EXAMPLES[reader.id] ?? `${reader.id}:PATH` }),
  );

export const READER_SOURCE_KINDS_REGISTERED = true;
