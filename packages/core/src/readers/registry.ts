import type { ConfigReader } from './types.js';

/**
 * The one registry of config readers (knip-style: one folder per reader under readers/,
 * registered here). Each reader's `id` is also its source kind (`nginx:PATH#UPSTREAM`).
 */
export const READERS: ConfigReader[] = [];

export function registerReader(reader: ConfigReader): void {
  const existing = READERS.findIndex((r) => r.id === reader.id);
  if (existing >= 0) READERS[existing] = reader;
  else READERS.push(reader);
}

export function findReader(id: string): ConfigReader | undefined {
  return READERS.find((r) => r.id === id);
}
