/**
 * HTTP/1.x starts in a TCP payload, as far as the snap length kept them: a request line
 * (`GET /path HTTP/1.1`), a status line (`HTTP/1.1 200 OK`) and the response headers that say how
 * long the body is and whether the server closes afterwards. Bytes are read as ASCII.
 */

const MAX_HEADER_SCAN = 8192;

function ascii(data: Uint8Array, start: number, length: number): string {
  const end = start + Math.min(length, MAX_HEADER_SCAN);
  // A typed array is array-like: no per-byte copy into a JS array.
  return String.fromCharCode.apply(null, data.subarray(start, end) as unknown as number[]);
}

/** Offset of the first `\r\n\r\n` in the captured bytes (relative to `at`), or -1. */
function headerEnd(data: Uint8Array, at: number, captured: number): number {
  const end = at + Math.min(captured, MAX_HEADER_SCAN) - 3;
  for (let i = at; i < end; i++) {
    if (data[i] === 0x0d && data[i + 1] === 0x0a && data[i + 2] === 0x0d && data[i + 3] === 0x0a)
      return i - at;
  }
  return -1;
}

/** `HTTP/1.` at the start of the payload. */
export function isStatusLine(data: Uint8Array, at: number, length: number): boolean {
  return (
    length >= 7 &&
    data[at] === 0x48 &&
    data[at + 1] === 0x54 &&
    data[at + 2] === 0x54 &&
    data[at + 3] === 0x50 &&
    data[at + 4] === 0x2f &&
    data[at + 5] === 0x31 &&
    data[at + 6] === 0x2e
  );
}

/** A method token (3–16 upper-case letters), a space, then `/`, `*` or an absolute URI. */
export function isRequestLine(data: Uint8Array, at: number, length: number): boolean {
  let i = 0;
  while (i < length && i < 17) {
    const c = data[at + i]!;
    if (c < 0x41 || c > 0x5a) break;
    i++;
  }
  if (i < 3 || i > 16 || i + 1 >= length || data[at + i] !== 0x20) return false;
  const next = data[at + i + 1];
  return next === 0x2f || next === 0x2a || next === 0x68 || (i === 7 && next !== 0x20); // CONNECT host:port
}

/** `PRI * HTTP/2.0`: the HTTP/2 connection preface (prior knowledge, h2c). */
export function isHttp2Preface(data: Uint8Array, at: number, length: number): boolean {
  return (
    length >= 14 &&
    data[at] === 0x50 &&
    data[at + 1] === 0x52 &&
    data[at + 2] === 0x49 &&
    data[at + 3] === 0x20 &&
    data[at + 4] === 0x2a &&
    data[at + 11] === 0x32
  );
}

export interface ResponseHead {
  readonly status: number | null;
  /** `Connection: close` (or HTTP/1.0 without keep-alive): the server closes after this response. */
  readonly closes: boolean;
  /** Body bytes still to come after this segment; null when the captured bytes cannot tell. */
  readonly bodyRemaining: number | null;
  readonly chunked: boolean;
  /** The first line, for timelines. */
  readonly line: string;
  /** The whole header block was captured (false: the snap length cut it). */
  readonly headerComplete: boolean;
}

export function firstLine(data: Uint8Array, at: number, captured: number): string {
  const text = ascii(data, at, Math.min(captured, 200));
  const end = text.indexOf('\r\n');
  return (end >= 0 ? text.slice(0, end) : text).replace(/[^\x20-\x7e]/g, '?');
}

/** Reads a status line and headers; `payloadLength` is the segment's real length. */
export function readResponseHead(
  data: Uint8Array,
  at: number,
  captured: number,
  payloadLength: number,
): ResponseHead {
  const end = headerEnd(data, at, captured);
  const text = ascii(data, at, end >= 0 ? end + 4 : Math.min(captured, 256));
  const lineEnd = text.indexOf('\r\n');
  const line = (lineEnd >= 0 ? text.slice(0, lineEnd) : text.slice(0, 200)).replace(/[^\x20-\x7e]/g, '?');
  const statusMatch = /^HTTP\/1\.(\d) (\d{3})/.exec(text);
  const status = statusMatch ? Number(statusMatch[2]) : null;
  if (end < 0)
    return { status, closes: false, bodyRemaining: null, chunked: false, line, headerComplete: false };
  const head = text.slice(0, end).toLowerCase();
  const connection = /\r\nconnection:[ \t]*([^\r\n]*)/.exec(head)?.[1] ?? '';
  const http10 = statusMatch?.[1] === '0';
  const closes = /\bclose\b/.test(connection) || (http10 && !/\bkeep-alive\b/.test(connection));
  const chunked = /\r\ntransfer-encoding:[^\r\n]*chunked/.test(head);
  const lengthMatch = /\r\ncontent-length:[ \t]*(\d+)/.exec(head);
  let bodyRemaining: number | null = null;
  const bodyHere = payloadLength - (end + 4);
  if (status !== null && (status === 204 || status === 304 || (status >= 100 && status < 200)))
    bodyRemaining = 0;
  else if (chunked) bodyRemaining = chunkedEndsHere(data, at, captured, payloadLength) ? 0 : null;
  else if (lengthMatch) bodyRemaining = Math.max(0, Number(lengthMatch[1]) - bodyHere);
  return { status, closes, bodyRemaining, chunked, line, headerComplete: true };
}

/** The segment was captured whole and ends with the last chunk (`0\r\n\r\n`). */
export function chunkedEndsHere(
  data: Uint8Array,
  at: number,
  captured: number,
  payloadLength: number,
): boolean {
  if (captured < payloadLength || captured < 5) return false;
  const e = at + captured;
  return (
    data[e - 5] === 0x30 &&
    data[e - 4] === 0x0d &&
    data[e - 3] === 0x0a &&
    data[e - 2] === 0x0d &&
    data[e - 1] === 0x0a
  );
}
