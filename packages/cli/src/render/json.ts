import type { OutputStream } from '../fd-output.js';
/** Version of every JSON document the CLI prints; bumped on any incompatible change. */
export const SCHEMA_VERSION = 1;

export function writeJson(stream: OutputStream, document: object): void {
  stream.write(`${JSON.stringify({ schemaVersion: SCHEMA_VERSION, ...document }, null, 2)}\n`);
}
