import type { LogFormat } from './types.js';

/** The one registry of log formats; each parser lives in logs/formats/<id>.ts. */
export const LOG_FORMATS: LogFormat[] = [];

export function registerLogFormat(format: LogFormat): void {
  const existing = LOG_FORMATS.findIndex((f) => f.id === format.id);
  if (existing >= 0) LOG_FORMATS[existing] = format;
  else LOG_FORMATS.push(format);
}

export function findLogFormat(id: string): LogFormat | undefined {
  return LOG_FORMATS.find((f) => f.id === id);
}
