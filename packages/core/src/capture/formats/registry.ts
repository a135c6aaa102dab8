import type { CaptureFormatDefinition } from '../types.js';
import { pcapFormat } from './pcap.js';
import { pcapngFormat } from './pcapng.js';

/** The one registry of capture file formats, detected by their first four bytes. */
export const CAPTURE_FORMATS: readonly CaptureFormatDefinition[] = [pcapFormat, pcapngFormat];

export function detectCaptureFormat(head: Uint8Array): CaptureFormatDefinition | undefined {
  return CAPTURE_FORMATS.find((format) => format.detect(head));
}
