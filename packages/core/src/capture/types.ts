/**
 * Packet-capture evidence: the types shared by the capture decoders (file formats, link types),
 * the TCP connection tracker and the findings. Pure: bytes in (`Uint8Array`), data out.
 */

/** A problem in a capture file: what, where (byte offset in the decompressed stream). */
export interface CaptureDiagnostic {
  readonly file: string;
  /** Byte offset in the (decompressed) capture where the problem starts. */
  readonly offset: number;
  readonly code:
    | 'not-a-capture'
    | 'truncated-record'
    | 'bad-record'
    | 'unknown-link-type'
    | 'unsupported-packet'
    | 'empty';
  readonly message: string;
}

/**
 * One captured frame as a file-format decoder hands it on: a view into a buffer that is only valid
 * during the callback (no copy per packet).
 */
export interface Frame {
  /** Capture time in microseconds since the epoch (fractional: nanosecond captures keep ns). */
  timeUs: number;
  /** Link type (LINKTYPE_* number) of the interface the frame was captured on. */
  linkType: number;
  data: Uint8Array;
  /** First byte of the frame in `data`. */
  offset: number;
  /** Bytes captured (the snap length may have cut the frame). */
  capturedLength: number;
  /** Byte offset of the record in the decompressed file (for messages). */
  fileOffset: number;
}

export type FrameSink = (frame: Frame) => void;

/** A streaming capture-file decoder: bytes go in as they arrive, frames come out. */
export interface CaptureFormatDecoder {
  /** Feeds the next bytes; may call `sink` any number of times. */
  push(bytes: Uint8Array): void;
  /** The input ended: reports a truncated last record, if any. */
  end(): void;
}

export interface CaptureFormatDefinition {
  readonly id: 'pcap' | 'pcapng';
  readonly summary: string;
  /** True when the first bytes of a file (at least 4) belong to this format. */
  detect(head: Uint8Array): boolean;
  create(file: string, sink: FrameSink, report: (d: CaptureDiagnostic) => void): CaptureFormatDecoder;
}

/** Where the network-layer packet starts inside a frame, and which protocol it is. */
export interface NetworkStart {
  /** 4 (IPv4), 6 (IPv6), or 0 when the frame carries something else (ARP, ...). */
  version: 0 | 4 | 6;
  offset: number;
}

export interface LinkTypeDefinition {
  /** LINKTYPE_* number from https://www.tcpdump.org/linktypes.html */
  readonly linkType: number;
  readonly name: string;
  /** Finds the IP packet inside a frame; writes into `out` and returns false when there is none. */
  decode(data: Uint8Array, offset: number, length: number, out: NetworkStart): boolean;
}

/** A TCP segment decoded from one frame (a reused scratch object: copy what you keep). */
export interface Segment {
  timeUs: number;
  /** Endpoint keys: a number for IPv4 (address × 65536 + port), a string `[v6]:port` for IPv6. */
  src: number | string;
  dst: number | string;
  flags: number;
  seq: number;
  ack: number;
  /** The segment's real payload length (from the IP header: the snap length does not change it). */
  payloadLength: number;
  /** The payload bytes the snap length kept: data[payloadOffset .. payloadOffset + capturedPayload). */
  data: Uint8Array;
  payloadOffset: number;
  capturedPayload: number;
  fileOffset: number;
}

export const TCP_FIN = 0x01;
export const TCP_SYN = 0x02;
export const TCP_RST = 0x04;
export const TCP_PSH = 0x08;
export const TCP_ACK = 0x10;

/** `10.0.3.7:8080` or `[2001:db8::1]:8080` from an endpoint key. */
export function formatEndpoint(key: number | string): string {
  if (typeof key === 'string') return key;
  const ip = Math.floor(key / 65536);
  const port = key % 65536;
  return `${ip >>> 24}.${(ip >>> 16) & 255}.${(ip >>> 8) & 255}.${ip & 255}:${port}`;
}

/** The address part of an endpoint (`10.0.3.7`, `2001:db8::1`). */
export function endpointHost(key: number | string): string {
  const text = formatEndpoint(key);
  const colon = text.lastIndexOf(':');
  const host = text.slice(0, colon);
  return host.startsWith('[') ? host.slice(1, -1) : host;
}
