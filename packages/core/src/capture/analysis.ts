import type { ConnectionSummary } from './connection.js';
import type { ClientMeasurement } from './findings/client-idle.js';
import type { HopEntry } from './findings/hop-verdict.js';
import type { OtherClose } from './findings/other-closes.js';
import type { RaceResult } from './findings/race.js';
import { EVIDENCE_FINDINGS } from './findings/registry.js';
import type { ServerMeasurement } from './findings/server-keepalive.js';
import { detectCaptureFormat } from './formats/registry.js';
import { decodeTcp } from './ip.js';
import { LINK_TYPES } from './links/registry.js';
import { ConnectionTracker, type TrackerOptions } from './tracker.js';
import type { CaptureDiagnostic, CaptureFormatDecoder, Frame, NetworkStart, Segment } from './types.js';

export const EVIDENCE_SCHEMA_VERSION = 1;

export interface CaptureFileSummary {
  readonly file: string;
  /** `pcap`, `pcapng`, or null when the file is not a capture. */
  readonly format: string | null;
  readonly bytes: number;
  readonly frames: number;
  readonly tcpSegments: number;
  readonly linkTypes: readonly number[];
  readonly diagnostics: readonly CaptureDiagnostic[];
}

export interface EvidenceReport {
  readonly schemaVersion: number;
  readonly files: readonly CaptureFileSummary[];
  readonly frames: number;
  readonly tcpSegments: number;
  readonly connections: number;
  /** Connections summarised as still open because too many were open at once (memory bound). */
  readonly evictedOpenConnections: number;
  readonly racesTotal: number;
  readonly races: RaceResult['listed'];
  readonly raceTimeline: RaceResult['timeline'];
  readonly servers: readonly ServerMeasurement[];
  readonly clients: readonly ClientMeasurement[];
  readonly hops: readonly HopEntry[];
  readonly otherCloses: readonly OtherClose[];
  readonly marginMs: number;
  /** Every problem met while reading (file, byte offset, message). */
  readonly diagnostics: readonly CaptureDiagnostic[];
}

export interface AnalyzerOptions extends TrackerOptions {
  readonly marginMs: number;
}

/** Frames of an unknown link type or without TCP: reported once per file and link type. */
const MAX_DIAGNOSTICS_PER_FILE = 20;

/** Feeds one capture file, chunk by chunk. */
export interface CaptureFileInput {
  push(bytes: Uint8Array): void;
  end(): CaptureFileSummary;
}

/**
 * Reads captures (several files in a row: connections continue across rotated files) and keeps
 * only open connections plus the findings' running statistics: memory is bounded by the number of
 * connections open at once, not by the capture's size.
 */
export class CaptureAnalyzer {
  private readonly tracker: ConnectionTracker;
  private readonly collectors;
  private readonly files: CaptureFileSummary[] = [];
  private connections = 0;
  private readonly options: AnalyzerOptions;

  constructor(options: AnalyzerOptions) {
    this.options = options;
    const [race, servers, clients, hops, others] = EVIDENCE_FINDINGS;
    this.collectors = {
      race: race.create(options),
      servers: servers.create(options),
      clients: clients.create(options),
      hops: hops.create(options),
      others: others.create(options),
    };
    const all = Object.values(this.collectors);
    this.tracker = new ConnectionTracker((summary: ConnectionSummary) => {
      this.connections++;
      for (const collector of all) collector.add(summary);
    }, options);
  }

  openFile(file: string): CaptureFileInput {
    const diagnostics: CaptureDiagnostic[] = [];
    const report = (d: CaptureDiagnostic) => {
      if (diagnostics.length < MAX_DIAGNOSTICS_PER_FILE) diagnostics.push(d);
    };
    const tracker = this.tracker;
    const linkTypes = new Set<number>();
    const unknownLinks = new Set<number>();
    let frames = 0;
    let tcpSegments = 0;
    let bytes = 0;
    let head = new Uint8Array(0);
    let decoder: CaptureFormatDecoder | null = null;
    let format: string | null = null;
    let rejected = false;
    const network: NetworkStart = { version: 0, offset: 0 };
    const segment: Segment = {
      timeUs: 0,
      src: 0,
      dst: 0,
      flags: 0,
      seq: 0,
      ack: 0,
      payloadLength: 0,
      data: head,
      payloadOffset: 0,
      capturedPayload: 0,
      fileOffset: 0,
    };
    let lastLink = -1;
    let link = LINK_TYPES.get(0);
    const sink = (frame: Frame) => {
      frames++;
      if (frame.linkType !== lastLink) {
        lastLink = frame.linkType;
        link = LINK_TYPES.get(frame.linkType);
        linkTypes.add(frame.linkType);
      }
      if (link === undefined) {
        if (!unknownLinks.has(frame.linkType)) {
          unknownLinks.add(frame.linkType);
          report({
            file,
            offset: frame.fileOffset,
            code: 'unknown-link-type',
            message: `link type ${frame.linkType} is not supported (supported: ${[...LINK_TYPES.values()].map((l) => `${l.linkType} ${l.name}`).join(', ')}); its frames are skipped`,
          });
        }
        return;
      }
      const end = frame.offset + frame.capturedLength;
      if (!link.decode(frame.data, frame.offset, frame.capturedLength, network)) return;
      if (!decodeTcp(frame.data, network, end, segment)) return;
      tcpSegments++;
      segment.timeUs = frame.timeUs;
      segment.fileOffset = frame.fileOffset;
      tracker.segment(segment);
    };
    return {
      push(chunk) {
        bytes += chunk.length;
        if (rejected) return;
        if (decoder === null) {
          const joined = new Uint8Array(head.length + chunk.length);
          joined.set(head);
          joined.set(chunk, head.length);
          head = joined;
          if (head.length < 4) return;
          const definition = detectCaptureFormat(head);
          if (!definition) {
            rejected = true;
            report({
              file,
              offset: 0,
              code: 'not-a-capture',
              message: 'not a packet capture (neither pcap nor pcapng: unknown magic number)',
            });
            return;
          }
          format = definition.id;
          decoder = definition.create(file, sink, report);
          decoder.push(head);
          head = new Uint8Array(0);
          return;
        }
        decoder.push(chunk);
      },
      end: () => {
        if (decoder !== null) decoder.end();
        else if (!rejected)
          report({
            file,
            offset: 0,
            code: head.length === 0 ? 'empty' : 'not-a-capture',
            message: head.length === 0 ? 'empty file' : 'too short to be a packet capture',
          });
        const summary: CaptureFileSummary = {
          file,
          format,
          bytes,
          frames,
          tcpSegments,
          linkTypes: [...linkTypes].sort((a, b) => a - b),
          diagnostics,
        };
        this.files.push(summary);
        return summary;
      },
    };
  }

  /** Ends every connection still open and reports. */
  finish(): EvidenceReport {
    this.tracker.end();
    const race = this.collectors.race.result();
    return {
      schemaVersion: EVIDENCE_SCHEMA_VERSION,
      files: this.files,
      frames: this.files.reduce((n, f) => n + f.frames, 0),
      tcpSegments: this.files.reduce((n, f) => n + f.tcpSegments, 0),
      connections: this.connections,
      evictedOpenConnections: this.tracker.evicted,
      racesTotal: race.total,
      races: race.listed,
      raceTimeline: race.timeline,
      servers: this.collectors.servers.result(),
      clients: this.collectors.clients.result(),
      hops: this.collectors.hops.result(),
      otherCloses: this.collectors.others.result(),
      marginMs: this.options.marginMs,
      diagnostics: this.files.flatMap((f) => f.diagnostics),
    };
  }
}

/** True when no file gave a single frame: nothing was readable. */
export function nothingReadable(report: EvidenceReport): boolean {
  return report.files.every((f) => f.frames === 0 && f.diagnostics.length > 0) || report.files.length === 0;
}

/** Convenience for tests and small inputs: analyse whole files held in memory. */
export function analyzeCaptures(
  inputs: readonly { readonly file: string; readonly bytes: Uint8Array }[],
  options: AnalyzerOptions,
): EvidenceReport {
  const analyzer = new CaptureAnalyzer(options);
  for (const input of inputs) {
    const handle = analyzer.openFile(input.file);
    handle.push(input.bytes);
    handle.end();
  }
  return analyzer.finish();
}
